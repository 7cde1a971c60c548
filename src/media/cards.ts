import type { CardText } from '../graph/nodes.ts';
import { escapeXml, shorten } from '../providers/sim/images.ts';
import { loadSharp } from '../util/load-sharp.ts';

const FONT = 'DejaVu Sans, Verdana, sans-serif';

async function svgToPng(svg: string, width: number, height: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const doc = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${svg}</svg>`;
  return new Uint8Array(await sharp(Buffer.from(doc, 'utf8'), { density: 72 }).png({ compressionLevel: 6 }).toBuffer());
}

/** The title card standing where a sequence has no picture yet: its id, then what and where it is. */
export function drawCard(card: CardText, width: number, height: number): Promise<Uint8Array> {
  const big = Math.round(height * 0.12);
  const small = Math.round(height * 0.05);
  const chars = Math.max(10, Math.floor((width * 0.9) / (small * 0.56)));
  const lines = card.lines.map(
    (line, i) => `<text x="${width / 2}" y="${Math.round(height * 0.55 + small * 1.5 * (i + 1))}" text-anchor="middle" font-family="${FONT}" font-size="${small}" fill="#c8c8c8">${escapeXml(shorten(line, chars))}</text>`,
  );
  return svgToPng(
    [
      `<rect width="${width}" height="${height}" fill="#1c1c22"/>`,
      `<text x="${width / 2}" y="${Math.round(height * 0.5)}" text-anchor="middle" font-family="${FONT}" font-weight="bold" font-size="${big}" fill="#ffffff">${escapeXml(card.heading)}</text>`,
      ...lines,
    ].join(''),
    width,
    height,
  );
}

/** A transparent layer with the label in a dark band at the bottom left (cg cut --overlay). */
export function drawLabel(label: string, width: number, height: number): Promise<Uint8Array> {
  const size = Math.max(10, Math.round(height * 0.04));
  const band = Math.round(size * 1.8);
  const text = escapeXml(shorten(label, Math.floor((width * 0.95) / (size * 0.56))));
  return svgToPng(
    `<rect x="0" y="${height - band}" width="${width}" height="${band}" fill="#000000" fill-opacity="0.6"/><text x="${Math.round(size * 0.6)}" y="${height - Math.round(band * 0.3)}" font-family="${FONT}" font-size="${size}" fill="#ffffff">${text}</text>`,
    width,
    height,
  );
}
