/**
 * The disc-patch classifier: its manifest block (models/manifest.json "pfirrmann") and an onnxruntime
 * session that turns disc patches (disc-crop.ts) into Pfirrmann grade probabilities and the
 * probabilities of the readers' binary disc findings (narrowing, herniation, bulging, Modic change, endplate defects).
 * Framework-free: the onnxruntime module is passed in (onnxruntime-node or onnxruntime-web).
 */
import { DISC_CROP } from './disc-crop';
import type { OrtModule, OrtSession } from './model';
import { PFIRRMANN_FEATURES, type PfirrmannCalibration } from './grade/pfirrmann';

export interface PfirrmannClassifierManifest {
  /** ONNX file name, relative to the manifest. */
  file: string;
  /** Lower-case hex SHA-256 of the ONNX file. */
  sha256: string;
  /** File size in bytes (checked with the sha256 when given). */
  bytes?: number;
  version: string;
  /** Input "patch" [N,channels,heightPx,widthPx]: the patch geometry and channels of disc-crop.ts, which must match (no channels: 1, classifiers before v1.6.0). */
  input: { name: string; channels?: number; heightPx: number; widthPx: number; mmPerPx: number; uStartMm: number };
  /**
   * Output [N, columns.length]: columns 0-4 are the probabilities of Pfirrmann grades I..V (softmax inside
   * the model); further columns are independent probabilities of the named binary findings (DISC_FINDINGS).
   */
  output: { name: string; columns?: string[] };
  /** Pfirrmann linear-weighted kappa of the same recipe, 5-fold cross-validated by patient, on 2D T2 (pfirrmann_calibration.py). */
  cvLinearKappa?: number;
  /** The same on 3D T2 (SPIDER's T2 SPACE images); shown instead, with a caution, when the analysed series is 3D. */
  cvLinearKappa3d?: number;
  /** AUC of each finding column against the readers, same cross-validation. */
  cvAuc?: Partial<Record<DiscFinding, number>>;
  /** Maps the mean grade and the measured criteria to the grade (grade/pfirrmann.ts); fitted for this file's sha256. */
  calibration?: PfirrmannCalibration;
  /** The 5 cross-validation fold models and their calibrations (eval:grading grades each patient with the fold that never saw it); not used by the viewer. */
  crossValidationFolds?: { file: string; sha256: string; calibration?: PfirrmannCalibration }[];
  training?: Record<string, unknown>;
}

/**
 * Validate the manifest's "pfirrmann" block.
 * @throws Error 'Invalid disc classifier manifest: …' on a missing field or a patch geometry other than DISC_CROP's.
 */
export function parsePfirrmannManifest(o: unknown): PfirrmannClassifierManifest {
  const fail = (msg: string): never => { throw new Error(`Invalid disc classifier manifest: ${msg}`); };
  if (typeof o !== 'object' || o === null) fail('expected an object');
  const m = o as Record<string, any>;
  for (const k of ['file', 'sha256', 'version']) if (typeof m[k] !== 'string' || !m[k]) fail(`"${k}" must be a non-empty string`);
  if (!/^[0-9a-f]{64}$/i.test(m.sha256)) fail('"sha256" must be 64 hex digits');
  if (typeof m.input?.name !== 'string' || typeof m.output?.name !== 'string') fail('"input.name" and "output.name" are required');
  if (m.output.columns !== undefined && (!Array.isArray(m.output.columns) || m.output.columns.length < 5)) fail('"output.columns" must list at least the 5 Pfirrmann grades');
  for (const k of ['channels', 'heightPx', 'widthPx', 'mmPerPx', 'uStartMm'] as const) {
    const v = k === 'channels' ? m.input.channels ?? 1 : m.input[k];
    if (v !== DISC_CROP[k]) fail(`input.${k} is ${v}, this software samples patches with ${k} = ${DISC_CROP[k]}`);
  }
  if (m.calibration !== undefined) checkCalibration(m.calibration, fail);
  return m as PfirrmannClassifierManifest;
}

/**
 * The manifest's calibration when it was fitted for this classifier file, else why not (then the grade is the
 * uncalibrated rounded mean grade and its evidence says so: a classifier swapped without refitting). Spread it over
 * the classifier info after cvLinearKappa: a refused calibration also withdraws the kappa measured with it.
 */
