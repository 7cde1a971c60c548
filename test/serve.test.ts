import { request } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { BuiltIndex } from '../src/cache/built-index.ts';
import { serveCommand } from '../src/cli/commands/serve.ts';
import { startFakeProviders } from './fakes/server.ts';
import { cg, makeProject, repoRoot, spawnCg, testIo, type TestProject } from './helpers/project.ts';

const artifacts = join(repoRoot, 'test', 'artifacts');
let browser: Browser;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});
afterAll(() => browser.close());

interface Served {
  url: string;
  origin: string;
  token: string;
  printed: () => string;
}

/** `cg serve --port 0` in this process, stopped when the test ends. */
async function serve(project: TestProject, options: { env?: Record<string, string>; maxCost?: number } = {}): Promise<Served> {
  const stop = new AbortController();
  let out = '';
  let found: (url: string) => void = () => undefined;
  const printedUrl = new Promise<string>((resolve) => (found = resolve));
  const io = { ...testIo(project, { signal: stop.signal, env: options.env ?? {} }), stdout: { write: (text: string) => {
    out += text;
    const url = /http:\/\/\S+/.exec(out)?.[0];
    if (url !== undefined) found(url);
  } } };
  const exited = serveCommand(io, { project: undefined, port: 0, open: false, maxCost: options.maxCost });
  onTestFinished(async () => {
    stop.abort();
    await exited;
  });
  const url = await Promise.race([printedUrl, exited.then(() => Promise.reject(new Error(`cg serve ended: ${out}`)))]);
  const parsed = new URL(url);
  return { url, origin: parsed.origin, token: parsed.searchParams.get('token') ?? '', printed: () => out };
}

async function openPage(served: Served, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  onTestFinished(() => page.close());
  await page.goto(`${served.url}${hash}`);
  return page;
}

/** A request sent exactly as written: fetch would normalise `..` away before it left. */
function rawGet(served: Served, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(served.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, headers }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

async function builtDemo(config: Record<string, unknown> = {}, options: { song?: boolean } = {}): Promise<TestProject> {
  const project = await makeProject(config, options);
  expect((await cg(project, ['build'])).code).toBe(0);
  return project;
}

/** A machine busy with the whole suite answers slower than expect.poll's default second. */
const patiently = { timeout: 30_000, interval: 50 };

const lastLine = (page: Page): Promise<string> => page.locator('#live').innerText();

/** Waits until an image has drawn (a screenshot taken before shows an empty box). */
async function loaded(page: Page, selector: string): Promise<void> {
  await expect.poll(() => page.locator(selector).evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), patiently).toBe(true);
}

