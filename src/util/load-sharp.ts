import type sharpModule from 'sharp';

export type Sharp = typeof sharpModule;

/** sharp, loaded on first use: start-up stays fast on paths that draw nothing (a no-op build). */
export async function loadSharp(): Promise<Sharp> {
  const { default: sharp } = await import('sharp');
  return sharp;
}
