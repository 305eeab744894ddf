/**
 * eval:grading — run the viewer's pipeline (segmentSpine with onnxruntime-node, then the report
 * builder's measurements and grades) on SPIDER-style mid-sagittal PNGs and compare with the readers'
 * gradings: disc detection, Pfirrmann accuracy / within-one / linear-weighted kappa / confusion
 * matrix (5-fold cross-validated by patient: score weights and cut-points fitted on 4 folds, tested on
 * the 5th), and disc narrowing sensitivity / specificity / AUC (fixed rule, height index < 0.75).
 *
 *   npm run eval:grading -- --data ../shared/data/spider_midsagittal [--json] [--fit] [--limit N]
 * Data layout: series.csv (series, patient, sequence, rows, columns, pixel_spacing_mm row\col,
 * slice_thickness_mm), gradings.csv (Patient, IVD label 1 = most caudal disc, Disc narrowing,
 * Pfirrman grade), <patient>_t2.png (8-bit, head top, anterior left).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { createNodeBackend, parseModelManifest, verifyModelBytes, type OrtModule } from '../extension/src/pipeline/model';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import { measureSpine } from '../extension/src/pipeline/build-report';
import { PFIRRMANN_MODEL, pfirrmannScore, scoreToGrade, type PfirrmannFeatures } from '../extension/src/pipeline/grade/pfirrmann';
import { NARROWING_HEIGHT_INDEX } from '../extension/src/pipeline/grade/narrowing';
import { pngVolume } from './lib/png-volume';
import { auc, confusion, fitPfirrmann, weightedKappa } from './lib/grading-metrics';

function csv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const keys = head.split(',');
  return lines.map((l) => { const v = l.split(','); return Object.fromEntries(keys.map((k, n) => [k, v[n] ?? ''])); });
}

/** SPIDER IVD label (1 = most caudal disc = L5/S1 in a normally segmented spine) by level name. */
const IVD_BY_LEVEL: Record<string, number> = { 'L5/S1': 1, 'L4/L5': 2, 'L3/L4': 3, 'L2/L3': 4, 'L1/L2': 5, 'T12/L1': 6, 'T11/T12': 7, 'T10/T11': 8, 'T9/T10': 9 };

interface DiscRow { patient: string; ivd: number; grade: number; narrowing: boolean; detected: boolean; features: PfirrmannFeatures | null; heightIndex: number; canalApMm: number | null; heightMm?: number; lengthMm?: number }

