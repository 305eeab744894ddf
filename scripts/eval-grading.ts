/**
 * eval:grading — run the viewer's pipeline (segmentSpine with onnxruntime-node, then the report
 * builder's measurements and grades) on SPIDER-style mid-sagittal PNGs and compare with the readers'
 * gradings: disc detection, Pfirrmann accuracy / within-one / linear-weighted kappa / confusion
 * matrix, and sensitivity / specificity / AUC of the classifier's disc findings (narrowing, herniation,
 * bulging, Modic, endplate defects above / below the disc) and of the fallback narrowing rule (height index < 0.75), and of the measured slip (listhesis.ts,
 * Meyerding grade ≥ I) against the readers' spondylolisthesis.
 * Every disc is graded out of sample, by a classifier that never saw its patient: an image the shipped
 * classifier was trained on (its PNG sha256 is in the manifest's pfirrmann.trainingImages) by the fold
 * classifier that held it out (models/pfirrmann-cv/fold<k>.onnx, with fold k's calibration: 5-fold
 * cross-validation by patient); any other image (a held-out or external folder) by the shipped classifier
 * and calibration. Images are recognised by their PNG bytes, not by patient: a new image of a training patient (a
 * re-exported copy, say) is graded by the shipped classifier, which saw that patient's discs on the original.
 * A manifest without trainingImages: every patient is taken as a training patient, dealt to
 * folds as scripts/lib/spider.ts patientFolds says.
 * The level names of a T2 image are counted again on the same patient's T1 image when its field of view has the same
 * size, as the viewer counts them again on a study's sagittal T1 (pipeline/level-crosscheck.ts; the PNGs carry no
 * position, so the two are taken to share a frame of reference): the images counted differently are listed, and their
 * names marked uncertain as in the viewer.
 * The per-disc results are cached (--cache) for the data folder, models and options they were computed with.
 *
 *   npm run eval:grading -- --data ../shared/data/spider_midsagittal [--sequence t2|t2_SPACE|t1] [--json] [--limit N] [--folds 3,4]
 * Data layout: series.csv (series, patient, sequence, rows, columns, pixel_spacing_mm row\col,
 * slice_thickness_mm), gradings.csv (Patient, IVD label 1 = most caudal disc, Disc narrowing,
 * Pfirrman grade), <patient>_t2.png (8-bit, head top, anterior left); with --sequence t2_SPACE the 3D T2 SPACE images
 * (<patient>_t2_SPACE.png) instead, each patient dealt to the fold of its t2 image; with --sequence t1 the T1 images,
 * for disc detection and level names only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { DiscAnalysis } from '../extension/src/pipeline/measure-spine';
import { gradePfirrmann, isSmallDiscOutline, SMALL_DISC_OUTLINE_FRACTION, type PfirrmannCalibration, type PfirrmannFeatures } from '../extension/src/pipeline/grade/pfirrmann';
import { DISC_FINDINGS, calibrationFor, type DiscFinding, parsePfirrmannManifest, type DiscClassifier, type PfirrmannClassifierManifest } from '../extension/src/pipeline/disc-classifier';
import { NARROWING_HEIGHT_INDEX } from '../extension/src/pipeline/grade/narrowing';
import { MAX_GRADED_SLIP_PERCENT, meyerdingGrade, MIN_SLIP_PERCENT } from '../extension/src/pipeline/grade/listhesis';
import { auc, confusion, shiftEvidence, SHIFT_MIN_DISCS, SHIFT_MIN_GAIN, weightedKappa } from './lib/grading-metrics';
import { loadNodeModels, openClassifier } from './lib/node-models';
import { verifyModelBytes } from '../extension/src/pipeline/model';
import { classifierTrainingImages, forEachSpiderImage, IVD_BY_LEVEL, patientFolds, spiderFindings, spiderImages, SPIDER_SEQUENCES, type NamesOnT1, type SpiderSequence } from './lib/spider';
import { PIPELINE_SOURCES, sourceDigest } from './lib/source-digest';

/** One graded disc; the readers' findings by DISC_FINDINGS name. */
interface DiscRow extends Record<DiscFinding, boolean> {
  patient: string; ivd: number; grade: number; detected: boolean; features: PfirrmannFeatures | null; heightIndex: number; canalApMm: number | null; heightMm?: number; lengthMm?: number;
  /** Classifier outputs (Pfirrmann I..V, then DISC_FINDINGS) from a classifier that never saw this image: for a training image the fold model that held its patient out, for any other image (fold undefined) the shipped model. */
  outOfSampleProbabilities?: number[];
  /** The shipped model's outputs (in-sample for a training patient). */
  shippedProbabilities?: number[];
  /** The pipeline marked the image's level names certain (levelNaming.certain); absent in caches written before it was recorded. */
  namesCertain?: boolean;
  /** Whether the same patient's T1 image (same field-of-view size) named the discs alike (level-crosscheck.ts); absent where none was compared. */
  namesOnT1?: NamesOnT1;
  /** Outside the mid-sagittal image (scripts/lib/spider.ts outsideImage): graded by the readers on the whole study. */
  outsideImage?: boolean;
  /** The disc's outline relative to the median disc of the image (DiscAnalysis.outlineFraction); absent in older caches. */
  outlineFraction?: number;
  /** The readers' Spondylolisthesis (gradings.csv) and the slip the pipeline measured (listhesis.ts; absent when not measured or in older caches). */
  spondylolisthesis?: boolean; slipMm?: number; slipPercent?: number;
  /** For a patient whose image trained the shipped classifier, its cross-validation fold: that fold's classifier and calibration never saw the patient. Undefined for an image outside the training data. */
  fold?: number;
}

