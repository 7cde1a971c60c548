import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../src/cli/workspace.ts';
import { isPaid, type GridNode, type VideoNode } from '../src/graph/nodes.ts';
import { ConfigSchema } from '../src/plan/config-schema.ts';
import { defaultPrices } from '../src/plan/default-prices.ts';
import { klingEndpoint, videoTiers } from '../src/plan/models.ts';
import { cg, makeProject, testIo } from './helpers/project.ts';

const real = { providers: { image: 'gemini', video: 'fal' } };
const referenceToVideo = 'fal-ai/kling-video/o3/standard/reference-to-video';
const override = { date: '2026-12-01', audioOff: 0.09, audioOn: 0.12 };

async function paidNodes(config: Record<string, unknown>): Promise<Array<GridNode | VideoNode>> {
  const project = await makeProject(config);
  const ws = await openWorkspace(testIo(project), undefined);
  return [...ws.graph.nodes.values()].filter(isPaid);
}

async function dryRun(config: Record<string, unknown>): Promise<{ code: number; stderr: string; totalCostUsd: number; estimates: Map<string, number> }> {
  const run = await cg(await makeProject(config), ['build', '--dry-run', '--json']);
  if (run.code !== 0) return { code: run.code, stderr: run.stderr, totalCostUsd: 0, estimates: new Map() };
  const parsed = JSON.parse(run.stdout) as { totalCostUsd: number; nodes: Array<{ id: string; estimateUsd: number }> };
  return { code: run.code, stderr: run.stderr, totalCostUsd: parsed.totalCostUsd, estimates: new Map(parsed.nodes.map((node) => [node.id, node.estimateUsd])) };
}

/** The one line a refused config prints under the heading. */
const refusal = (line: string): string => `cg: a mistake in the project's files; nothing was run or written:\n  pipeline.config.ts ${line}\n`;