export function calibrationFor(m: PfirrmannClassifierManifest): { calibration?: PfirrmannCalibration; calibrationRefused?: string; cvLinearKappa?: undefined } {
  if (!m.calibration) return {};
  if (m.calibration.classifierSha256?.toLowerCase() === m.sha256.toLowerCase()) return { calibration: m.calibration };
  // The manifest's cvLinearKappa was measured with that calibration applied: not this grade's agreement.
  return {
    calibrationRefused: `the manifest's calibration was fitted for another classifier file (its classifierSha256 is not this file's sha256), so it is not applied and the grade's agreement with readers is unknown: refit it with models/training/pfirrmann_calibration.py`,
    cvLinearKappa: undefined,
  };
}

/** A calibration must hold finite numbers for the mean grade and every weighted feature. */
function checkCalibration(c: any, fail: (msg: string) => never): void {
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (!finite(c?.intercept) || !finite(c?.weights?.meanGrade)) fail('"calibration" needs a finite intercept and weights.meanGrade');
  for (const k of PFIRRMANN_FEATURES) {
    if (c.weights[k] !== undefined && !(finite(c.weights[k]) && finite(c.featureMeans?.[k]))) fail(`"calibration" weight of ${k} needs a finite value and a finite featureMeans.${k}`);
  }
  if (typeof c.classifierSha256 !== 'string') fail('"calibration.classifierSha256" (the classifier file it was fitted for) is required');
}

/**
 * Binary disc findings the classifier may output, as SPIDER's readers graded them; upperEndplate / lowerEndplate = a defect
 * of the endplate above / below the disc (SPIDER's 'UP endplate' / 'LOW endplate'). A model without a column lacks that finding.
 */
export const DISC_FINDINGS = ['narrowing', 'herniation', 'bulging', 'modic', 'upperEndplate', 'lowerEndplate'] as const;
export type DiscFinding = (typeof DISC_FINDINGS)[number];

export interface DiscPrediction {
  /** [p(I) … p(V)] */
  pfirrmann: number[];
  /** Probability of each finding the model outputs (absent ones are not predicted). */
  findings: Partial<Record<DiscFinding, number>>;
}

export interface DiscClassifier {
  /** e.g. 'pfirrmann-cnn 1.0.0'. */
  readonly name: string;
  /** One prediction per patch (each patch laid out as disc-crop.ts says). */
  classify(patches: Float32Array[]): Promise<DiscPrediction[]>;
  release(): Promise<void>;
}

/**
 * Open a classifier session on verified model bytes.
 * @throws Error when the session cannot be created; classify throws when the output is not [N,5].
 */
export async function createDiscClassifier(ort: OrtModule, modelBytes: Uint8Array, manifest: PfirrmannClassifierManifest, sessionOptions: Record<string, unknown>): Promise<DiscClassifier> {
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(modelBytes, sessionOptions);
  } catch (e) {
    throw new Error(`Could not load the disc classifier ${manifest.file}: ${(e as Error).message}`);
  }
  const size = DISC_CROP.channels * DISC_CROP.heightPx * DISC_CROP.widthPx;
  const columns = manifest.output.columns ?? ['pfirrmann_I', 'pfirrmann_II', 'pfirrmann_III', 'pfirrmann_IV', 'pfirrmann_V'];
  const nc = columns.length;
  return {
    name: `pfirrmann-cnn ${manifest.version}`,
    async classify(patches) {
      if (!patches.length) return [];
      const input = new Float32Array(patches.length * size);
      patches.forEach((p, n) => {
        if (p.length !== size) throw new Error(`disc patch has ${p.length} values, expected ${size}`);
        input.set(p, n * size);
      });
      const out = await session.run({ [manifest.input.name]: new ort.Tensor('float32', input, [patches.length, DISC_CROP.channels, DISC_CROP.heightPx, DISC_CROP.widthPx]) });
      const t = out[manifest.output.name];
      if (!t || t.dims.length !== 2 || t.dims[0] !== patches.length || t.dims[1] !== nc) throw new Error(`disc classifier output has shape [${t?.dims.join(',')}], expected [${patches.length},${nc}]`);
      const data = t.data as Float32Array;
      return patches.map((_, n) => {
        const row = Array.from(data.subarray(n * nc, (n + 1) * nc));
        const findings: DiscPrediction['findings'] = {};
        for (const f of DISC_FINDINGS) if (columns.indexOf(f) >= 5) findings[f] = row[columns.indexOf(f)];
        return { pfirrmann: row.slice(0, 5), findings };
      });
    },
    async release() { await session.release?.(); },
  };
}
