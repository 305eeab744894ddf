/** @jest-environment ./tests/helpers/ort-node-environment.cjs */
/**
 * The same pipeline code in the browser: extension/src/pipeline (bundled by esbuild) with
 * onnxruntime-web wasm in headless Debian Chromium, on a cross-origin-isolated page (2 wasm
 * threads), must give the same class labelmap as onnxruntime-node for the tiny random-weights
 * fixture model on a synthetic sagittal volume. Also checks backend choice (wasm when the WebGPU
 * adapter is absent or a fallback) and the checksum error in the browser.
 * Skips with a message when /usr/bin/chromium is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { createNodeBackend, parseModelManifest, type OrtModule } from '../../extension/src/pipeline/model';
import { segmentClasses } from '../../extension/src/pipeline/segment';
import type { SpineVolume } from '../../extension/src/pipeline/volume';
import { CHROMIUM_ARGS, startCoiServer, type CoiServer } from '../../scripts/lib/coi-server';

const root = resolve(__dirname, '../..');
const fixture = resolve(root, 'tests/fixtures/tiny-random-model');
const haveChromium = existsSync('/usr/bin/chromium');
if (!haveChromium) console.warn('skipping browser pipeline test: /usr/bin/chromium is absent');
const d = haveChromium ? describe : describe.skip;

const DIMS: [number, number, number] = [45, 70, 3];
const SPACING: [number, number, number] = [1.1, 0.9, 4];
/** Deterministic voxel values (the same formula runs in Node and, via the array, in the page). */
const voxels = Float32Array.from({ length: DIMS[0] * DIMS[1] * DIMS[2] }, (_, p) => (Math.sin(p * 0.37) + 1) * 100 + (p % 45));

const ENTRY = `
export { parseModelManifest, verifyModelBytes, createBrowserBackend } from './extension/src/pipeline/model';
export { segmentClasses } from './extension/src/pipeline/segment';
`;

const page = (ortFile: string) => `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from '/ort/${ortFile}';
import * as p from '/pipeline.mjs';
window.runPipeline = async ({ voxels, dims, spacingMm, threads, corrupt, prefer }) => {
  const manifest = p.parseModelManifest(await (await fetch('/manifest.json')).text());
  const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
  if (corrupt) bytes[50] ^= 1;
  try { await p.verifyModelBytes(bytes, manifest); } catch (e) { return { error: e.message }; }
  const backend = await p.createBrowserBackend(ort, bytes, manifest, { gpu: navigator.gpu, numThreads: threads, wasmPaths: '/ort/', prefer });
  const volume = { voxels: Float32Array.from(voxels), dims, spacingMm, originLps: [0, 0, 0], rowDirection: [0, 1, 0],
    columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0], studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [] };
  const stages = [];
  const lm = await p.segmentClasses(volume, backend, manifest, { onProgress: (s, d, t) => stages.push(s + ' ' + d + '/' + t) });
  const ramp = new Float32Array(32 * 48).map((_, i) => (i % 97) / 97);
  const logits = Array.from(await backend.run(ramp, 32, 48));
  return { backend: backend.name, values: Array.from(lm.values), logits, stages, crossOriginIsolated: self.crossOriginIsolated };
};
window.ready = true;
</script>`;

