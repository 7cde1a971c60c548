/**
 * The one place that decides where the cells of a grid image are.
 *
 * Used by the sim provider to draw grids and by the `frame` step to crop them,
 * so a cell drawn at some rectangle is cut out of exactly that rectangle.
 * Pure arithmetic: no imports.
 */

export interface GridLayout {
  rows: number;
  cols: number;
}

export interface CellRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

function checkLayout(width: number, height: number, layout: GridLayout): void {
  const { rows, cols } = layout;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`a grid layout needs whole numbers of rows and columns of at least 1 (got ${rows}x${cols})`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < cols || height < rows) {
    throw new RangeError(`a ${width}×${height} image cannot hold ${rows} rows × ${cols} columns of at least one pixel each`);
  }
}

/**
 * The pixel rectangle of one cell (1-based, numbered row-major from the top left).
 *
 * Every column is `floor(width / cols)` pixels wide and every row `floor(height / rows)`
 * pixels high, except the last column and the last row, which take the remainder
 * (so a 1000-pixel-wide 3-column grid has columns of 333, 333 and 334 pixels).
 * The cells tile the image edge to edge with no gaps or overlaps.
 */
export function gridCellRect(width: number, height: number, layout: GridLayout, cell: number): CellRect {
  checkLayout(width, height, layout);
  const { rows, cols } = layout;
  if (!Number.isInteger(cell) || cell < 1 || cell > rows * cols) {
    throw new RangeError(`cell ${cell} does not exist in a ${rows}x${cols} grid (cells are 1..${rows * cols})`);
  }
  const index = cell - 1;
  const row = Math.floor(index / cols);
  const col = index % cols;
  const baseWidth = Math.floor(width / cols);
  const baseHeight = Math.floor(height / rows);
  const left = col * baseWidth;
  const top = row * baseHeight;
  return {
    left,
    top,
    width: col === cols - 1 ? width - left : baseWidth,
    height: row === rows - 1 ? height - top : baseHeight,
  };
}

/**
 * The internal seams: x positions where a new column starts (after the first) and
 * y positions where a new row starts, in the same arithmetic as gridCellRect.
 */
export function gridSeams(width: number, height: number, layout: GridLayout): { xs: number[]; ys: number[] } {
  checkLayout(width, height, layout);
  const baseWidth = Math.floor(width / layout.cols);
  const baseHeight = Math.floor(height / layout.rows);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = 1; c < layout.cols; c++) xs.push(c * baseWidth);
  for (let r = 1; r < layout.rows; r++) ys.push(r * baseHeight);
  return { xs, ys };
}
