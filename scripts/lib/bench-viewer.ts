/**
 * Benchmark of the real viewer (used by scripts/bench.ts): seconds from pressing **Analyze** in the
 * OHIF Spine MRI panel to the per-level table being shown, with onnxruntime-web wasm at a chosen
 * thread count (window.config.spineMri.wasmThreads, injected into the gateway's app-config.js).
 *
 * Environment: the browser tests' one (tests/e2e/env.ts: private Orthanc on a free port, gateway on
 * port 0 serving OHIF + freshly built plugins + models/, Debian Chromium). Series: a real 1 mm
 * NIfTI case thinned to every `sliceStep`-th sagittal slice (scripts/lib/sources.ts thinSlices),
 * like a clinical sagittal T2 of 15–20 slices of 3–4 mm; with `withAxial`, also an axial T2 of the same study and frame
 * of reference (sources.ts niftiAxialReformatSeries: 4 mm slabs of the whole volume), which the analysis reads too.
 * With `reopen`, the last result is saved (SEG + SR) and the study opened again: seconds to the stored findings
 * table and to the stored SEG drawn, which OHIF fetches and decodes after the images.
 */
import { join } from 'node:path';
import { dismissBanner, e2eSkipReason, sharedData, startViewerEnv } from '../../tests/e2e/env';
import { storeInstances } from '../import';
import { niftiAxialReformatSeries, niftiToSeries } from './sources';

export interface ViewerTiming {
  threads: number;
  /** Seconds between the study being shown (Analyze enabled, image drawn) and the click: the reader looking at it. */
  readingSeconds: number;
  /** Seconds from the Analyze click to the levels table, one per repeat. */
  seconds: number[];
  /** The panel's run info line of the last repeat (backend, thread count, model). */
  runInfo: string;
}

export interface ViewerBenchResult {
  series: string;
  /** The study's size in words ('18 sagittal slices', '18 sagittal + 86 axial slices'). */
  size: string;
  rows: ViewerTiming[];
  /** With `reopen`: the result saved to the PACS, then the study opened again, one entry per repeat. */
  reopen?: ReopenTiming[];
}

/** Seconds from opening a study that holds our SR and SEG (page.goto) to what the reader sees. */
export interface ReopenTiming {
  /** The stored findings table ("Findings loaded from the PACS …"). */
  findingsSeconds: number;
  /** The stored SEG drawn ("… segmentation shown from the stored SEG"). */
  segSeconds: number;
}

/** Why the viewer benchmark cannot run here, or undefined. */
export function viewerBenchSkipReason(): string | undefined {
  return e2eSkipReason();
}

/**
 * @param caseRel NIfTI image relative to ../shared/data (e.g. 'segmentation/vb2_02_image.nii.gz').
 * @param threadsList wasm thread counts; repeats are interleaved (1,2,1,2,…) after one untimed warm-up
 *   (model download into Cache Storage, OHIF caches).
 * @param readingSecondsList waits before the click, each with every thread count: with none the click meets the
 *   worker the panel prepared when it opened (analysisClient.ts prepareAnalysis) still loading the models.
 * @param withAxial also store an axial T2 in the study (the panel then measures the dural sac area on it).
 * @param reopen then save the last result to the PACS and time opening the study again `reps` times.
 * @throws Error when the panel shows an error, the levels table does not appear within 10 min, or the save or the
 *   reopened findings fail.
 */
export async function benchViewer(caseRel: string, sliceStep: number, maxSlices: number, threadsList: number[], reps: number, readingSecondsList = [0], withAxial = false, reopen = false): Promise<ViewerBenchResult> {
  const series = niftiToSeries(join(sharedData, caseRel), { sliceStep, maxSlices });
  const axial = withAxial ? niftiAxialReformatSeries(join(sharedData, caseRel), { sliceStep, maxSlices }) : undefined;
  const env = await startViewerEnv();
  try {
    const pacs = { url: env.orthanc.dicomwebUrl, authorization: env.orthanc.authorization };
    await storeInstances(pacs, series.instances, series.source);
    if (axial) await storeInstances(pacs, axial.instances, axial.source);
    const { page } = env;
    let threads = threadsList[0];
    await page.route('**/app-config.js', async (route) => {
      const response = await route.fetch();
      const body = `${await response.text()}\nwindow.config.spineMri.wasmThreads = ${threads};\n`;
      await route.fulfill({ response, body });
    });
    const once = async (t: number, readingSeconds = 0): Promise<{ s: number; info: string }> => {
      threads = t;
      await page.goto(`${env.baseUrl}/spine-mri?StudyInstanceUIDs=${series.studyInstanceUid}`);
      const analyze = page.getByTestId('spine-analyze');
      await analyze.waitFor({ timeout: 120000 });
      await page.waitForFunction(() => !(document.querySelector('[data-testid="spine-analyze"]') as HTMLButtonElement)?.disabled, null, { timeout: 120000 });
      await page.locator('canvas.cornerstone-canvas').first().waitFor({ timeout: 120000 });
      // The axial series is in the choice (its display set may come after Analyze is enabled): the run reads it.
      if (axial) await page.waitForFunction(() => /also shown: axial T2/.test(document.querySelector('[data-testid="spine-series-message"]')?.textContent ?? ''), null, { timeout: 120000 });
      await dismissBanner(page);
      await page.waitForTimeout(1000 * readingSeconds);
      const t0 = performance.now();
      await analyze.click();
      await page.waitForSelector('[data-testid="spine-levels-table"], [data-testid="spine-error"]', { state: 'visible', timeout: 600000 });
      const s = (performance.now() - t0) / 1000;
      if (await page.getByTestId('spine-error').count()) throw new Error(`viewer bench: the panel showed an error: ${await page.getByTestId('spine-error').textContent()}`);
      return { s, info: ((await page.getByTestId('spine-run-info').textContent()) ?? '').trim() };
    };
    await once(threadsList[0]);
    const rows: ViewerTiming[] = readingSecondsList.flatMap((readingSeconds) => threadsList.map((t) => ({ threads: t, readingSeconds, seconds: [], runInfo: '' })));
    for (let r = 0; r < reps; r++) {
      for (const row of rows) {
        const { s, info } = await once(row.threads, row.readingSeconds);
        row.seconds.push(s);
        row.runInfo = info;
      }
    }
    const reopened: ReopenTiming[] = [];
    if (reopen) {
      await page.getByTestId('spine-save').click();
      await page.waitForSelector('[data-testid="spine-save-status"], [data-testid="spine-save-error"]', { timeout: 120000 });
      if (!(await page.getByTestId('spine-save-status').count())) throw new Error(`viewer bench: the save failed: ${await page.getByTestId('spine-save-error').textContent()}`);
      const storedLine = (re: RegExp) => page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), re.source, { timeout: 120000 });
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        await page.goto(`${env.baseUrl}/spine-mri?StudyInstanceUIDs=${series.studyInstanceUid}`);
        await storedLine(/^Findings loaded from the PACS/);
        const findingsSeconds = (performance.now() - t0) / 1000;
        await storedLine(/segmentation shown from the stored SEG/);
        reopened.push({ findingsSeconds, segSeconds: (performance.now() - t0) / 1000 });
      }
    }
    return { series: `${series.seriesDescription} [${series.instances.length} sagittal slices, every ${sliceStep}th of ${caseRel}${axial ? `; with an axial T2 of ${axial.instances.length} slices` : ''}]`,
      size: `${series.instances.length} sagittal${axial ? ` + ${axial.instances.length} axial` : ''} slices`, rows, ...(reopen ? { reopen: reopened } : {}) };
  } finally {
    await env.close();
  }
}
