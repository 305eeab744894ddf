/**
 * Main-thread side of the analysis: reads the chosen series from OHIF's cache, runs the worker,
 * reports progress, supports cancel.
 */
import type { DisplaySet } from '../../../types/ohif';
import type { SourceSeriesRef } from '../pipeline/report';
import { withPixelSpacing, type SeriesRole, type SpineVolume } from '../pipeline/volume';
import type { AnalysisResult, AnalysisStage, FromWorker, ModelRequest, ReaderOutlines, ToWorker } from './analysisProtocol';
import { getSpineMriConfig } from './context';
import { readDisplaySetSlices, readDisplaySetVolume } from './readVolume';
import type { AxialSlice } from '../pipeline/axial-canal';

/** A finished analysis as the viewer keeps it. */
export type ViewerAnalysis = AnalysisResult & {
  /** Display-set imageIds in labelmap slice order. */
  imageIds: string[];
  /** Geometry and identity of the analysed series (voxels emptied: they went to the worker). */
  sourceVolume: SpineVolume;
  /** Wall time from pressing Analyze to the result (reading images, model, segmentation, report), seconds. */
  totalSeconds: number;
};

export interface AnalysisRun {
  promise: Promise<ViewerAnalysis>;
  cancel(): void;
}

/** A new analysis worker, from its bundle next to extension.mjs (both in /plugins/). */
function newAnalysisWorker(): Worker {
  return new Worker(new URL('./analysis-worker.mjs', import.meta.url), { type: 'module', name: 'spine-mri-analysis' });
}

function modelRequest(): ModelRequest {
  const cfg = getSpineMriConfig();
  return { modelBaseUrl: cfg.modelBaseUrl, ortBaseUrl: cfg.ortBaseUrl, numThreads: cfg.wasmThreads };
}

/** A worker loading the models ahead of the next Analyze (prepareAnalysis), taken by startAnalysis. */
let prepared: Worker | undefined;

/**
 * Starts the next analysis' worker now, so that it has downloaded and verified the models, created the
 * onnxruntime sessions and run the network once before Analyze is pressed (2–3 s less from Analyze to the
 * table on a 2-core machine: `npm run bench`, README). Called when the panel offers Analyze; does nothing
 * while one is waiting. Its errors (a missing model, a failed checksum) are reported when Analyze is
 * pressed, as without it.
 */
export function prepareAnalysis(): void {
  if (prepared) return;
  let request: ModelRequest;
  try {
    request = modelRequest();
  } catch {
    return; // a bad window.config.spineMri: Analyze reports it (this runs in a React effect, where a throw would break the panel)
  }
  const worker = newAnalysisWorker();
  // A worker whose script failed to load would never answer: drop it, and Analyze starts (and reports) a new one.
  worker.onerror = () => { if (prepared === worker) prepared = undefined; worker.terminate(); };
  worker.postMessage({ type: 'prepare', ...request } satisfies ToWorker);
  prepared = worker;
}

/** Ends a prepared worker that is no longer wanted (the reader left the mode), freeing its models' memory. */
export function discardPreparedAnalysis(): void {
  prepared?.terminate();
  prepared = undefined;
}

export function startAnalysis(
  ds: DisplaySet,
  role: SeriesRole,
  otherSeries: SourceSeriesRef[],
  onProgress: (stage: AnalysisStage, done: number, total: number) => void,
  axialT2?: DisplaySet,
  sagittalT1?: DisplaySet,
  /** The reader stated the weighting `role` names (SeriesChoice statedWeighting). */
  weightingStatedByReader = false,
  /**
   * Measure the reader's corrected outlines instead of segmenting (Measure again); a function is given the series'
   * imageIds in the volume's slice order and its volume, once read (the outlines of a stored SEG are read in that order).
   */
  readerOutlines?: ReaderOutlines | ((imageIds: string[], volume: SpineVolume) => ReaderOutlines),
): AnalysisRun {
  const abort = new AbortController();
  let worker: Worker | undefined;
  const t0 = performance.now();
  const promise = (async () => {
    const { volume, imageIds } = await readDisplaySetVolume(ds, (d, t) => onProgress('read', d, t), abort.signal);
    volume.role = role;
    if (weightingStatedByReader) volume.weightingStatedByReader = true;
    const sourceVolume: SpineVolume = { ...volume, voxels: new Float32Array(0) };
    // The axial T2 adds the dural sac area; if it cannot be read the analysis goes on without it and says why.
    let axial: AxialSlice[] | undefined;
    let axialT2Unavailable: string | undefined;
    if (axialT2) {
      axial = await readDisplaySetSlices(axialT2, (d, t) => onProgress('read', d, t), abort.signal)
        .catch((e: Error) => { axialT2Unavailable = `the axial T2 images could not be read (${e.message})`; return undefined; });
    }
    // The sagittal T1 is where Lee graded the foramina; without it they are measured on the analysed series.
    const t1 = sagittalT1 && await readDisplaySetVolume(sagittalT1, (d, t) => onProgress('read', d, t), abort.signal)
      .then((r) => (withPixelSpacing(r.volume), r))
      .catch((e: Error) => { console.warn(`Spine MRI: the sagittal T1 could not be read, foramina measured on the analysed series: ${e.message}`); return undefined; });
    if (t1) t1.volume.role = 'sagittal_t1';
    if (abort.signal.aborted) throw new Error('Analysis cancelled.');
    const outlines = typeof readerOutlines === 'function' ? readerOutlines(imageIds, volume) : readerOutlines;
    worker = prepared ?? newAnalysisWorker();
    prepared = undefined;
    const w = worker;
    const result = await new Promise<AnalysisResult>((resolve, reject) => {
      w.onmessage = (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        if (m.type === 'progress') onProgress(m.stage, m.done, m.total);
        else if (m.type === 'result') resolve(m.result);
        else reject(new Error(m.message));
      };
      w.onerror = (ev) => reject(new Error(`Analysis worker failed: ${ev.message || 'could not load /plugins/analysis-worker.mjs'}`));
      abort.signal.addEventListener('abort', () => w.postMessage({ type: 'cancel' } satisfies ToWorker));
      const req: ToWorker = { type: 'analyze', volume, ...modelRequest(), otherSeries, axialT2: axial, axialT2Unavailable, sagittalT1: t1?.volume, readerOutlines: outlines };
      w.postMessage(req, [volume.voxels.buffer, ...(axial ?? []).map((a) => a.pixels.buffer), ...(t1 ? [t1.volume.voxels.buffer] : []), ...(outlines ? [outlines.labelmap.values.buffer] : [])]);
    });
    return { ...result, imageIds, sourceVolume, totalSeconds: (performance.now() - t0) / 1000 };
  })().finally(() => worker?.terminate());
  return { promise, cancel: () => abort.abort(new Error('Analysis cancelled.')) };
}
