/**
 * Segmentation model: the manifest (models/manifest.json, the source of truth for the model's I/O
 * contract), its checksum check, and the inference backend over onnxruntime.
 *
 * Framework-free: the onnxruntime module is passed in as a parameter, so the same code serves
 * onnxruntime-node (Node: eval, CLI, tests) and onnxruntime-web (browser: wasm or WebGPU).
 */

import { parsePfirrmannManifest, type PfirrmannClassifierManifest } from './disc-classifier';

/** Class names the pipeline understands; the manifest maps them to output channel indices. */
export type ModelClassName = 'background' | 'vertebral_body' | 'disc';

export interface ModelClass {
  /** Output channel index in `logits`. */
  index: number;
  name: ModelClassName | string;
  /** Human label, e.g. 'Vertebral body'. */
  label: string;
  snomed?: string;
}

/** How raw MR intensities become network input. */
export interface ModelNormalisation {
  /**
   * 'percentile_clip' (alias 'percentile'): clip to [p_low, p_high] of the intensities, map linearly to [0, 1].
   * 'zscore': (x - mean) / std.  'minmax': (x - min) / (max - min).
   */
  method: string;
  lowPercentile?: number;
  highPercentile?: number;
  /** 'slice': statistics per sagittal slice; 'volume': over the whole series. */
  scope: 'slice' | 'volume' | string;
}

