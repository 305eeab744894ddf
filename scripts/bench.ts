/**
 * npm run bench — inference speed of the segmentation model (a benchmark, not a test).
 *
 * Prints the ONNX size and the median time per sagittal slice and per series (15 slices by default)
 * for onnxruntime-node (CPU, 1 and 2 threads) and onnxruntime-web wasm in headless Debian Chromium
 * (1 and 2 threads), all in one run. The browser page is served by a local express server with
 * COOP/COEP headers (scripts/lib/coi-server.ts; crossOriginIsolated must be true for wasm threads).
 *
 * Slice size: a lumbar sagittal field of view (--fov-mm, default 300 mm square) at the manifest's
 * pixel spacing, padded to its size multiple — what segment.ts feeds the network. When
 * ../shared/data is present, also the whole pipeline on one real volume (vb3_08) with onnxruntime-node (and the level
 * names' second count on a sagittal T1, the volume standing in for its own T1),
 * and the real viewer: seconds from pressing Analyze in OHIF (private Orthanc + gateway + Chromium,
 * scripts/lib/bench-viewer.ts) to the per-level table, on vb2_02 thinned to every 4th of its 75
 * 1 mm sagittal slices (18 slices of 4 mm), wasm 1 vs 2 threads, clicked at once and after 5 s on the study (the
 * panel loads the models when it opens), median of --viewer-reps; then the same study with an axial T2 (a 4 mm
 * reformat of the whole volume, same frame of reference), whose images the analysis reads as well (2 threads), then
 * that result saved and the study opened again: seconds to the stored findings table and to the stored SEG drawn.
 *
 *   npm run bench -- [--model models/manifest.json] [--reps 10] [--slices 15] [--no-browser] [--viewer-reps 5] [--no-viewer]
 */
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { CHROMIUM_ARGS, startCoiServer } from './lib/coi-server';
import { chromium } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import { checkNamesOn, slabThrough } from '../extension/src/pipeline/level-crosscheck';
import { readNiftiVolume } from './lib/nifti';
import { benchViewer, viewerBenchSkipReason, type ViewerBenchResult } from './lib/bench-viewer';
import { createNodeBackend, parseModelManifest, verifyModelBytes, type ModelManifest, type OrtModule } from '../extension/src/pipeline/model';

const FIXTURE = 'tests/fixtures/tiny-random-model/manifest.json';

interface Timing {
  backend: string;
  perSliceMs: number;
  perSeriesMs: number;
  note?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function benchNode(bytes: Uint8Array, m: ModelManifest, threads: number, h: number, w: number, reps: number, slices: number): Promise<Timing> {
  const backend = await createNodeBackend(ort as unknown as OrtModule, bytes, m, threads);
  const x = Float32Array.from({ length: h * w }, () => Math.random());
  for (let i = 0; i < 2; i++) await backend.run(x, h, w);
  const per: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await backend.run(x, h, w);
    per.push(performance.now() - t);
  }
  const series: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (let s = 0; s < slices; s++) await backend.run(x, h, w);
    series.push(performance.now() - t);
  }
  await backend.release();
  return { backend: backend.name, perSliceMs: median(per), perSeriesMs: median(series) };
}

/** The browser page: plain JS module using onnxruntime-web's wasm build, exposes window.bench(). */
const PAGE = `<!doctype html><meta charset="utf-8"><title>spine bench</title>
<script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
window.bench = async ({ threads, h, w, reps, slices, inputName }) => {
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = threads;
  const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const x = new Float32Array(h * w).map(() => Math.random());
  const run = () => session.run({ [inputName]: new ort.Tensor('float32', x, [1, 1, h, w]) });
  for (let i = 0; i < 2; i++) await run();
  const per = [];
  for (let i = 0; i < reps; i++) { const t = performance.now(); await run(); per.push(performance.now() - t); }
  const series = [];
  for (let r = 0; r < 3; r++) { const t = performance.now(); for (let s = 0; s < slices; s++) await run(); series.push(performance.now() - t); }
  return { per, series, crossOriginIsolated: self.crossOriginIsolated, numThreads: ort.env.wasm.numThreads };
};
window.benchReady = true;
</script>`;

