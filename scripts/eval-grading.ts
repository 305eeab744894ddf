/**
 * eval:grading — run the viewer's pipeline (segmentSpine with onnxruntime-node, then the report
 * builder's measurements and grades) on SPIDER-style mid-sagittal PNGs and compare with the readers'
 * gradings: disc detection, Pfirrmann accuracy / within-one / linear-weighted kappa / confusion
 * matrix (5-fold cross-validated by patient: each patient's discs are graded by the classifier of the fold
 * that did not see that patient, models/pfirrmann-cv/fold<k>.onnx; patients are dealt to folds as
 * scripts/lib/spider.ts patientFolds says, the same split models/training/pfirrmann.py trained on), and
 * sensitivity / specificity / AUC of the classifier's disc findings (narrowing, herniation, bulging, Modic;
 * same cross-validation) and of the fallback narrowing rule (height index < 0.75).
 *
 *   npm run eval:grading -- --data ../shared/data/spider_midsagittal [--json] [--limit N] [--folds 3,4]
 * Data layout: series.csv (series, patient, sequence, rows, columns, pixel_spacing_mm row\col,
 * slice_thickness_mm), gradings.csv (Patient, IVD label 1 = most caudal disc, Disc narrowing,
 * Pfirrman grade), <patient>_t2.png (8-bit, head top, anterior left).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { DiscAnalysis } from '../extension/src/pipeline/build-report';
import { gradePfirrmann, SMALL_DISC_OUTLINE_FRACTION, type PfirrmannCalibration, type PfirrmannFeatures } from '../extension/src/pipeline/grade/pfirrmann';
import { DISC_FINDINGS, calibrationFor, parsePfirrmannManifest, type DiscClassifier, type PfirrmannClassifierManifest } from '../extension/src/pipeline/disc-classifier';
import { NARROWING_HEIGHT_INDEX } from '../extension/src/pipeline/grade/narrowing';
import { auc, confusion, shiftEvidence, SHIFT_MIN_DISCS, SHIFT_MIN_GAIN, weightedKappa } from './lib/grading-metrics';
import { loadNodeModels, openClassifier } from './lib/node-models';
import { verifyModelBytes } from '../extension/src/pipeline/model';
import { forEachSpiderT2, patientFolds, spiderT2Images } from './lib/spider';

interface DiscRow {
  patient: string; ivd: number; grade: number; narrowing: boolean; herniation: boolean; bulging: boolean; modic: boolean; detected: boolean; features: PfirrmannFeatures | null; heightIndex: number; canalApMm: number | null; heightMm?: number; lengthMm?: number;
  /** Classifier outputs (Pfirrmann I..V, then DISC_FINDINGS): from the fold model that never saw this patient, and from the shipped model (in-sample). */
  cvProbabilities?: number[]; shippedProbabilities?: number[];
  /** The pipeline marked the image's level names certain (levelNaming.certain); absent in caches written before it was recorded. */
  namesCertain?: boolean;
  /** Outside the mid-sagittal image (scripts/lib/spider.ts outsideImage): graded by the readers on the whole study. */
  outsideImage?: boolean;
  /** The disc's outline relative to the median disc of the image (DiscAnalysis.outlineFraction); absent in older caches. */
  outlineFraction?: number;
  /** The patient's cross-validation fold (scripts/lib/spider.ts patientFolds): that fold's classifier and calibration never saw the patient. */
  fold?: number;
}