async function extract(data: string, limit: number | undefined, modelPath: string, match: 'name' | 'position'): Promise<DiscRow[]> {
  const manifest = parseModelManifest(readFileSync(modelPath, 'utf8'));
  const bytes = new Uint8Array(readFileSync(resolve(dirname(modelPath), manifest.file)));
  await verifyModelBytes(bytes, manifest);
  const backend = await createNodeBackend(ort as unknown as OrtModule, bytes, manifest, 2);
  const series = csv(resolve(data, 'series.csv')).filter((s) => s.sequence === 't2');
  const grades = csv(resolve(data, 'gradings.csv'));
  const rows: DiscRow[] = [];
  for (const s of series.slice(0, limit ?? series.length)) {
    const file = resolve(data, `${s.series}.png`);
    if (!existsSync(file)) continue;
    const [rs, cs] = s.pixel_spacing_mm.split('\\').map(Number);
    const vol = pngVolume(file, rs, cs, Number(s.slice_thickness_mm) || 4);
    let discs: ReturnType<typeof measureSpine>['discs'] = [];
    try {
      const seg = await segmentSpine(vol, backend, manifest);
      discs = measureSpine(vol, seg.labelmap, seg.segments).discs;
    } catch (e) { process.stderr.write(`${s.series}: ${(e as Error).message}\n`); }
    const caudalFirst = [...discs].sort((a, b) => a.segment.centroidLps[2] - b.segment.centroidLps[2]);
    const byName = new Map(discs.filter((d) => d.segment.level && IVD_BY_LEVEL[d.segment.level]).map((d) => [IVD_BY_LEVEL[d.segment.level!], d]));
    for (const g of grades.filter((x) => x.Patient === s.patient)) {
      const ivd = Number(g['IVD label']);
      const d = match === 'name' ? byName.get(ivd) : caudalFirst[ivd - 1];
      rows.push({ patient: s.patient, ivd, grade: Number(g['Pfirrman grade']), narrowing: g['Disc narrowing'] === '1', detected: !!d, features: d?.features ?? null, heightIndex: d?.heightIndex ?? NaN, canalApMm: d?.canalApMm ?? null, heightMm: d?.measures.discHeightMm, lengthMm: d?.measures.discLengthMm });
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return rows;
}

function folds(patients: string[], k = 5): Map<string, number> {
  const ids = [...new Set(patients)].sort((a, b) => Number(a) - Number(b));
  return new Map(ids.map((p, n) => [p, n % k]));
}

async function main() {
  const o = new Command().requiredOption('--data <dir>', 'folder with series.csv, gradings.csv, <patient>_t2.png')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--limit <n>', 'first N T2 images only')
    .option('--cache <file>', 'features cache (JSON); reused when it exists', '.data/eval-grading-features.json')
    .option('--fresh', 'ignore the cache')
    .option('--match <how>', "'name': a graded disc is found when the pipeline names that level (L5/S1 = IVD 1); 'position': n-th detected disc from caudal", 'name')
    .option('--fit', 'print the Pfirrmann model fitted on all discs (for grade/pfirrmann.ts)')
    .option('--json', 'print JSON').parse().opts<{ data: string; model: string; limit?: string; cache: string; fresh?: boolean; fit?: boolean; json?: boolean; match: string }>();
  if (o.match !== 'name' && o.match !== 'position') throw new Error(`--match must be 'name' or 'position', not '${o.match}'`);
  if (!existsSync(resolve(o.data, 'gradings.csv'))) throw new Error(`${o.data}: no gradings.csv (expected a SPIDER-style folder)`);
  const cache = resolve(o.cache);
  let rows: DiscRow[];
  if (!o.fresh && existsSync(cache)) rows = JSON.parse(readFileSync(cache, 'utf8'));
  else { rows = await extract(o.data, o.limit ? Number(o.limit) : undefined, resolve(o.model), o.match as 'name' | 'position'); mkdirSync(dirname(cache), { recursive: true }); writeFileSync(cache, JSON.stringify(rows)); }

  const detected = rows.filter((r) => r.detected);
  const graded = detected.filter((r) => r.features);
  const fold = folds(graded.map((r) => r.patient));
  const truth: number[] = [], cvPred: number[] = [], rulePred: number[] = [];
  for (let f = 0; f < 5; f++) {
    const train = graded.filter((r) => fold.get(r.patient) !== f), test = graded.filter((r) => fold.get(r.patient) === f);
    if (!test.length || !train.length) continue;
    const m = fitPfirrmann(train.map((r) => r.features!), train.map((r) => r.grade));
    for (const r of test) { truth.push(r.grade); cvPred.push(scoreToGrade(pfirrmannScore(r.features!, m), m.cutPoints)); rulePred.push(scoreToGrade(pfirrmannScore(r.features!, PFIRRMANN_MODEL), PFIRRMANN_MODEL.cutPoints)); }
  }
  const acc = (p: number[]) => p.filter((g, n) => g === truth[n]).length / truth.length;
  const within1 = (p: number[]) => p.filter((g, n) => Math.abs(g - truth[n]) <= 1).length / truth.length;
  const nr = detected.filter((r) => Number.isFinite(r.heightIndex));
  const nPred = nr.map((r) => r.heightIndex < NARROWING_HEIGHT_INDEX), nTruth = nr.map((r) => r.narrowing);
  const tp = nPred.filter((p, n) => p && nTruth[n]).length, tn = nPred.filter((p, n) => !p && !nTruth[n]).length;
  const result = {
    images: new Set(rows.map((r) => r.patient)).size,
    gradedDiscs: rows.length,
    detectionRate: detected.length / rows.length,
    pfirrmannAssessed: graded.length,
    pfirrmannCv5ByPatient: { exact: acc(cvPred), withinOne: within1(cvPred), linearKappa: weightedKappa(truth, cvPred), confusionTruthRowsPredCols: confusion(truth, cvPred) },
    pfirrmannCurrentModel: { source: PFIRRMANN_MODEL.source, exact: acc(rulePred), withinOne: within1(rulePred), linearKappa: weightedKappa(truth, rulePred) },
    narrowing: { rule: `height index < ${NARROWING_HEIGHT_INDEX}`, assessed: nr.length, sensitivity: tp / nTruth.filter(Boolean).length, specificity: tn / nTruth.filter((x) => !x).length, auc: auc(nr.map((r) => -r.heightIndex), nTruth) },
    narrowingAlternativeAuc: { heightToLengthRatio: auc(nr.map((r) => -((r.heightMm ?? NaN) / (r.lengthMm ?? NaN))), nTruth), heightMm: auc(nr.map((r) => -(r.heightMm ?? NaN)), nTruth) },
    fittedOnAll: o.fit ? fitPfirrmann(graded.map((r) => r.features!), graded.map((r) => r.grade)) : undefined,
  };
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`SPIDER mid-sagittal T2: ${result.images} patients, ${result.gradedDiscs} graded discs`);
  console.log(`graded discs found (match by ${o.match}${o.match === 'name' ? ': pipeline level name, L5/S1 = IVD 1' : ': n-th disc from caudal'}): ${pct(result.detectionRate)}`);
  console.log(`Pfirrmann (${graded.length} discs with a CSF reference), 5-fold CV by patient: exact ${pct(acc(cvPred))}, within one ${pct(within1(cvPred))}, linear kappa ${weightedKappa(truth, cvPred).toFixed(3)}`);
  console.log(`Pfirrmann with the shipped PFIRRMANN_MODEL (${PFIRRMANN_MODEL.source}; in-sample when fitted on this data): exact ${pct(acc(rulePred))}, within one ${pct(within1(rulePred))}, linear kappa ${weightedKappa(truth, rulePred).toFixed(3)}`);
  console.log('confusion (rows = reader grade I..V, cols = predicted I..V):');
  result.pfirrmannCv5ByPatient.confusionTruthRowsPredCols.forEach((r, n) => console.log(`  ${['I  ', 'II ', 'III', 'IV ', 'V  '][n]} ${r.map((v) => String(v).padStart(4)).join('')}`));
  console.log(`narrowing (${result.narrowing.rule}, ${nr.length} discs): sensitivity ${pct(result.narrowing.sensitivity)}, specificity ${pct(result.narrowing.specificity)}, AUC ${result.narrowing.auc.toFixed(3)}`);
  console.log(`narrowing alternatives (AUC only): disc height/length ${result.narrowingAlternativeAuc.heightToLengthRatio.toFixed(3)}, disc height mm ${result.narrowingAlternativeAuc.heightMm.toFixed(3)}`);
  if (result.fittedOnAll) console.log('fitted on all:', JSON.stringify(result.fittedOnAll));
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