async function benchBrowser(modelPath: string, m: ModelManifest, threadsList: number[], h: number, w: number, reps: number, slices: number): Promise<Timing[]> {
  const server = await startCoiServer({ '/model.onnx': { file: modelPath }, '/': { type: 'html', body: PAGE } });
  const userDataDir = mkdtempSync(join(tmpdir(), 'spine-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const out: Timing[] = [];
  try {
    for (const threads of threadsList) {
      const page = await browser.newPage(); // fresh page: wasm thread count is fixed at first session
      await page.goto(`${server.url}/`);
      await page.waitForFunction('window.benchReady === true');
      const r = (await page.evaluate(
        (args) => (window as unknown as { bench: (a: unknown) => Promise<unknown> }).bench(args),
        { threads, h, w, reps, slices, inputName: m.input.name },
      )) as { per: number[]; series: number[]; crossOriginIsolated: boolean; numThreads: number };
      out.push({
        backend: `onnxruntime-web wasm (${r.numThreads} thread${r.numThreads === 1 ? '' : 's'}), Chromium ${browser.browser()?.version() ?? ''}`.trim(),
        perSliceMs: median(r.per),
        perSeriesMs: median(r.series),
        note: r.crossOriginIsolated ? undefined : 'page NOT crossOriginIsolated: threads fall back to 1',
      });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('bench')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--reps <n>', 'timed single-slice runs per backend', '10')
    .option('--slices <n>', 'slices per series', '15')
    .option('--fov-mm <mm>', 'square sagittal field of view to size the slice', '300')
    .option('--no-browser', 'skip onnxruntime-web in Chromium (also the viewer)')
    .option('--viewer-reps <n>', 'timed Analyze runs per thread count in the real viewer', '5')
    .option('--no-viewer', 'skip the Analyze-to-levels-table timing in the real OHIF viewer')
    .parse()
    .opts<{ model: string; reps: string; slices: string; fovMm: string; browser: boolean; viewerReps: string; viewer: boolean }>();
  let manifestPath = resolve(o.model);
  if (!existsSync(manifestPath)) {
    console.log(`note: ${o.model} not found — benchmarking the random-weights test fixture ${FIXTURE} instead`);
    manifestPath = resolve(FIXTURE);
  }
  const m = parseModelManifest(readFileSync(manifestPath, 'utf8'));
  const modelPath = resolve(dirname(manifestPath), m.file);
  const bytes = new Uint8Array(readFileSync(modelPath));
  await verifyModelBytes(bytes, m);
  const mult = m.input.sizeMultipleOf;
  const fov = Number(o.fovMm);
  const h = Math.ceil(Math.round(fov / m.input.pixelSpacingMm[0]) / mult) * mult;
  const w = Math.ceil(Math.round(fov / m.input.pixelSpacingMm[1]) / mult) * mult;
  const reps = Number(o.reps);
  const slices = Number(o.slices);
  console.log(`model ${m.name} ${m.version}: ${m.file}, ${(bytes.length / 1024 / 1024).toFixed(2)} MiB (${bytes.length} bytes)`);
  if (m.pfirrmann) console.log(`disc classifier ${m.pfirrmann.version}: ${m.pfirrmann.file}, ${((m.pfirrmann.bytes ?? 0) / 1024 / 1024).toFixed(2)} MiB (also downloaded by the viewer; its few patches per study take milliseconds)`);
  console.log(`slice input [1,1,${h},${w}] (${fov} mm FOV at ${m.input.pixelSpacingMm.join('×')} mm), median of ${reps} runs per slice, median of 3 series of ${slices} slices`);
  const rows: Timing[] = [];
  for (const t of [1, 2]) rows.push(await benchNode(bytes, m, t, h, w, reps, slices));
  if (o.browser) {
    if (!existsSync('/usr/bin/chromium')) console.log('note: /usr/bin/chromium not found — skipping onnxruntime-web');
    else rows.push(...(await benchBrowser(modelPath, m, [1, 2], h, w, reps, slices)));
  }
  const realCase = resolve('../shared/data/segmentation/vb3_08_image.nii.gz');
  let pipelineLine: string | undefined;
  if (existsSync(realCase)) {
    const volume = readNiftiVolume(realCase);
    const backend = await createNodeBackend(ort as unknown as OrtModule, bytes, m, 2);
    const t = performance.now();
    const r = await segmentSpine(volume, backend, m);
    const s = (performance.now() - t) / 1000;
    // The level names' second count on a sagittal T1 of the same frame (level-crosscheck.ts): the volume stands in
    // for its own T1, so this times the slab's inference and the matching, not a T1's contrast.
    const frame = { ...volume, frameOfReferenceUid: volume.frameOfReferenceUid || 'bench-frame' };
    const t1 = performance.now();
    await checkNamesOn({ ...frame, role: 'sagittal_t1' }, frame, r.segments, r.levelNaming, backend, m);
    const s1 = (performance.now() - t1) / 1000;
    await backend.release();
    pipelineLine = `whole pipeline (segmentSpine: preprocess, ${volume.dims[2]} slices, components, level naming) on vb3_08 [${volume.dims.join('×')}] with ${backend.name}: ${s.toFixed(2)} s, ${r.segments.length} segments; `
      + `level names counted again on a sagittal T1 (checkNamesOn, the volume as its own T1: ${slabThrough(frame, r.segments)?.dims[2] ?? 0} slices of the 1 mm volume within 5 mm of the discs): ${s1.toFixed(2)} s more`;
  }
  const lines = [['backend', 'ms/slice', `ms/${slices}-slice series`], ...rows.map((r) => [r.backend + (r.note ? ` [${r.note}]` : ''), r.perSliceMs.toFixed(1), r.perSeriesMs.toFixed(0)])];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((x, i) => (i ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  '));
  if (pipelineLine) console.log(pipelineLine);
  if (o.browser && o.viewer) await printViewerBench(manifestPath, Number(o.viewerReps));
}

/** Analyze → per-level table in the real viewer, wasm 1 vs 2 threads (needs ../shared/data and models/). */
async function printViewerBench(manifestPath: string, reps: number): Promise<void> {
  const skip = viewerBenchSkipReason() ?? (manifestPath === resolve('models/manifest.json') ? undefined : 'models/manifest.json is absent (the levels table needs the trained model)');
  if (skip) {
    console.log(`viewer (Analyze → levels table): skipped — ${skip}`);
    return;
  }
  console.log(`\nviewer: OHIF + Orthanc + gateway in headless Chromium; time from the Analyze click to the per-level table (reading the series from OHIF's cache, wasm inference in the worker, levels, grading), median of ${reps} after 1 warm-up; clicked as soon as the study is shown, or after 5 s on it (the panel has loaded the models by then)`);
  printViewerTable(await benchViewer('segmentation/vb2_02_image.nii.gz', 4, 18, [1, 2], reps, [0, 5]));
  // A study as acquired clinically holds an axial T2 too, whose images the analysis reads from the PACS as well.
  // Then saved, and opened again as a reader opens a study analysed and stored beforehand (analyze:pacs).
  printViewerTable(await benchViewer('segmentation/vb2_02_image.nii.gz', 4, 18, [2], reps, [0, 5], true, true));
}

function printViewerTable(r: ViewerBenchResult): void {
  console.log(`series: ${r.series}`);
  const lines = [['series size', 'wasm threads', 'clicked after', `n`, 'median s', 'all s', 'panel run info'], ...r.rows.map((x) => [r.size, String(x.threads), `${x.readingSeconds} s`, String(x.seconds.length), median(x.seconds).toFixed(1), x.seconds.map((s) => s.toFixed(1)).join(' '), x.runInfo])];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((x, i) => x.padEnd(widths[i])).join('  '));
  if (r.reopen?.length) {
    const s = (xs: number[]) => `median ${median(xs).toFixed(1)} s (${xs.map((x) => x.toFixed(1)).join(' ')})`;
    console.log(`saved, then opened again (${r.reopen.length}×): stored findings table ${s(r.reopen.map((x) => x.findingsSeconds))}, stored SEG drawn ${s(r.reopen.map((x) => x.segSeconds))} after the page was opened`);
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