d('pipeline in headless Chromium with onnxruntime-web', () => {
  let server: CoiServer;
  let browser: BrowserContext;
  let webgpuBrowser: BrowserContext;
  let userDataDir: string;
  let webgpuUserDataDir: string;

  beforeAll(async () => {
    const bundle = await build({ stdin: { contents: ENTRY, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser', write: false });
    server = await startCoiServer(
      {
        '/': { type: 'html', body: page('ort.wasm.min.mjs') },
        '/webgpu': { type: 'html', body: page('ort.webgpu.min.mjs') },
        '/pipeline.mjs': { type: 'text/javascript', body: bundle.outputFiles[0].text },
        '/manifest.json': { file: resolve(fixture, 'manifest.json') },
        '/model.onnx': { file: resolve(fixture, 'tiny-random-unet.onnx') },
      },
      root,
    );
    userDataDir = mkdtempSync(join(tmpdir(), 'spine-pipeline-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    // WebGPU: headless Chromium exposes only a software (SwiftShader, fallback) adapter here.
    webgpuUserDataDir = mkdtempSync(join(tmpdir(), 'spine-pipeline-chromium-webgpu-'));
    webgpuBrowser = await chromium.launchPersistentContext(webgpuUserDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await webgpuBrowser?.close();
    await server?.close();
    for (const dir of [userDataDir, webgpuUserDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function inPage(args: Record<string, unknown>, ctx = browser, path = '/'): Promise<any> {
    const page = await ctx.newPage();
    try {
      await page.goto(`${server.url}${path}`);
      await page.waitForFunction('window.ready === true');
      return await page.evaluate((a) => (window as any).runPipeline(a), args);
    } finally {
      await page.close();
    }
  }

  it('gives the same class labelmap as onnxruntime-node, on wasm with 2 threads', async () => {
    const r = await inPage({ voxels: Array.from(voxels), dims: DIMS, spacingMm: SPACING, threads: 2 });
    expect(r.error).toBeUndefined();
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.backend).toBe('onnxruntime-web wasm (2 threads)');
    expect(r.stages).toEqual(['preprocess 1/1', 'inference 1/3', 'inference 2/3', 'inference 3/3']);

    const manifest = parseModelManifest(readFileSync(resolve(fixture, 'manifest.json'), 'utf8'));
    const backend = await createNodeBackend(ort as unknown as OrtModule, new Uint8Array(readFileSync(resolve(fixture, 'tiny-random-unet.onnx'))), manifest, 1);
    const volume: SpineVolume = {
      voxels, dims: DIMS, spacingMm: SPACING, originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
      studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [],
    };
    const node = await segmentClasses(volume, backend, manifest);
    const ramp = new Float32Array(32 * 48).map((_, i) => (i % 97) / 97);
    const logits = await backend.run(ramp, 32, 48);
    await backend.release();
    // Raw network output agrees between onnxruntime-web wasm and onnxruntime-node.
    expect(r.logits).toHaveLength(logits.length);
    let maxDiff = 0;
    for (let p = 0; p < logits.length; p++) maxDiff = Math.max(maxDiff, Math.abs(r.logits[p] - logits[p]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(r.values).toHaveLength(node.values.length);
    let same = 0;
    for (let p = 0; p < node.values.length; p++) if (r.values[p] === node.values[p]) same++;
    expect(same / node.values.length).toBeGreaterThan(0.999);
  });

  async function nodeLogits(): Promise<Float32Array> {
    const manifest = parseModelManifest(readFileSync(resolve(fixture, 'manifest.json'), 'utf8'));
    const backend = await createNodeBackend(ort as unknown as OrtModule, new Uint8Array(readFileSync(resolve(fixture, 'tiny-random-unet.onnx'))), manifest, 1);
    const logits = await backend.run(new Float32Array(32 * 48).map((_, i) => (i % 97) / 97), 32, 48);
    await backend.release();
    return logits;
  }

  it('WebGPU: a fallback (software) adapter is not chosen by default; forced, it computes the same logits', async () => {
    const args = { voxels: Array.from(voxels), dims: DIMS, spacingMm: SPACING, threads: 1 };
    const auto = await inPage(args, webgpuBrowser, '/webgpu');
    expect(auto.backend).toBe('onnxruntime-web wasm (1 thread)');
    const forced = await inPage({ ...args, prefer: 'webgpu' }, webgpuBrowser, '/webgpu');
    expect(forced.backend).toBe('onnxruntime-web webgpu');
    const ref = await nodeLogits();
    let maxDiff = 0;
    for (let p = 0; p < ref.length; p++) maxDiff = Math.max(maxDiff, Math.abs(forced.logits[p] - ref[p]));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('refuses a corrupted model with the checksum message', async () => {
    const r = await inPage({ voxels: [], dims: DIMS, spacingMm: SPACING, threads: 1, corrupt: true });
    expect(r.error).toMatch(/^Model file tiny-random-unet.onnx failed its checksum: expected [0-9a-f]{64}, got [0-9a-f]{64} — the download is corrupt/);
  });
});