async function extract(data: string, sequence: SpiderSequence, limit: number | undefined, modelPath: string, match: 'name' | 'position', folds?: Set<number>): Promise<DiscRow[]> {
  const models = await loadNodeModels(modelPath, 2);
  const { manifest, classifier } = models;
  const trainedFold = classifierTrainingImages(modelPath);
  if (!trainedFold) process.stderr.write(`${modelPath} names no pfirrmann.trainingImages: taking every patient for a training patient (5-fold CV by patient)\n`);
  const patientFold = patientFolds(spiderImages(data).map((s) => s.patient));
  const foldOf = (s: { patient: string; sha256(): string }) => (trainedFold ? trainedFold.get(s.sha256()) : patientFold.get(s.patient));
  const foldModels: (DiscClassifier | undefined)[] = [];
  for (const f of manifest.pfirrmann?.crossValidationFolds ?? []) {
    const path = resolve(dirname(modelPath), f.file);
    await verifyModelBytes(new Uint8Array(readFileSync(path)), f);
    foldModels.push(await openClassifier(path, manifest.pfirrmann!));
  }
  const rows: DiscRow[] = [];
  const probabilities = async (c: DiscClassifier | undefined, discs: DiscAnalysis[]) =>
    (await c?.classify(discs.map((d) => d.patch)))?.map((p) => [...p.pfirrmann, ...DISC_FINDINGS.map((f) => p.findings[f] ?? NaN)]) ?? [];
  await forEachSpiderImage(data, models, async (s, _vol, ms, graded, levelNaming, namesOnT1) => {
    const discs = ms?.discs ?? [];
    const fold = foldOf(s);
    let outOfSample: number[][] = [], shippedProbs: number[][] = [];
    if (sequence !== 't1') try { // the classifier reads T2 only (the viewer reports its grades not assessable on T1)
      shippedProbs = await probabilities(classifier, discs);
      outOfSample = fold === undefined ? shippedProbs : await probabilities(foldModels[fold], discs);
    } catch (e) { process.stderr.write(`${s.series}: ${(e as Error).message}\n`); }
    const caudalFirst = [...discs].sort((a, b) => a.segment.centroidLps[2] - b.segment.centroidLps[2]);
    for (const { ivd, grading: g, disc, outsideImage } of graded) {
      const d = match === 'name' ? disc : caudalFirst[ivd - 1];
      const n = d ? discs.indexOf(d) : -1;
      rows.push({
        patient: s.patient, ivd, grade: Number(g['Pfirrman grade']), ...spiderFindings(g), detected: !!d, features: d?.features ?? null,
        heightIndex: d?.heightIndex ?? NaN, canalApMm: d?.canalApMm ?? null, heightMm: d?.measures.discHeightMm, lengthMm: d?.measures.discLengthMm, outlineFraction: d?.outlineFraction,
        outOfSampleProbabilities: outOfSample[n], shippedProbabilities: shippedProbs[n], namesCertain: levelNaming?.certain ?? false, ...(namesOnT1 ? { namesOnT1 } : {}), outsideImage, fold,
        spondylolisthesis: g.Spondylolisthesis === '1', ...(d && 'slipMm' in d.listhesis ? { slipMm: d.listhesis.slipMm, slipPercent: d.listhesis.slipPercent } : {}),
      });
    }
  }, limit, folds && new Set(spiderImages(data, null, sequence).filter((s) => folds.has(foldOf(s) ?? -1)).map((s) => s.patient)), sequence, true);
  for (const m of foldModels) await m?.release();
  await models.release();
  return rows;
}