async function extract(data: string, limit: number | undefined, modelPath: string, match: 'name' | 'position', folds?: Set<number>): Promise<DiscRow[]> {
  const models = await loadNodeModels(modelPath, 2);
  const { manifest, classifier } = models;
  const fold = patientFolds(spiderT2Images(data).map((s) => s.patient));
  const foldModels: (DiscClassifier | undefined)[] = [];
  for (const f of manifest.pfirrmann?.crossValidationFolds ?? []) {
    const path = resolve(dirname(modelPath), f.file);
    await verifyModelBytes(new Uint8Array(readFileSync(path)), f);
    foldModels.push(await openClassifier(path, manifest.pfirrmann!));
  }
  const rows: DiscRow[] = [];
  const probabilities = async (c: DiscClassifier | undefined, discs: DiscAnalysis[]) =>
    (await c?.classify(discs.map((d) => d.patch)))?.map((p) => [...p.pfirrmann, ...DISC_FINDINGS.map((f) => p.findings[f] ?? NaN)]) ?? [];
  await forEachSpiderT2(data, models, async (s, _vol, ms, graded, levelNaming) => {
    const discs = ms?.discs ?? [];
    let cvProbs: number[][] = [], shippedProbs: number[][] = [];
    try {
      cvProbs = await probabilities(foldModels[fold.get(s.patient)!], discs);
      shippedProbs = await probabilities(classifier, discs);
    } catch (e) { process.stderr.write(`${s.series}: ${(e as Error).message}\n`); }
    const caudalFirst = [...discs].sort((a, b) => a.segment.centroidLps[2] - b.segment.centroidLps[2]);
    for (const { ivd, grading: g, disc, outsideImage } of graded) {
      const d = match === 'name' ? disc : caudalFirst[ivd - 1];
      const n = d ? discs.indexOf(d) : -1;
      rows.push({
        patient: s.patient, ivd, grade: Number(g['Pfirrman grade']), narrowing: g['Disc narrowing'] === '1', herniation: g['Disc herniation'] === '1', bulging: g['Disc bulging'] === '1', modic: Number(g.Modic) > 0, detected: !!d, features: d?.features ?? null,
        heightIndex: d?.heightIndex ?? NaN, canalApMm: d?.canalApMm ?? null, heightMm: d?.measures.discHeightMm, lengthMm: d?.measures.discLengthMm, outlineFraction: d?.outlineFraction,
        cvProbabilities: cvProbs[n], shippedProbabilities: shippedProbs[n], namesCertain: levelNaming?.certain ?? false, outsideImage, fold: fold.get(s.patient),
      });
    }
  }, limit, folds && new Set([...fold].filter(([, k]) => folds.has(k)).map(([p]) => p)));
  for (const m of foldModels) await m?.release();
  await models.release();
  return rows;
}

/** Images whose level names the pipeline marked uncertain, and the found-rate on the others. */
function namingSummary(rows: DiscRow[]) {
  const uncertain = rows.filter((r) => !r.namesCertain), certain = rows.filter((r) => r.namesCertain);
  return { images: new Set(uncertain.map((r) => r.patient)).size, gradedDiscs: uncertain.length, detectionRateOnCertainImages: certain.filter((r) => r.detected).length / certain.length };
}

/** Graded discs outside the image (no software could find them there), and the found-rate on the others. */
function outsideSummary(rows: DiscRow[]) {
  const inside = rows.filter((r) => !r.outsideImage);
  return { gradedDiscs: rows.length - inside.length, detectionRateInsideImage: inside.filter((r) => r.detected).length / inside.length };
}

/** CV agreement on the discs whose outline is under SMALL_DISC_OUTLINE_FRACTION of the image's median disc (the viewer adds a caution to their grade) and on the rest. */
function smallOutlineSplit(graded: DiscRow[], truth: number[], pred: number[]) {
  const part = (small: boolean) => {
    const idx = graded.map((r, n) => ((r.outlineFraction! < SMALL_DISC_OUTLINE_FRACTION) === small ? n : -1)).filter((n) => n >= 0);
    return { discs: idx.length, linearKappa: weightedKappa(idx.map((n) => truth[n]), idx.map((n) => pred[n])) };
  };
  return { small: part(true), rest: part(false) };
}

/** Pfirrmann grade of the first five columns and the disc's features, by grade/pfirrmann.ts's rule with the given calibration. */
const classifierGrade = (p: number[], features: PfirrmannFeatures | null, calibration?: PfirrmannCalibration) =>
  gradePfirrmann(p.slice(0, 5), [], { name: 'eval', calibration }, undefined, features).value ?? 0;

