/** "1:05" or "1:05.5" → seconds (the plan's times are validated as m:ss by the schema). */
export function clockSeconds(text: string): number {
  const [minutes = '0', seconds = '0'] = text.split(':');
  return Number(minutes) * 60 + Number(seconds);
}

/** Seconds → "m:ss" (tenths when there are any). */
export function clockText(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const whole = Math.floor(tenths / 10);
  const mmss = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  return tenths % 10 === 0 ? mmss : `${mmss}.${tenths % 10}`;
}

/** A length in seconds as a person reads it: "3 s", "2.5 s". */
export function secondsText(seconds: number): string {
  return `${Math.round(seconds * 10) / 10} s`;
}