/**
 * Images whose level names the pipeline marked uncertain, and the found-rate on the others; and the images whose names
 * were checked on the same patient's T1 image (level-crosscheck.ts), with those it counted differently.
 */
function namingSummary(rows: DiscRow[]) {
  const uncertain = rows.filter((r) => !r.namesCertain), certain = rows.filter((r) => r.namesCertain);
  const images = (f: (r: DiscRow) => boolean) => [...new Set(rows.filter(f).map((r) => r.patient))];
  return {
    images: new Set(uncertain.map((r) => r.patient)).size, gradedDiscs: uncertain.length, detectionRateOnCertainImages: certain.filter((r) => r.detected).length / certain.length,
    checkedOnT1: {
      images: images((r) => r.namesOnT1 !== undefined).length,
      countedDifferently: images((r) => r.namesOnT1 !== undefined && r.namesOnT1 !== 'same'),
      partingAtUnsharedDiscs: images((r) => r.namesOnT1 === 'differ-at-unshared-discs'),
    },
  };
}

/** The measured slip (grade/listhesis.ts) against the readers' Spondylolisthesis label, on the found discs where it was measured. */
function slipSummary(found: DiscRow[]) {
  // As the viewer grades: a slip over MAX_GRADED_SLIP_PERCENT, or at a thoracic level (T11/T12 and above), is shown but not graded.
  const thoracic = (r: DiscRow) => r.ivd >= IVD_BY_LEVEL['T11/T12'];
  const measured = found.filter((r) => r.slipPercent !== undefined && r.spondylolisthesis !== undefined);
  const lumbar = measured.filter((r) => !thoracic(r)), thoracicLevels = measured.filter(thoracic);
  const m = lumbar.filter((r) => Math.abs(r.slipPercent!) <= MAX_GRADED_SLIP_PERCENT);
  const t = m.map((r) => r.spondylolisthesis!), p = m.map((r) => meyerdingGrade(r.slipPercent!) > 0);
  const pos = t.filter(Boolean).length;
  return {
    rule: `Meyerding grade >= I, |slip| >= ${MIN_SLIP_PERCENT} % of the lower endplate depth`, found: found.length, measured: measured.length, graded: m.length, prevalence: pos / m.length,
    notGradedOverMax: { levels: lumbar.length - m.length, readerPositive: lumbar.filter((r) => Math.abs(r.slipPercent!) > MAX_GRADED_SLIP_PERCENT && r.spondylolisthesis).length },
    notGradedThoracic: { levels: thoracicLevels.length, measuredGradeAtLeastI: thoracicLevels.filter((r) => meyerdingGrade(r.slipPercent!) > 0 && Math.abs(r.slipPercent!) <= MAX_GRADED_SLIP_PERCENT).length, readerPositive: thoracicLevels.filter((r) => r.spondylolisthesis).length },
    sensitivity: p.filter((x, i) => x && t[i]).length / pos, specificity: p.filter((x, i) => !x && !t[i]).length / (m.length - pos),
    aucAbsSlipPercent: auc(m.map((r) => Math.abs(r.slipPercent!)), t),
    // The slip is measured along the disc's axes: a small disc outline (the viewer's caution, grade/listhesis.ts) against the rest.
    ...(m.every((r) => r.outlineFraction !== undefined) ? { byOutline: ([true, false] as const).map((small) => {
      const at = m.filter((r) => isSmallDiscOutline(r.outlineFraction) === small), flagged = at.filter((r) => meyerdingGrade(r.slipPercent!) > 0);
      return { small, levels: at.length, flagged: flagged.length, flaggedReaderPositive: flagged.filter((r) => r.spondylolisthesis).length, readerPositive: at.filter((r) => r.spondylolisthesis).length };
    }) } : {}),
  };
}