async function main() {
  const o = new Command().requiredOption('--data <dir>', 'folder with series.csv, gradings.csv, <patient>_t2.png')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--limit <n>', 'first N T2 images only')
    .option('--folds <list>', 'only the patients of these folds (scripts/lib/spider.ts patientFolds), e.g. 3,4 held out from a fine-tuning; no cache')
    .option('--cache <file>', 'features cache (JSON); reused when it exists', '.data/eval-grading-features.json')
    .option('--fresh', 'ignore the cache')
    .option('--match <how>', "'name': a graded disc is found when the pipeline names that level (L5/S1 = IVD 1); 'position': n-th detected disc from caudal", 'name')
    .option('--json', 'print JSON').parse().opts<{ data: string; model: string; limit?: string; folds?: string; cache: string; fresh?: boolean; json?: boolean; match: string }>();
  if (o.match !== 'name' && o.match !== 'position') throw new Error(`--match must be 'name' or 'position', not '${o.match}'`);
  if (!existsSync(resolve(o.data, 'gradings.csv'))) throw new Error(`${o.data}: no gradings.csv (expected a SPIDER-style folder)`);
  const cache = resolve(o.cache);
  let rows: DiscRow[];
  const folds = o.folds ? new Set(o.folds.split(',').map(Number)) : undefined;
  if (folds) rows = await extract(o.data, o.limit ? Number(o.limit) : undefined, resolve(o.model), o.match as 'name' | 'position', folds);
  else if (!o.fresh && existsSync(cache)) rows = JSON.parse(readFileSync(cache, 'utf8'));
  else { rows = await extract(o.data, o.limit ? Number(o.limit) : undefined, resolve(o.model), o.match as 'name' | 'position'); mkdirSync(dirname(cache), { recursive: true }); writeFileSync(cache, JSON.stringify(rows)); }

  const detected = rows.filter((r) => r.detected);
  const graded = detected.filter((r) => r.cvProbabilities && r.shippedProbabilities);
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
  if (shippedCalibration && graded.some((r) => r.fold === undefined || !cvCalibrations?.[r.fold])) {
    throw new Error(`${cache}: rows without a fold, or folds without a calibration: rerun with --fresh, then models/training/pfirrmann_calibration.py`);
  }
  const truth = graded.map((r) => r.grade);
  const cvPred = graded.map((r) => classifierGrade(r.cvProbabilities!, r.features, shippedCalibration && cvCalibrations![r.fold!]));
  const shippedPred = graded.map((r) => classifierGrade(r.shippedProbabilities!, r.features, shippedCalibration));
  const uncalibratedCvPred = graded.map((r) => classifierGrade(r.cvProbabilities!, r.features));
  const acc = (p: number[]) => p.filter((g, n) => g === truth[n]).length / truth.length;
  const within1 = (p: number[]) => p.filter((g, n) => Math.abs(g - truth[n]) <= 1).length / truth.length;
  const nr = detected.filter((r) => Number.isFinite(r.heightIndex));
  const nPred = nr.map((r) => r.heightIndex < NARROWING_HEIGHT_INDEX), nTruth = nr.map((r) => r.narrowing);
  const tp = nPred.filter((p, n) => p && nTruth[n]).length, tn = nPred.filter((p, n) => !p && !nTruth[n]).length;
  const result = {
    images: new Set(rows.map((r) => r.patient)).size,
    gradedDiscs: rows.length,
    detectionRate: detected.length / rows.length,
    ...(rows.every((r) => r.namesCertain !== undefined) ? { namesUncertain: namingSummary(rows) } : {}),
    ...(rows.every((r) => r.outsideImage !== undefined) ? { outsideImage: outsideSummary(rows) } : {}),
    ...(graded.length ? { levelShiftByGrades: shiftEvidence(rows) } : {}),
    pfirrmannAssessed: graded.length,
    pfirrmannCv5ByPatient: { exact: acc(cvPred), withinOne: within1(cvPred), linearKappa: weightedKappa(truth, cvPred), confusionTruthRowsPredCols: confusion(truth, cvPred) },
    ...(shippedCalibration ? { pfirrmannCv5ByPatientUncalibrated: { exact: acc(uncalibratedCvPred), withinOne: within1(uncalibratedCvPred), linearKappa: weightedKappa(truth, uncalibratedCvPred) } } : {}),
    ...(graded.every((r) => r.outlineFraction !== undefined) ? { pfirrmannBySmallOutline: smallOutlineSplit(graded, truth, cvPred) } : {}),
    pfirrmannShippedModelInSample: { exact: acc(shippedPred), withinOne: within1(shippedPred), linearKappa: weightedKappa(truth, shippedPred) },
    narrowing: { rule: `height index < ${NARROWING_HEIGHT_INDEX}`, assessed: nr.length, sensitivity: tp / nTruth.filter(Boolean).length, specificity: tn / nTruth.filter((x) => !x).length, auc: auc(nr.map((r) => -r.heightIndex), nTruth) },
    classifierFindingsCv5ByPatient: Object.fromEntries(DISC_FINDINGS.map((f, n) => {
      const scored = graded.filter((r) => Number.isFinite(r.cvProbabilities![5 + n]));
      const t = scored.map((r) => r[f]), p = scored.map((r) => r.cvProbabilities![5 + n] >= 0.5);
      const sens = p.filter((x, i) => x && t[i]).length / t.filter(Boolean).length, spec = p.filter((x, i) => !x && !t[i]).length / t.filter((x) => !x).length;
      return [f, { assessed: scored.length, prevalence: t.filter(Boolean).length / scored.length, sensitivity: sens, specificity: spec, auc: auc(scored.map((r) => r.cvProbabilities![5 + n]), t) }];
    })),
    narrowingAlternativeAuc: { heightToLengthRatio: auc(nr.map((r) => -((r.heightMm ?? NaN) / (r.lengthMm ?? NaN))), nTruth), heightMm: auc(nr.map((r) => -(r.heightMm ?? NaN)), nTruth) },
  };
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`SPIDER mid-sagittal T2: ${result.images} patients, ${result.gradedDiscs} graded discs`);
  console.log(`graded discs found (match by ${o.match}${o.match === 'name' ? ': pipeline level name, L5/S1 = IVD 1' : ': n-th disc from caudal'}): ${pct(result.detectionRate)}`);
  if (result.namesUncertain) {
    const u = result.namesUncertain;
    console.log(`level names marked uncertain on ${u.images} of ${result.images} images (${u.gradedDiscs} graded discs); graded discs found on the images named with certainty: ${pct(u.detectionRateOnCertainImages)}`);
  }
  if (result.outsideImage) {
    const o = result.outsideImage;
    console.log(`graded discs outside the mid-sagittal image (beyond its top or bottom edge at the spacing of the discs found; the readers graded the whole study): ${o.gradedDiscs}; found among the ${result.gradedDiscs - o.gradedDiscs} inside: ${pct(o.detectionRateInsideImage)}`);
  }
  if (result.levelShiftByGrades) {
    const s = result.levelShiftByGrades;
    console.log(`level names checked against the readers' grades (${s.images} images with ≥ ${SHIFT_MIN_DISCS} discs compared): the cross-validated grades fit the readers' grades better, by > ${SHIFT_MIN_GAIN} grade per disc, with every name one level lower on ${s.fitsNamesOneLower.length} (${s.fitsNamesOneLower.join(' ')}) and one level higher on ${s.fitsNamesOneHigher.length} (${s.fitsNamesOneHigher.join(' ')}): names possibly shifted there`);
  }
  if (!graded.length) console.log('Pfirrmann: not evaluated — the manifest lists no disc classifier or no cross-validation fold models');
  else console.log(`Pfirrmann (${graded.length} graded discs found), 5-fold CV by patient (fold classifiers): exact ${pct(acc(cvPred))}, within one ${pct(within1(cvPred))}, linear kappa ${weightedKappa(truth, cvPred).toFixed(3)}`);
  if (result.pfirrmannCv5ByPatientUncalibrated) {
    const u = result.pfirrmannCv5ByPatientUncalibrated;
    console.log(`  (calibrated with each fold's calibration; the rounded mean grade without it: exact ${pct(u.exact)}, within one ${pct(u.withinOne)}, linear kappa ${u.linearKappa.toFixed(3)})`);
  }
  if (result.pfirrmannBySmallOutline) {
    const { small, rest } = result.pfirrmannBySmallOutline;
    console.log(`  discs whose outline is under ${SMALL_DISC_OUTLINE_FRACTION} of the image's median disc (the viewer cautions their grade): ${small.discs} (${pct(small.discs / graded.length)}), linear kappa ${small.linearKappa.toFixed(3)}; the other ${rest.discs}: ${rest.linearKappa.toFixed(3)}`);
  }
  console.log(`Pfirrmann with the shipped classifier (trained on all of this data: in-sample, optimistic): exact ${pct(acc(shippedPred))}, within one ${pct(within1(shippedPred))}, linear kappa ${weightedKappa(truth, shippedPred).toFixed(3)}`);
  console.log('confusion (rows = reader grade I..V, cols = predicted I..V):');
  result.pfirrmannCv5ByPatient.confusionTruthRowsPredCols.forEach((r, n) => console.log(`  ${['I  ', 'II ', 'III', 'IV ', 'V  '][n]} ${r.map((v) => String(v).padStart(4)).join('')}`));
  console.log(`narrowing, fallback rule used when no classifier is loaded (${result.narrowing.rule}, ${nr.length} discs): sensitivity ${pct(result.narrowing.sensitivity)}, specificity ${pct(result.narrowing.specificity)}, AUC ${result.narrowing.auc.toFixed(3)}`);
  console.log('disc findings from the classifier, 5-fold CV by patient (probability ≥ 0.5 = present):');
  for (const [f, v] of Object.entries(result.classifierFindingsCv5ByPatient)) {
    if (v.assessed) console.log(`  ${f.padEnd(10)} ${v.assessed} discs, prevalence ${pct(v.prevalence)}: sensitivity ${pct(v.sensitivity)}, specificity ${pct(v.specificity)}, AUC ${v.auc.toFixed(3)}`);
  }
  console.log(`narrowing alternatives (AUC only): disc height/length ${result.narrowingAlternativeAuc.heightToLengthRatio.toFixed(3)}, disc height mm ${result.narrowingAlternativeAuc.heightMm.toFixed(3)}`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
