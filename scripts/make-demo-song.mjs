// Makes the demo's song (projects/demo/song.m4a): 3:24 of chords and a beat, synthesized by
// the ffmpeg that ships with the project, so the demo's cut has something to play under it.
// Run once and commit the result: node scripts/make-demo-song.mjs
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const ffmpeg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path;
const seconds = 204;
// I–V–vi–IV in C at 120 bpm: a chord per bar (2 s), root, third and fifth.
const chords = [
  [130.81, 164.81, 196.0],
  [196.0, 246.94, 293.66],
  [220.0, 261.63, 329.63],
  [174.61, 220.0, 261.63],
];
const pick = (note) => chords.reduceRight((rest, chord, i) => `if(eq(mod(floor(t/2),4),${i}),${chord[note]},${rest})`, '0');
const pad = [0, 1, 2].map((note) => `0.12*sin(2*PI*${pick(note)}*t)`).join('+');
const kick = '0.5*sin(2*PI*55*t)*exp(-mod(t,0.5)*18)';
const hat = '0.04*sin(2*PI*7000*t)*exp(-mod(t+0.25,0.5)*60)';
const expr = `(${pad})*(0.7+0.3*exp(-mod(t,2)*2))+${kick}+${hat}`;
const result = spawnSync(ffmpeg, ['-hide_banner', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr.replaceAll(',', '\\,')}:s=44100:d=${seconds}`, '-ac', '1', '-c:a', 'aac', '-b:a', '40k', '-fflags', '+bitexact', '-map_metadata', '-1', 'projects/demo/song.m4a'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