/** Graded discs outside the image (no software could find them there), and the found-rate on the others. */
function outsideSummary(rows: DiscRow[]) {
  const inside = rows.filter((r) => !r.outsideImage);
  return { gradedDiscs: rows.length - inside.length, detectionRateInsideImage: inside.filter((r) => r.detected).length / inside.length };
}

/** CV agreement on the discs whose outline is under SMALL_DISC_OUTLINE_FRACTION of the image's median disc (the viewer adds a caution to their grade) and on the rest. */
function smallOutlineSplit(graded: DiscRow[], truth: number[], pred: number[]) {
  const part = (small: boolean) => {
    const idx = graded.map((r, n) => (isSmallDiscOutline(r.outlineFraction) === small ? n : -1)).filter((n) => n >= 0);
    return { discs: idx.length, linearKappa: weightedKappa(idx.map((n) => truth[n]), idx.map((n) => pred[n])) };
  };
  return { small: part(true), rest: part(false) };
}

/**
 * Kappa (calibrated and not) on the discs of 2D and of 3D images apart: SPIDER's 't2' images include 11 slices of a
 * 3D SPACE (spider.ts threeD), and the viewer shows a 3D series the 3D figure. Undefined unless both kinds are graded.
 */
function acquisitionSplit(graded: DiscRow[], threeD: Set<string>, truth: number[], pred: number[], uncalibrated: number[]) {
  const part = (is3d: boolean) => {
    const idx = graded.map((r, n) => (threeD.has(r.patient) === is3d ? n : -1)).filter((n) => n >= 0);
    const t = idx.map((n) => truth[n]);
    return { images: new Set(idx.map((n) => graded[n].patient)).size, discs: idx.length, linearKappa: weightedKappa(t, idx.map((n) => pred[n])), linearKappaUncalibrated: weightedKappa(t, idx.map((n) => uncalibrated[n])) };
  };
  return graded.some((r) => threeD.has(r.patient)) && graded.some((r) => !threeD.has(r.patient)) ? { twoD: part(false), threeD: part(true) } : undefined;
}

/** Pfirrmann grade of the first five columns and the disc's features, by grade/pfirrmann.ts's rule with the given calibration. */
const classifierGrade = (p: number[], features: PfirrmannFeatures | null, calibration?: PfirrmannCalibration) =>
  gradePfirrmann(p.slice(0, 5), [], { name: 'eval', calibration }, undefined, features).value ?? 0;

/** What the cached rows depend on: the folder's CSVs and images, the manifest and every model file it names, the options, the pipeline code. */
function cacheKey(data: string, sequence: SpiderSequence, manifestPath: string, options: string): string {
  const h = createHash('sha256').update(options).update(resolve(data)).update(sourceDigest(PIPELINE_SOURCES));
  for (const f of ['series.csv', 'gradings.csv']) h.update(readFileSync(resolve(data, f)));
  for (const s of spiderImages(data, null, sequence)) h.update(s.sha256());
  h.update(readFileSync(manifestPath)); // holds the sha256 of every model file, checked when loaded
  h.update(JSON.stringify([...(classifierTrainingImages(manifestPath) ?? [])]));
  return h.digest('hex');
}

