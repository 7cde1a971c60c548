import { loadSharp } from '../util/load-sharp.ts';
import { gridCellRect, type GridLayout } from '../providers/sim/grid-geometry.ts';

/**
 * The grid fallback: separate single images laid into the cells of one grid,
 * each resized to cover its cell, at the cell rectangles the frame step crops.
 */
export async function compositeGrid(cells: readonly Uint8Array[], layout: GridLayout, width: number, height: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const parts = await Promise.all(
    cells.map(async (bytes, i) => {
      const rect = gridCellRect(width, height, layout, i + 1);
      const input = await sharp(bytes).resize(rect.width, rect.height, { fit: 'cover' }).png().toBuffer();
      return { input, left: rect.left, top: rect.top };
    }),
  );
  const canvas = sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 } } });
  return new Uint8Array(await canvas.composite(parts).png().toBuffer());
}