describe('cg serve: the review console', () => {
  it("shows the demo's 12 sequences as cards in song order at their time positions, with the footer's money", async () => {
    const project = await builtDemo();
    const page = await openPage(await serve(project));
    const cards = page.locator('[data-card]');
    await expect.poll(() => cards.count(), patiently).toBe(12);
    const placed = await cards.evaluateAll((all) =>
      all.map((element) => {
        const card = element as unknown as { dataset: Record<string, string>; offsetLeft: number };
        return { id: card.dataset['id'], left: card.offsetLeft, start: Number(card.dataset['start']) };
      }),
    );
    expect(placed.map((card) => card.id)).toEqual(Array.from({ length: 12 }, (_, i) => `SEQ${String(i + 1).padStart(2, '0')}`));
    // 0:16 into the song is 16 s along the same scale as 1:50 is 110 s.
    expect(placed.map((card) => card.start)).toEqual([0, 16, 34, 50, 62, 80, 98, 110, 128, 150, 166, 188]);
    const scale = (placed[7]?.left ?? 0) / 110;
    for (const card of placed) expect(card.left).toBeCloseTo(card.start * scale, 0);
    await expect.poll(() => page.locator('[data-id="SEQ01"]').innerText(), patiently).toContain('next: pick a grid cell');
    expect(await page.locator('[data-id="SEQ02"]').innerText()).toMatch(/1 take · spent \$0\.00/);
    expect(await page.locator('#spent').innerText()).toBe('$0.00');
    expect(await page.locator('#remaining').innerText()).toMatch(/^\$\d+\.\d\d$/);
    for (const id of ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05', 'SEQ06', 'SEQ07', 'SEQ08']) await loaded(page, `[data-id="${id}"] img`);
    await page.screenshot({ path: join(artifacts, 'board.png') });

    // The keyboard moves along the board and opens a card.
    await page.locator('[data-id="SEQ01"]').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-id")')).toBe('SEQ03');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.take');
    expect(new URL(page.url()).hash).toBe('#/dailies/SEQ02');
  });

  it('plays the cut above the board with the song; its playhead marks the card under it', async () => {
    const project = await builtDemo({}, { song: true }); // cg build makes the cut too
    const page = await openPage(await serve(project));
    await expect.poll(() => page.locator('[data-card]').count(), patiently).toBe(12);
    const cut = page.locator('video#cut');
    await expect.poll(() => cut.evaluate((video) => (video as unknown as { currentSrc: string }).currentSrc), patiently).toContain('/files/cut/Afterglow_Avenue_official_music_video_cut001.mp4');
    await expect.poll(() => cut.evaluate((video) => Math.round((video as unknown as { duration: number }).duration)), patiently).toBe(204);
    // 0:40 is inside SEQ03's slot (0:34–0:50).
    await cut.evaluate((video) => void ((video as unknown as { currentTime: number }).currentTime = 40));
    await expect.poll(() => page.locator('[data-card].playing').getAttribute('data-id'), patiently).toBe('SEQ03');
    await page.screenshot({ path: join(artifacts, 'board-with-cut.png') });
  });

  it('approves and rejects (with a note) in Dailies as cg approve and cg reject do; cg status agrees at once', async () => {
    const project = await builtDemo();
    const page = await openPage(await serve(project), '#/dailies/SEQ04');
    await page.waitForSelector('.take');
    await page.keyboard.press('a');
    await expect.poll(() => lastLine(page), patiently).toBe('SEQ04: approved SEQ04_take001.');
    const status = JSON.parse((await cg(project, ['status', 'SEQ04', '--json'])).stdout) as { sequences: Array<{ state: string; approvedTake: string | null }> };
    expect(status.sequences[0]).toMatchObject({ state: 'approved', approvedTake: 'SEQ04_take001' });
    await expect.poll(() => page.locator('#state').innerText(), patiently).toBe('approved');
    await page.screenshot({ path: join(artifacts, 'dailies.png') });

    await page.keyboard.press('r');
    await page.locator('#note-text').fill('the skyline flickers in shot 2');
    await page.locator('#note button[value="ok"]').click();
    await expect.poll(() => lastLine(page), patiently).toBe('SEQ04: rejected SEQ04_take001.');
    await expect.poll(() => page.locator('.take .note').innerText(), patiently).toBe('Note: the skyline flickers in shot 2');
    const decisions = await project.readJson<{ sequences: Record<string, unknown> }>('decisions.json');
    expect(decisions.sequences['SEQ04']).toEqual({ rejected: ['SEQ04_take001'], notes: { SEQ04_take001: 'the skyline flickers in shot 2' } });
    expect((await cg(project, ['status', 'SEQ04'])).stdout).toMatch(/SEQ04 +pre-chorus 0:50–1:02 +review/);
  });

  it("writes a take's shot back into plan.json with \"use this shot's prompt\", as cg takes --use does", async () => {
    const project = await builtDemo();
    const original = await project.read('plan.json');
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences.find((s) => s.id === 'SEQ06')?.shots[1];
      if (shot !== undefined) shot.prompt = `${shot.prompt} Neon rain falls harder.`;
    });
    expect((await cg(project, ['build', 'SEQ06'])).code).toBe(0);
    const page = await openPage(await serve(project), '#/dailies/SEQ06');
    await expect.poll(() => page.locator('.take').count(), patiently).toBe(2);
    // The newest take is first; its shot 2 shows the words added since take001.
    expect(await page.locator('.take').first().locator('ins').innerText()).toContain('Neon rain falls harder.');
    await page.locator('.take[data-take="SEQ06_take001"] [data-use="2"]').click();
    await expect.poll(() => lastLine(page), patiently).toBe('SEQ06: wrote shot 2 of SEQ06_take001 into projects/demo/plan.json (changed: shot 2 prompt).');
    expect(JSON.parse(await project.read('plan.json'))).toEqual(JSON.parse(original));
  });

  it('picks grid cell 2 on the page: the start frame is the same bytes as cg pick SEQ01 --cell 2 makes', async () => {
    const [onPage, inTerminal] = await Promise.all([builtDemo(), builtDemo()]);
    const page = await openPage(await serve(onPage), '#/grid/SEQ01');
    await page.locator('.cell[data-cell="2"]').click();
    await page.waitForSelector('#frame');
    expect(await page.locator('#state').innerText()).toBe('start frame approved');
    await loaded(page, '#frame');
    await page.screenshot({ path: join(artifacts, 'grid-review.png') });

    expect((await cg(inTerminal, ['pick', 'SEQ01', '--cell', '2'])).code).toBe(0);
    expect((await cg(inTerminal, ['build', 'SEQ01:frame'])).code).toBe(0);
    const frameOf = async (project: TestProject): Promise<Buffer> => {
      const built = await new BuiltIndex(project.path('.cg', 'built.jsonl')).get('SEQ01:frame');
      return readFile(project.path(built?.output ?? 'missing'));
    };
    expect((await frameOf(onPage)).equals(await frameOf(inTerminal))).toBe(true);
    expect(await onPage.readJson('decisions.json')).toMatchObject({ sequences: { SEQ01: { pick: { cell: 2 } } } });
  });

  it('shows a take that cg build in another process is making, then finished, without a reload', async () => {
    const project = await builtDemo();
    // From here the sim provider takes its time, as a real one does: long enough to see the take running.
    await writeFile(join(project.root, 'pipeline.config.ts'), `export default ${JSON.stringify({ defaultProject: 'demo', sim: { latencyMs: 1500 } })};\n`);
    const page = await openPage(await serve(project), '#/dailies/SEQ04');
    await expect.poll(() => page.locator('.take').count(), patiently).toBe(1);
    await page.evaluate('window.stayed = true');
    const build = spawnCg(project, ['build', 'SEQ04', '--retake']);
    await page.waitForSelector('.bar .running');
    expect(await page.locator('.bar .running').innerText()).toMatch(/^SEQ04_take002: starting, \d+:\d\d elapsed$/);
    expect((await build.done).code).toBe(0);
    await expect.poll(() => page.locator('.take').count(), patiently).toBe(2);
    expect(await page.locator('.take').first().getAttribute('data-take')).toBe('SEQ04_take002');
    expect(await page.evaluate('window.stayed')).toBe(true);
  });

  it('refuses requests without the token, paths out of the project and other sites, and listens on 127.0.0.1 only', async () => {
    const project = await builtDemo();
    const served = await serve(project);
    const bare = (path: string) => rawGet(served, path);
    const withToken = (path: string, headers: Record<string, string> = {}) => rawGet(served, `${path}${path.includes('?') ? '&' : '?'}token=${served.token}`, headers);
    for (const path of ['/', '/api/board', '/files/takes/SEQ02/SEQ02_take001.mp4', '/api/events']) expect((await bare(path)).status).toBe(401);
    expect((await rawGet(served, '/api/board?token=wrong')).status).toBe(401);
    expect((await withToken('/files/takes/SEQ02/SEQ02_take001.mp4')).status).toBe(200);
    for (const path of ['/files/takes/../plan.json', '/files/takes/../../../pipeline.config.ts', '/files/takes/%2e%2e/plan.json', '/files/takes/%2E%2E/%2e%2e/pipeline.config.ts', '/files/takes%2f..%2f.env', '/poster/takes/../bible.json']) {
      expect((await withToken(path)).status, path).toBe(403);
    }
    expect((await withToken('/files/decisions.json')).status).toBe(403); // only takes and cuts are served
    const foreign = await withToken('/api/board', { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await withToken('/api/board', { host: 'evil.example' })).status).toBe(403);
    const own = await withToken('/api/board', { origin: served.origin });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();

    expect(new URL(served.origin).hostname).toBe('127.0.0.1');
    const port = Number(new URL(served.origin).port);
    const outward = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((i) => !i.internal && i.family === 'IPv4');
    for (const address of outward) {
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({ host: address.address, port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused, address.address).toBe('ECONNREFUSED');
    }
  });

  it('builds from the page only after the price is confirmed: the fal fake counts no submission before', async () => {
    // Jobs wait in the fake's queue for 200 status polls (about two seconds), their position counting down.
    const fake = await startFakeProviders({ jobPolls: 200 });
    onTestFinished(() => fake.close());
    const env = { ...fake.env, FAL_KEY: 'fal-secret-key-0123456789', GEMINI_API_KEY: 'gemini-secret-key-9876543210' };
    const project = await makeProject({ providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 10 } });
    const submitted = (): number => Object.values(fake.counts().falSubmits).reduce((a, b) => a + b, 0);
    const served = await serve(project, { env, maxCost: 2 });
    const page = await openPage(served, '#/dailies/SEQ02');
    await page.waitForSelector('[data-build="build"]');

    await page.locator('[data-build="build"]').click();
    await page.waitForSelector('#confirm[open]');
    expect(await page.locator('#price').innerText()).toBe('Price: $1.26 at real prices; charged now: $1.26.');
    expect(await page.locator('#confirm-body').innerText()).toContain('This console may spend $2.00 more');
    await page.locator('#confirm button[value="cancel"]').click();
    await expect.poll(() => lastLine(page), patiently).toBe('Nothing was built.');
    expect(submitted()).toBe(0);

    await page.locator('[data-build="build"]').click();
    await page.waitForSelector('#confirm[open]');
    expect(submitted()).toBe(0);
    await page.locator('#confirm-ok').click();
    // The running take, as the journal has it: its place in fal's queue and the time since it started.
    await expect.poll(() => page.locator('.bar .running').first().innerText(), patiently).toMatch(/^SEQ02_take001: queued at position \d+, \d+:\d\d elapsed$/);
    await expect.poll(() => lastLine(page), patiently).toBe('built SEQ02; spent $1.26');
    expect(submitted()).toBe(1);
    await expect.poll(() => page.locator('.take video').count(), patiently).toBe(1); // an .mp4 take plays in a <video>
    expect(await page.locator('.take').count()).toBe(1);

    // A retake would pass what --max-cost 2 leaves ($0.74): refused before anything is sent.
    const retake = await page.evaluate(async (token) => {
      const response = await fetch('/api/sequences/SEQ02/build', { method: 'POST', headers: { 'content-type': 'application/json', 'x-cg-token': token }, body: JSON.stringify({ retake: true, confirmedUsd: 1.26 }) });
      return { status: response.status, body: (await response.json()) as { error: string } };
    }, served.token);
    expect(retake).toEqual({ status: 400, body: { error: 'this build is estimated at $1.26, above --max-cost $0.74; nothing was submitted (build fewer sequences, or raise --max-cost)' } });
    expect(submitted()).toBe(1);
  });
});