async function main() {
  const o = new Command().requiredOption('--data <dir>', 'folder with series.csv, gradings.csv, <patient>_t2.png')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--sequence <name>', "'t2' (2D T2), 't2_SPACE' (3D T2 SPACE) or 't1' (detection and level names only: the disc classifier reads T2)", 't2')
    .option('--limit <n>', 'first N images only')
    .option('--folds <list>', 'only the patients of these folds (scripts/lib/spider.ts patientFolds), e.g. 3,4 held out from a fine-tuning; no cache')
    .option('--cache <file>', 'per-disc results (JSON); reused when written for the same data folder, models, options and pipeline code (extension/src/pipeline, scripts/lib); default .data/eval-grading-features.json for t2, .data/eval-grading-features-<sequence>.json for the others')
    .option('--fresh', 'ignore the cache')
    .option('--match <how>', "'name': a graded disc is found when the pipeline names that level (L5/S1 = IVD 1); 'position': n-th detected disc from caudal", 'name')
    .option('--json', 'print JSON').parse().opts<{ data: string; sequence: string; model: string; limit?: string; folds?: string; cache?: string; fresh?: boolean; json?: boolean; match: string }>();
  const sequence = o.sequence as SpiderSequence;
  if (!SPIDER_SEQUENCES.includes(sequence)) throw new Error(`--sequence must be one of ${SPIDER_SEQUENCES.join(', ')}, not '${o.sequence}'`);
  if (o.match !== 'name' && o.match !== 'position') throw new Error(`--match must be 'name' or 'position', not '${o.match}'`);
  for (const f of ['series.csv', 'gradings.csv']) if (!existsSync(resolve(o.data, f))) throw new Error(`${o.data}: no ${f} (expected a SPIDER-style folder: series.csv, gradings.csv, <patient>_t2.png)`);
  if (!spiderImages(o.data, null, sequence).length) throw new Error(`${o.data}: series.csv lists no image of sequence ${sequence} whose <series>.png is in the folder`);
  const cache = resolve(o.cache ?? `.data/eval-grading-features${sequence === 't2' ? '' : `-${sequence}`}.json`);
  let rows: DiscRow[];
  const folds = o.folds ? new Set(o.folds.split(',').map(Number)) : undefined;
  const run = () => extract(o.data, sequence, o.limit ? Number(o.limit) : undefined, resolve(o.model), o.match as 'name' | 'position', folds);
  if (folds) rows = await run();
  else {
    const key = cacheKey(o.data, sequence, resolve(o.model), `${o.match} ${o.limit ?? 'all'}`);
    const cached = !o.fresh && existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8')) : undefined;
    if (cached?.key === key) rows = cached.rows;
    else {
      if (cached) process.stderr.write(`${cache} holds results for other data, models, options or pipeline code: running the pipeline afresh\n`);
      rows = await run();
      mkdirSync(dirname(cache), { recursive: true });
      writeFileSync(cache, JSON.stringify({ key, rows }));
    }
  }

  const detected = rows.filter((r) => r.detected);
  const graded = detected.filter((r) => r.outOfSampleProbabilities && r.shippedProbabilities);
  const trainingPatients = graded.filter((r) => r.fold !== undefined);
  // Each fold's calibration was fitted without that fold (models/training/pfirrmann_calibration.py), like its classifier.
  const block = JSON.parse(readFileSync(resolve(o.model), 'utf8')).pfirrmann;
  const pf = block ? parsePfirrmannManifest(block) : undefined;
  // The viewer's check (calibrationFor), but an evaluation must not quietly fall back to the uncalibrated grade.
  const calibrationOf = (m: PfirrmannClassifierManifest) => {
    const { calibration, calibrationRefused } = calibrationFor(m);
    if (calibrationRefused) throw new Error(`${m.file}: ${calibrationRefused}`);
    return calibration;
  };
  const shippedCalibration = pf && calibrationOf(pf);
  const cvCalibrations = pf?.crossValidationFolds?.map((f) => calibrationOf({ ...pf, ...f, calibration: f.calibration }));
  if (shippedCalibration && trainingPatients.some((r) => !cvCalibrations?.[r.fold!])) {
    throw new Error(`${o.model}: cross-validation folds without a calibration: run models/training/pfirrmann_calibration.py (after eval:grading --fresh on the training data)`);
  }
  const truth = graded.map((r) => r.grade);
  // A training patient's grade takes its fold's calibration (fitted without that fold), any other patient's the shipped one.
  const pred = graded.map((r) => classifierGrade(r.outOfSampleProbabilities!, r.features, shippedCalibration && (r.fold === undefined ? shippedCalibration : cvCalibrations![r.fold])));
  const uncalibratedPred = graded.map((r) => classifierGrade(r.outOfSampleProbabilities!, r.features));
  const byAcquisition = acquisitionSplit(graded, new Set(spiderImages(o.data, null, sequence).filter((s) => s.threeD).map((s) => s.patient)), truth, pred, uncalibratedPred);
  const inSampleTruth = trainingPatients.map((r) => r.grade);
  const inSamplePred = trainingPatients.map((r) => classifierGrade(r.shippedProbabilities!, r.features, shippedCalibration));
  const acc = (p: number[], t = truth) => p.filter((g, n) => g === t[n]).length / t.length;
  const within1 = (p: number[], t = truth) => p.filter((g, n) => Math.abs(g - t[n]) <= 1).length / t.length;
  const nr = detected.filter((r) => Number.isFinite(r.heightIndex));
  const nPred = nr.map((r) => r.heightIndex < NARROWING_HEIGHT_INDEX), nTruth = nr.map((r) => r.narrowing);
  const tp = nPred.filter((p, n) => p && nTruth[n]).length, tn = nPred.filter((p, n) => !p && !nTruth[n]).length;
  const result = {
    sequence,
    images: new Set(rows.map((r) => r.patient)).size,
    gradedDiscs: rows.length,
    detectionRate: detected.length / rows.length,
    ...(rows.every((r) => r.namesCertain !== undefined) ? { namesUncertain: namingSummary(rows) } : {}),
    ...(rows.every((r) => r.outsideImage !== undefined) ? { outsideImage: outsideSummary(rows) } : {}),
    ...(graded.length ? { levelShiftByGrades: shiftEvidence(rows) } : {}),
    pfirrmannAssessed: graded.length,
    /** Who graded the discs out of sample: fold classifiers (training patients, 5-fold CV) and the shipped classifier (images outside its training data). */
    pfirrmannGradedBy: { foldClassifiersCv5ByPatient: trainingPatients.length, shippedClassifierOtherImages: graded.length - trainingPatients.length },
    pfirrmannOutOfSample: { exact: acc(pred), withinOne: within1(pred), linearKappa: weightedKappa(truth, pred), confusionTruthRowsPredCols: confusion(truth, pred) },
    ...(shippedCalibration ? { pfirrmannOutOfSampleUncalibrated: { exact: acc(uncalibratedPred), withinOne: within1(uncalibratedPred), linearKappa: weightedKappa(truth, uncalibratedPred) } } : {}),
    ...(graded.every((r) => r.outlineFraction !== undefined) ? { pfirrmannBySmallOutline: smallOutlineSplit(graded, truth, pred) } : {}),
    ...(byAcquisition ? { pfirrmannByAcquisition: byAcquisition } : {}),
    ...(trainingPatients.length ? { pfirrmannShippedModelInSample: { discs: trainingPatients.length, exact: acc(inSamplePred, inSampleTruth), withinOne: within1(inSamplePred, inSampleTruth), linearKappa: weightedKappa(inSampleTruth, inSamplePred) } } : {}),
    narrowing: { rule: `height index < ${NARROWING_HEIGHT_INDEX}`, assessed: nr.length, sensitivity: tp / nTruth.filter(Boolean).length, specificity: tn / nTruth.filter((x) => !x).length, auc: auc(nr.map((r) => -r.heightIndex), nTruth) },
    classifierFindingsOutOfSample: Object.fromEntries(DISC_FINDINGS.map((f, n) => {
      const scored = graded.filter((r) => Number.isFinite(r.outOfSampleProbabilities![5 + n]));
      const t = scored.map((r) => r[f]), p = scored.map((r) => r.outOfSampleProbabilities![5 + n] >= 0.5);
      const sens = p.filter((x, i) => x && t[i]).length / t.filter(Boolean).length, spec = p.filter((x, i) => !x && !t[i]).length / t.filter((x) => !x).length;
      return [f, { assessed: scored.length, prevalence: t.filter(Boolean).length / scored.length, sensitivity: sens, specificity: spec, auc: auc(scored.map((r) => r.outOfSampleProbabilities![5 + n]), t) }];
    })),
    ...(detected.some((r) => r.spondylolisthesis !== undefined) ? { spondylolisthesis: slipSummary(detected) } : {}),
    narrowingAlternativeAuc: { heightToLengthRatio: auc(nr.map((r) => -((r.heightMm ?? NaN) / (r.lengthMm ?? NaN))), nTruth), heightMm: auc(nr.map((r) => -(r.heightMm ?? NaN)), nTruth) },
  };
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`SPIDER mid-sagittal ${{ t2: 'T2', t2_SPACE: 'T2 SPACE (3D)', t1: 'T1' }[sequence]}: ${result.images} patients, ${result.gradedDiscs} graded discs`);
  console.log(`graded discs found (match by ${o.match}${o.match === 'name' ? ': pipeline level name, L5/S1 = IVD 1' : ': n-th disc from caudal'}): ${pct(result.detectionRate)}`);
  if (result.namesUncertain) {
    const u = result.namesUncertain;
    console.log(`level names marked uncertain on ${u.images} of ${result.images} images (${u.gradedDiscs} graded discs); graded discs found on the images named with certainty: ${pct(u.detectionRateOnCertainImages)}`);
    const t = u.checkedOnT1;
    if (t.images) console.log(`level names checked on the same patient's T1 image (field of view of the same size, taken as the same frame of reference; the viewer checks them on a study's sagittal T1): ${t.images} images, counted differently (names then uncertain) on ${t.countedDifferently.length} (${t.countedDifferently.join(' ')}); on ${t.partingAtUnsharedDiscs.length} of them the counts part where one series shows a disc the other does not, and the note says which disc to check (${t.partingAtUnsharedDiscs.join(' ')})`);
  }
  if (result.outsideImage) {
    const o = result.outsideImage;
    console.log(`graded discs outside the mid-sagittal image (beyond its top or bottom edge at the spacing of the discs found; the readers graded the whole study): ${o.gradedDiscs}; found among the ${result.gradedDiscs - o.gradedDiscs} inside: ${pct(o.detectionRateInsideImage)}`);
  }
  if (result.levelShiftByGrades) {
    const s = result.levelShiftByGrades;
    const uncertainImages = new Set(rows.filter((r) => !r.namesCertain).map((r) => r.patient));
    const marked = [...s.fitsNamesOneLower, ...s.fitsNamesOneHigher].filter((p) => uncertainImages.has(p)).length;
    console.log(`level names checked against the readers' grades (${s.images} images with ≥ ${SHIFT_MIN_DISCS} discs compared): the out-of-sample grades fit the readers' grades better, by > ${SHIFT_MIN_GAIN} grade per disc, with every name one level lower on ${s.fitsNamesOneLower.length} (${s.fitsNamesOneLower.join(' ')}) and one level higher on ${s.fitsNamesOneHigher.length} (${s.fitsNamesOneHigher.join(' ')}): names possibly shifted there; ${marked} of these ${s.fitsNamesOneLower.length + s.fitsNamesOneHigher.length} marked uncertain`);
  }
  const { foldClassifiersCv5ByPatient: nCv, shippedClassifierOtherImages: nUnseen } = result.pfirrmannGradedBy;
  const gradedBy = !nUnseen ? '5-fold CV by patient (fold classifiers)'
    : !nCv ? 'images outside the classifier\'s training data (shipped classifier and calibration)'
      : `each disc by a classifier that never saw its image (${nCv} of training patients by the 5-fold CV fold classifiers, ${nUnseen} on images outside the training data by the shipped classifier)`;
  function printPfirrmann() {
    console.log(`Pfirrmann (${graded.length} graded discs found), ${gradedBy}: exact ${pct(acc(pred))}, within one ${pct(within1(pred))}, linear kappa ${weightedKappa(truth, pred).toFixed(3)}`);
    if (result.pfirrmannOutOfSampleUncalibrated) {
      const u = result.pfirrmannOutOfSampleUncalibrated;
      console.log(`  (calibrated; the rounded mean grade without calibration: exact ${pct(u.exact)}, within one ${pct(u.withinOne)}, linear kappa ${u.linearKappa.toFixed(3)})`);
    }
    if (result.pfirrmannBySmallOutline) {
      const { small, rest } = result.pfirrmannBySmallOutline;
      console.log(`  discs whose outline is under ${SMALL_DISC_OUTLINE_FRACTION} of the image's median disc (the viewer cautions their grade): ${small.discs} (${pct(small.discs / graded.length)}), linear kappa ${small.linearKappa.toFixed(3)}; the other ${rest.discs}: ${rest.linearKappa.toFixed(3)}`);
    }
    if (result.pfirrmannByAcquisition) {
      const f = (x: { images: number; discs: number; linearKappa: number; linearKappaUncalibrated: number }) => `${x.images} images, ${x.discs} discs: linear kappa ${x.linearKappa.toFixed(3)} (${x.linearKappaUncalibrated.toFixed(3)} uncalibrated)`;
      console.log(`  by acquisition (2D or 3D by series.csv's description and slice thickness): 2D ${f(result.pfirrmannByAcquisition.twoD)}; 3D ${f(result.pfirrmannByAcquisition.threeD)}`);
    }
    const inSample = result.pfirrmannShippedModelInSample;
    if (inSample) console.log(`Pfirrmann with the shipped classifier on the ${inSample.discs} discs of its training patients (in-sample, optimistic): exact ${pct(inSample.exact)}, within one ${pct(inSample.withinOne)}, linear kappa ${inSample.linearKappa.toFixed(3)}`);
    console.log('confusion (rows = reader grade I..V, cols = predicted I..V):');
    result.pfirrmannOutOfSample.confusionTruthRowsPredCols.forEach((r, n) => console.log(`  ${['I  ', 'II ', 'III', 'IV ', 'V  '][n]} ${r.map((v) => String(v).padStart(4)).join('')}`));
    console.log(`disc findings from the classifier, graded as the Pfirrmann grade above (probability ≥ 0.5 = present):`);
    for (const [f, v] of Object.entries(result.classifierFindingsOutOfSample)) {
      if (v.assessed) console.log(`  ${f.padEnd(13)} ${v.assessed} discs, prevalence ${pct(v.prevalence)}: sensitivity ${pct(v.sensitivity)}, specificity ${pct(v.specificity)}, AUC ${v.auc.toFixed(3)}`);
    }
  }
  if (sequence === 't1') console.log('Pfirrmann and the disc findings: not evaluated on T1 — the disc classifier reads T2 (the viewer reports them not assessable on a T1 series)');
  else if (!graded.length) console.log('Pfirrmann: not evaluated — the manifest lists no disc classifier, or no fold classifiers for its training patients');
  else printPfirrmann();
  console.log(`narrowing, fallback rule used when no classifier is loaded (${result.narrowing.rule}, ${nr.length} discs): sensitivity ${pct(result.narrowing.sensitivity)}, specificity ${pct(result.narrowing.specificity)}, AUC ${result.narrowing.auc.toFixed(3)}`);
  if (result.spondylolisthesis) {
    const l = result.spondylolisthesis;
    console.log(`spondylolisthesis, measured slip (${l.rule}; measured at ${l.measured} of ${l.found} discs found, graded at ${l.graded} — ${l.notGradedOverMax.levels} over ${MAX_GRADED_SLIP_PERCENT} % shown, not graded, ${l.notGradedOverMax.readerPositive} of them reader-positive; ${l.notGradedThoracic.levels} at thoracic levels T11/T12 and above shown, not graded — ${l.notGradedThoracic.measuredGradeAtLeastI} measured grade I–II there, ${l.notGradedThoracic.readerPositive} reader-positive; prevalence ${pct(l.prevalence)}): sensitivity ${pct(l.sensitivity)}, specificity ${pct(l.specificity)}, AUC of |slip %| ${l.aucAbsSlipPercent.toFixed(3)}`);
    for (const o of l.byOutline ?? []) {
      console.log(`  ${o.small ? `graded levels whose disc outline is under ${SMALL_DISC_OUTLINE_FRACTION} of the image's median disc (the viewer cautions a slip graded there)` : 'the other graded levels'}: ${o.levels}, slip graded I or more at ${o.flagged} (${pct(o.flagged / o.levels)}), of which the readers called ${o.flaggedReaderPositive}; readers' spondylolisthesis at ${o.readerPositive}`);
    }
  }
  console.log(`narrowing alternatives (AUC only): disc height/length ${result.narrowingAlternativeAuc.heightToLengthRatio.toFixed(3)}, disc height mm ${result.narrowingAlternativeAuc.heightMm.toFixed(3)}`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