export interface ModelManifest {
  name: string;
  version: string;
  /** ONNX file name, relative to the manifest. */
  file: string;
  /** Lower-case hex SHA-256 of the ONNX file. */
  sha256: string;
  bytes?: number;
  opset?: number;
  input: {
    name: string;
    layout: 'NCHW' | string;
    channels: number;
    /** Canonical slice orientation: rows superior→inferior, columns anterior→posterior. */
    orientation?: { rows: string; columns: string };
    /** Model pixel spacing [row, column] in mm. */
    pixelSpacingMm: [number, number];
    /** H and W are zero-padded (after normalisation) up to a multiple of this. */
    sizeMultipleOf: number;
    normalisation: ModelNormalisation;
  };
  output: {
    name: string;
    classes: ModelClass[];
    /**
     * Added to each class's logit (one per class, index order) to draw the structures' outline: a voxel whose
     * class loses to background once they are added lies outside it, and anatomy.ts trims it from its segment
     * (instances and level names still come from the plain argmax). Fitted on the training cases by
     * scripts/fit-logit-offsets.ts for the ONNX file whose sha256 is logitOffsetsModelSha256. Absent, or fitted for
     * another file (outlineOffsets): no trimming.
     */
    logitOffsets?: number[];
    logitOffsetsModelSha256?: string;
  };
  /** The Pfirrmann disc-patch classifier shipped with this segmentation model (disc-classifier.ts); absent = no Pfirrmann grades. */
  pfirrmann?: PfirrmannClassifierManifest;
  /** Why the manifest's classifier block was set aside (invalid for this software, e.g. a classifier of an older patch format): it costs the classifier's grades, not the segmentation. */
  pfirrmannRefused?: string;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

function fail(msg: string): never {
  throw new Error(`Invalid model manifest: ${msg}`);
}

function isPositiveNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/**
 * Parse and validate a manifest (JSON text or an already-parsed object). An invalid disc classifier block is set aside,
 * not thrown (pfirrmann removed, pfirrmannRefused says why): it costs the classifier's grades, not the segmentation.
 * @throws Error 'Invalid model manifest: …' naming the first missing or wrong field.
 */
export function parseModelManifest(json: string | unknown): ModelManifest {
  let m: unknown = json;
  if (typeof json === 'string') {
    try {
      m = JSON.parse(json);
    } catch (e) {
      fail(`not JSON (${(e as Error).message})`);
    }
  }
  if (typeof m !== 'object' || m === null) fail('expected a JSON object');
  const o = m as Record<string, any>;
  for (const k of ['name', 'version', 'file', 'sha256']) if (typeof o[k] !== 'string' || !o[k]) fail(`"${k}" must be a non-empty string`);
  if (!/^[0-9a-f]{64}$/i.test(o.sha256)) fail(`"sha256" must be 64 hex digits, got "${o.sha256}"`);
  const inp = o.input;
  if (typeof inp !== 'object' || inp === null) fail('"input" missing');
  if (typeof inp.name !== 'string') fail('"input.name" missing');
  if (inp.layout !== undefined && inp.layout !== 'NCHW') fail(`only input.layout "NCHW" is supported, got "${inp.layout}"`);
  if (inp.channels !== undefined && inp.channels !== 1) fail(`only single-channel input is supported, got channels=${inp.channels}`);
  const ps = inp.pixelSpacingMm;
  if (!Array.isArray(ps) || ps.length !== 2 || !ps.every(isPositiveNumber)) fail('"input.pixelSpacingMm" must be [rowMm, columnMm], both > 0');
  if (!Number.isInteger(inp.sizeMultipleOf) || inp.sizeMultipleOf < 1) fail('"input.sizeMultipleOf" must be a positive integer');
  const n = inp.normalisation;
  if (typeof n !== 'object' || n === null || typeof n.method !== 'string') fail('"input.normalisation.method" missing');
  if (!['percentile_clip', 'percentile', 'zscore', 'minmax'].includes(n.method)) fail(`unknown input.normalisation.method "${n.method}" (known: percentile_clip, zscore, minmax)`);
  if (n.method.startsWith('percentile')) {
    if (typeof n.lowPercentile !== 'number' || typeof n.highPercentile !== 'number' || !(n.lowPercentile >= 0 && n.lowPercentile < n.highPercentile && n.highPercentile <= 100))
      fail('percentile normalisation needs 0 <= lowPercentile < highPercentile <= 100');
  }
  if (n.scope !== 'slice' && n.scope !== 'volume') fail(`"input.normalisation.scope" must be "slice" or "volume", got "${n.scope}"`);
  const out = o.output;
  if (typeof out !== 'object' || out === null || typeof out.name !== 'string') fail('"output.name" missing');
  if (!Array.isArray(out.classes) || out.classes.length < 2) fail('"output.classes" must list at least 2 classes');
  out.classes.forEach((c: any, idx: number) => {
    if (!Number.isInteger(c?.index) || typeof c?.name !== 'string') fail(`output.classes[${idx}] needs an integer "index" and a "name"`);
  });
  const idx = out.classes.map((c: ModelClass) => c.index).sort((a: number, b: number) => a - b);
  idx.forEach((v: number, i: number) => {
    if (v !== i) fail('output.classes indices must be 0..C-1, each once');
  });
  if (out.logitOffsets !== undefined) {
    if (!Array.isArray(out.logitOffsets) || out.logitOffsets.length !== out.classes.length || !out.logitOffsets.every((x: unknown) => typeof x === 'number' && Number.isFinite(x)))
      fail(`"output.logitOffsets" must hold ${out.classes.length} finite numbers, one per class`);
  }
  if (o.pfirrmann !== undefined) {
    try {
      parsePfirrmannManifest(o.pfirrmann);
    } catch (e) {
      const { pfirrmann: _, ...rest } = o; // a copy: the caller's object is left as it was
      return { ...rest, pfirrmannRefused: (e as Error).message } as ModelManifest;
    }
  }
  return o as ModelManifest;
}

/**
 * The logit offsets that draw the calibrated outline, or undefined when the manifest has none or they were fitted
 * for another model file (a network swapped without refitting them: the segments are then left untrimmed).
 */
export function outlineOffsets(manifest: ModelManifest): number[] | undefined {
  const { logitOffsets, logitOffsetsModelSha256 } = manifest.output;
  return logitOffsets && logitOffsetsModelSha256?.toLowerCase() === manifest.sha256.toLowerCase() ? logitOffsets : undefined;
}

/** Output channel index of a named class, or -1 when the model does not produce it. */
export function classIndex(manifest: ModelManifest, name: ModelClassName): number {
  return manifest.output.classes.find((c) => c.name === name)?.index ?? -1;
}

/** Lower-case hex SHA-256 of bytes, with WebCrypto (`crypto.subtle`, in browsers and Node ≥ 20). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Check the ONNX bytes against `manifest.sha256` (and `manifest.bytes` when given).
 * @throws Error "Model file <file> failed its checksum: expected …, got … — the download is corrupt or the file was replaced; re-deploy models/".
 */
export async function verifyModelBytes(bytes: ArrayBuffer | Uint8Array, manifest: Pick<ModelManifest, 'file' | 'sha256' | 'bytes'>): Promise<void> {
  const got = await sha256Hex(bytes);
  const expected = manifest.sha256.toLowerCase();
  if (got !== expected) {
    const size = bytes.byteLength;
    const sizeNote = manifest.bytes !== undefined && manifest.bytes !== size ? ` (size ${size} bytes, manifest says ${manifest.bytes})` : '';
    throw new Error(
      `Model file ${manifest.file} failed its checksum: expected ${expected}, got ${got}${sizeNote} — the download is corrupt or the file was replaced; re-deploy models/`,
    );
  }
}

/** One inference engine for one model. */
export interface InferenceBackend {
  /** e.g. 'onnxruntime-node cpu (2 threads)', 'onnxruntime-web wasm (2 threads)', 'onnxruntime-web webgpu'. */
  readonly name: string;
  /**
   * Run one slice. input: Float32Array of length h*w, row-major [H][W] (the model's [1,1,H,W]).
   * Returns logits as a Float32Array of length C*h*w, layout [C][H][W] (the model's [1,C,H,W]).
   */
  run(input: Float32Array, h: number, w: number): Promise<Float32Array>;
  /** Free the session. */
  release(): Promise<void>;
}

/** The part of an onnxruntime module (onnxruntime-node or onnxruntime-web) this code uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env?: { wasm?: { numThreads?: number; wasmPaths?: unknown; proxy?: boolean } };
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
export interface OrtTensor {
  data: unknown;
  dims: readonly number[];
}

/**
 * Create a backend from an onnxruntime module and verified model bytes.
 * `sessionOptions` go to InferenceSession.create unchanged (e.g. {executionProviders:['wasm']},
 * {intraOpNumThreads:2}). `label` is the backend name shown to users.
 * @throws Error when the session cannot be created or the model's output shape is unexpected.
 */
export async function createOrtBackend(
  ort: OrtModule,
  modelBytes: Uint8Array,
  manifest: ModelManifest,
  sessionOptions: Record<string, unknown>,
  label: string,
): Promise<InferenceBackend> {
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(modelBytes, sessionOptions);
  } catch (e) {
    throw new Error(`Could not load model ${manifest.file} with ${label}: ${(e as Error).message}`);
  }
  const nClasses = manifest.output.classes.length;
  return {
    name: label,
    async run(input: Float32Array, h: number, w: number): Promise<Float32Array> {
      if (input.length !== h * w) throw new Error(`input length ${input.length} != ${h}×${w}`);
      const feeds = { [manifest.input.name]: new ort.Tensor('float32', input, [1, 1, h, w]) };
      const out = await session.run(feeds);
      const t = out[manifest.output.name];
      if (!t) throw new Error(`model produced no output "${manifest.output.name}" (got: ${Object.keys(out).join(', ')})`);
      const d = t.dims;
      if (d.length !== 4 || d[1] !== nClasses || d[2] !== h || d[3] !== w)
        throw new Error(`model output "${manifest.output.name}" has shape [${d.join(',')}], expected [1,${nClasses},${h},${w}]`);
      return t.data as Float32Array;
    },
    async release() {
      await session.release?.();
    },
  };
}