describe('one price table: the config names only the prices it changes', () => {
  it("the demo's dry-run costs what it cost before prices were merged: $7.923 standard, $13.80 pro with audio and 4K grids", async () => {
    expect((await dryRun(real)).totalCostUsd).toBeCloseTo(7.923, 6);
    const pro = await dryRun({ ...real, video: { tier: 'pro', audio: true }, image: { model: 'gemini-3-pro-image-preview', size: '4K' } });
    expect(pro.totalCostUsd).toBeCloseTo(13.8, 6);
  });

  it('a dated entry for one endpoint changes the takes made there only; every other price, and its date, stays the default', async () => {
    const config = { ...real, prices: { video: { [referenceToVideo]: override } } };
    const nodes = await paidNodes(config);
    const { estimates } = await dryRun(config);
    const videos = nodes.filter((node): node is VideoNode => node.kind !== 'grid');
    const grids = nodes.filter((node): node is GridNode => node.kind === 'grid');
    const changed = videos.filter((node) => node.params.endpoint === referenceToVideo);
    const others = videos.filter((node) => node.params.endpoint !== referenceToVideo);
    expect(changed.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(grids.length).toBeGreaterThan(0);
    for (const node of changed) {
      const rate = node.params.audio ? override.audioOn : override.audioOff;
      expect({ id: node.id, rate: node.ratePerSecond, priceDate: node.priceDate }).toEqual({ id: node.id, rate, priceDate: '2026-12-01' });
      expect(estimates.get(node.id)).toBeCloseTo(Number(node.params.duration) * rate, 6);
    }
    for (const node of others) {
      const entry = defaultPrices.video[node.params.endpoint];
      const rate = node.params.audio ? entry?.audioOn : entry?.audioOff;
      expect({ id: node.id, rate: node.ratePerSecond, priceDate: node.priceDate }).toEqual({ id: node.id, rate, priceDate: '2026-11-22' });
      expect(estimates.get(node.id)).toBeCloseTo(Number(node.params.duration) * node.ratePerSecond, 6);
    }
    for (const node of grids) {
      expect({ id: node.id, price: node.unitPriceUsd, priceDate: node.priceDate }).toEqual({ id: node.id, price: 0.039, priceDate: '2026-11-22' });
    }
  });

  it('each node carries the date of the entry its price came from: a grid priced in the config has the config date, the takes the default one', async () => {
    const nodes = await paidNodes({ ...real, prices: { image: { 'gemini-2.5-flash-image': { date: '2026-10-05', '1K': 0.05 } } } });
    const dates = new Set(nodes.map((node) => `${node.kind === 'grid' ? 'grid' : 'video'} ${node.priceDate}`));
    expect([...dates].sort()).toEqual(['grid 2026-10-05', 'video 2026-11-22']);
    expect(nodes.filter((node) => node.kind === 'grid').map((node) => node.estimateUsd)).toEqual([0.05, 0.05, 0.05, 0.05, 0.05]);
  });

  it('a config entry replaces only its own model: the others keep their dated defaults', () => {
    const table = ConfigSchema.parse({ prices: { video: { [referenceToVideo]: override } } }).prices;
    expect(table.video[referenceToVideo]).toEqual(override);
    expect(table.image).toEqual(defaultPrices.image);
    expect(Object.entries(table.video).filter(([endpoint]) => endpoint !== referenceToVideo)).toEqual(Object.entries(defaultPrices.video).filter(([endpoint]) => endpoint !== referenceToVideo));
  });

  it('every endpoint the graph can choose has a default price', () => {
    const endpoints = videoTiers.flatMap((tier) => [klingEndpoint(tier, true, 2), klingEndpoint(tier, true, 0), klingEndpoint(tier, false, 0)]);
    expect(endpoints.filter((endpoint) => defaultPrices.video[endpoint] === undefined)).toEqual([]);
  });

  it('an unknown endpoint or image model in prices exits 2 naming it and listing the ones that can be priced: a typo must not leave the default in force unnoticed', async () => {
    const typo = 'fal-ai/kling-video/o3/standard/reference-to-vdieo';
    const video = await dryRun({ ...real, prices: { video: { [typo]: override } } });
    expect(video.code).toBe(2);
    expect(video.stderr).toBe(
      refusal(
        `prices.video["${typo}"]: unknown field "${typo}"; fields here are: fal-ai/kling-video/o3/standard/reference-to-video, fal-ai/kling-video/o3/standard/image-to-video, fal-ai/kling-video/o3/standard/text-to-video, fal-ai/kling-video/o3/pro/reference-to-video, fal-ai/kling-video/o3/pro/image-to-video, fal-ai/kling-video/o3/pro/text-to-video: remove it or fix its spelling`,
      ),
    );
    const image = await dryRun({ ...real, prices: { image: { 'dall-e-3': { date: '2026-12-01', '1K': 0.04 } } } });
    expect(image.code).toBe(2);
    expect(image.stderr).toBe(refusal('prices.image.dall-e-3: unknown field "dall-e-3"; fields here are: gemini-2.5-flash-image, gemini-3-pro-image-preview: remove it or fix its spelling'));
  });

  it('an entry without its date exits 2 asking for it, and so does a table in the old whole-table shape (one date for all)', async () => {
    const undated = await dryRun({ ...real, prices: { video: { [referenceToVideo]: { audioOff: 0.09, audioOn: 0.12 } } } });
    expect(undated.code).toBe(2);
    expect(undated.stderr).toBe(refusal(`prices.video["${referenceToVideo}"].date: missing required field "date": add it`));
    const oldShape = await dryRun({ ...real, prices: { date: '2026-11-22', image: {} } });
    expect(oldShape.code).toBe(2);
    expect(oldShape.stderr).toBe(refusal('prices.date: unknown field "date"; fields here are: image, video: remove it or fix its spelling'));
  });

  it('an image entry replaces the default whole: pricing only 4K and building at 1K exits 2 naming the missing size', async () => {
    const run = await dryRun({ ...real, image: { model: 'gemini-3-pro-image-preview' }, prices: { image: { 'gemini-3-pro-image-preview': { date: '2026-12-01', '4K': 0.3 } } } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      refusal(
        'prices.image["gemini-3-pro-image-preview"]["1K"]: no price for gemini-3-pro-image-preview at 1K: give prices.image["gemini-3-pro-image-preview"] a dated entry with "1K" in it (an entry replaces the default one whole) so estimates are honest',
      ),
    );
  });
});
