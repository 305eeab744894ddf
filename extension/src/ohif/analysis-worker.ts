/**
 * The analysis Web Worker (bundled as /plugins/analysis-worker.mjs): model download + checksum,
 * onnxruntime-web (imported at runtime from `ortBaseUrl`, not bundled), segmentation, level naming,
 * report. Keeps inference off the UI thread; 'cancel' aborts between slices. One analysis per worker;
 * 'prepare' loads its models before the 'analyze' arrives (analysisClient.ts prepareAnalysis).
 */
import { createBrowserBackend, ORT_BROWSER_BUNDLE, willUseWebGpu, type InferenceBackend, type ModelManifest, type OrtModule } from '../pipeline/model';
import { segmentSpine } from '../pipeline/analyze';
import { checkNamesOn } from '../pipeline/level-crosscheck';
import { SOFTWARE } from '../software';
import { gradeSpine, type BuildReportOptions } from '../pipeline/build-report';
import { createDiscClassifier, type DiscClassifier } from '../pipeline/disc-classifier';
import { loadModel, type LoadedModel } from './modelCache';
import { reportModel, type AnalyzeRequest, type FromWorker, type ModelRequest, type ToWorker } from './analysisProtocol';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let controller: AbortController | undefined;

/** The models of this worker's one analysis, loaded by 'prepare' ahead of it or by 'analyze' itself. */
interface Models {
  model: LoadedModel;
  backend: InferenceBackend;
  classifier?: DiscClassifier;
  classifierError?: string;
}
let models: Promise<Models> | undefined;

/**
 * Downloads (or reads from Cache Storage) and verifies the models, imports onnxruntime-web, creates the sessions and
 * runs the network once on a blank slice: the first run in a fresh worker is several times slower than the next
 * (wasm code still being optimised), and a prepared worker has that behind it before Analyze is pressed.
 */
async function loadModels(req: ModelRequest): Promise<Models> {
  const origin = self.location.origin;
  const model = await loadModel(req.modelBaseUrl, origin);
  const gpu = (self.navigator as unknown as { gpu?: never }).gpu;
  // The WebGPU bundle only where WebGPU will run: its wasm build is slower (ORT_BROWSER_BUNDLE).
  const webGpu = await willUseWebGpu(gpu, req.prefer);
  const ortUrl = new URL(ORT_BROWSER_BUNDLE[webGpu ? 'webgpu' : 'wasm'], new URL(req.ortBaseUrl, origin)).href;
  const ort = (await import(/* @vite-ignore */ ortUrl)) as OrtModule;
  const backend = await createBrowserBackend(ort, model.bytes, model.manifest, {
    gpu,
    wasmPaths: new URL(req.ortBaseUrl, origin).href,
    numThreads: req.numThreads,
    prefer: webGpu ? req.prefer : 'wasm',
  });
  let classifierError = model.pfirrmannError && `the disc classifier could not be loaded (${model.pfirrmannError})`;
  let classifier: DiscClassifier | undefined;
  if (model.manifest.pfirrmann && model.pfirrmannBytes) {
    // A few small patches per study: the wasm backend is plenty and avoids a second WebGPU device.
    classifier = await createDiscClassifier(ort, model.pfirrmannBytes, model.manifest.pfirrmann, { executionProviders: ['wasm'] })
      .catch((e: Error) => { classifierError = e.message; return undefined; });
  }
  const side = warmUpSide(model.manifest);
  try {
    await backend.run(new Float32Array(side * side), side, side);
  } catch (e) {
    // 'analyze' loads again after a failed preparation: free these sessions (WebGPU buffers, wasm heap) first.
    await backend.release().catch(() => undefined);
    await classifier?.release().catch(() => undefined);
    throw e;
  }
  return { model, backend, classifier, classifierError };
}

/** A typical lumbar sagittal field of view (300 mm) at the network's pixel spacing, padded to its size multiple. */
function warmUpSide(m: ModelManifest): number {
  const multiple = m.input.sizeMultipleOf;
  return Math.ceil(300 / Math.min(...m.input.pixelSpacingMm) / multiple) * multiple;
}

async function analyze(req: AnalyzeRequest): Promise<void> {
  controller = new AbortController();
  const signal = controller.signal;
  let loaded: Models | undefined;
  try {
    post({ type: 'progress', stage: 'model', done: 0, total: 1 });
    // A preparation that failed is tried again: the models may have been deployed (or the network come back) since.
    loaded = await (models ??= loadModels(req)).catch(() => (models = loadModels(req)));
    const { model, backend, classifier, classifierError } = loaded;
    post({ type: 'progress', stage: 'model', done: 1, total: 1 });
    const t0 = performance.now();
    // Corrected outlines are measured as they are; the network runs only for a new analysis.
    const seg = req.readerOutlines
      ?? await segmentSpine(req.volume, backend, model.manifest, {
        signal,
        onProgress: (stage, done, total) => post({ type: 'progress', stage, done, total }),
      });
    // A second count on the sagittal T1 beside it marks names it counts differently uncertain (level-crosscheck.ts);
    // corrected outlines keep the naming they were measured with.
    const levelNaming = req.readerOutlines ? seg.levelNaming : await checkNamesOn(req.sagittalT1, req.volume, seg.segments, seg.levelNaming, backend, model.manifest, signal);
    post({ type: 'progress', stage: 'report', done: 0, total: 1 });
    // Measurements, dural sac and grades: pipeline/build-report.ts (the one place grades are computed).
    const reportOptions: BuildReportOptions = {
      model: reportModel(model.manifest, req.readerOutlines),
      software: SOFTWARE,
      levelNaming,
      run: seg.run,
      otherSeries: req.otherSeries,
      axialT2: req.axialT2,
      axialT2Unavailable: req.axialT2Unavailable,
      sagittalT1: req.sagittalT1,
    };
    const { report, labelmap, segments, gradingError } = await gradeSpine(req.volume, seg.labelmap, seg.segments, reportOptions, classifier, model.manifest.pfirrmann,
      classifierError ?? 'the model manifest lists no disc classifier');
    post({ type: 'progress', stage: 'report', done: 1, total: 1 });
    post(
      { type: 'result', result: { labelmap, segments, levelNaming, report, run: seg.run, modelSource: model.source, gradingError, ...(req.readerOutlines ? { remeasuredSeconds: (performance.now() - t0) / 1000 } : {}) } },
      [labelmap.values.buffer],
    );
  } catch (e) {
    const cancelled = signal.aborted;
    post({ type: 'error', message: cancelled ? 'Analysis cancelled.' : e instanceof Error ? e.message : String(e), cancelled });
  } finally {
    await loaded?.backend.release().catch(() => undefined);
    await loaded?.classifier?.release().catch(() => undefined);
    controller = undefined;
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'cancel') controller?.abort(new DOMException('Analysis cancelled', 'AbortError'));
  else if (m.type === 'prepare') (models ??= loadModels(m)).catch(() => undefined); // a failure is reported by 'analyze'
  else if (m.type === 'analyze') void analyze(m);
};