/** Node: onnxruntime-node on CPU with an explicit thread count. */
export function createNodeBackend(ort: OrtModule, modelBytes: Uint8Array, manifest: ModelManifest, threads = 2): Promise<InferenceBackend> {
  return createOrtBackend(
    ort,
    modelBytes,
    manifest,
    { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
    `onnxruntime-node cpu (${threads} thread${threads === 1 ? '' : 's'})`,
  );
}

/** Minimal WebGPU types (not all TS DOM libs carry them). */
interface GpuAdapterLike {
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string };
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<{ isFallbackAdapter?: boolean; vendor?: string }>;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/**
 * Whether a real (non-fallback) WebGPU adapter exists. A software adapter (SwiftShader, reported
 * as `isFallbackAdapter`) is correct but ~100× slower than wasm (ARCHITECTURE.md, verified), so it counts as none.
 */
export async function hasHardwareWebGpu(gpu: GpuLike | undefined): Promise<boolean> {
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return false;
    let fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter;
    if (fallback === undefined && adapter.requestAdapterInfo) fallback = (await adapter.requestAdapterInfo()).isFallbackAdapter;
    // Unknown → treat as fallback: wasm is always correct and never 100× slow.
    return fallback === false;
  } catch {
    return false;
  }
}

/**
 * Whether the browser backend will run WebGPU: when forced (`prefer: 'webgpu'`), else on a hardware adapter
 * unless wasm is forced. Decided before onnxruntime-web is imported, since the bundle depends on it
 * (ORT_BROWSER_BUNDLE).
 */
export async function willUseWebGpu(gpu: GpuLike | undefined, prefer?: 'webgpu' | 'wasm'): Promise<boolean> {
  return prefer === 'webgpu' || (prefer !== 'wasm' && (await hasHardwareWebGpu(gpu)));
}

/**
 * The onnxruntime-web bundle (file under `ortBaseUrl`) for each backend. Without a GPU the wasm-only
 * bundle: with the WebGPU bundle's wasm build (JSEP, 28 MB against 14 MB) the panel's segmentation time
 * of an 18-slice series was 8.1 / 8.5 s against 5.1 / 4.7 s (1 / 2 threads, Chromium 156, 2-core VM;
 * `npm run bench`, viewer lines), creating the session 3.8 s against 1.3 s (timing points, one run).
 */
export const ORT_BROWSER_BUNDLE = { webgpu: 'ort.webgpu.min.mjs', wasm: 'ort.wasm.min.mjs' } as const;

export interface BrowserBackendOptions {
  /** `navigator.gpu` (undefined → wasm). */
  gpu?: GpuLike;
  /** wasm threads; default: min(4, hardwareConcurrency) when crossOriginIsolated, else 1. */
  numThreads?: number;
  /** Where onnxruntime-web's .wasm/.mjs files are served, e.g. '/ort/'. */
  wasmPaths?: string;
  /** Force a provider (tests, benchmarks). */
  prefer?: 'webgpu' | 'wasm';
}

/**
 * Browser: onnxruntime-web, WebGPU when a hardware adapter exists, else wasm with numThreads set
 * explicitly (it resolved to 1 by itself on a 2-core machine, ARCHITECTURE.md).
 */
export async function createBrowserBackend(
  ort: OrtModule,
  modelBytes: Uint8Array,
  manifest: ModelManifest,
  opts: BrowserBackendOptions = {},
): Promise<InferenceBackend> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const useWebGpu = await willUseWebGpu(opts.gpu, opts.prefer);
  if (ort.env?.wasm) {
    if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
    const threads = opts.numThreads ?? (g.crossOriginIsolated ? Math.min(4, g.navigator?.hardwareConcurrency ?? 1) : 1);
    ort.env.wasm.numThreads = threads;
  }
  if (useWebGpu) {
    try {
      return await createOrtBackend(ort, modelBytes, manifest, { executionProviders: ['webgpu'] }, 'onnxruntime-web webgpu');
    } catch (e) {
      if (opts.prefer === 'webgpu') throw e;
      // fall through to wasm
    }
  }
  const threads = ort.env?.wasm?.numThreads ?? 1;
  return createOrtBackend(ort, modelBytes, manifest, { executionProviders: ['wasm'] }, `onnxruntime-web wasm (${threads} thread${threads === 1 ? '' : 's'})`);
}
