/**
 * eval:seg — run the browser's segmentation pipeline (extension/src/pipeline, with onnxruntime-node)
 * on labelled NIfTI cases and report Dice and level-name accuracy.
 *
 *   npm run eval:seg -- --data ../shared/data/segmentation [--split val] [--cases vb3_08,ivd_11] [--json]
 * Also counts, per data source, the lumbar levels whose slip the pipeline grades Meyerding I–II (no labels: plausibility).
 *
 * Data folder: cases.csv (case, split, structure, shape, crop_offset_voxels, dtype, n_labels, levels)
 * + <case>_image.nii.gz + <case>_label.nii.gz (instance labels 1..N superior→inferior).
 * Ground truth covers one structure per case, so Dice is computed for that structure only:
 * all predicted vertebral-body segments vs all GT labels (binary), or all disc segments.
 * Level accuracy (cases whose `levels` column lists names): GT label k is levels[k-1]; each GT
 * instance takes the name of the predicted segment it overlaps most.
 * Cases the network was trained on (the "train" list of --split-file) are marked in the table; when the
 * selection mixes them with others, the summary is repeated for the cases the network never saw.
 * A case that cannot be evaluated (unreadable file, series refused) is reported FAILED with the reason and scores 0.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { classIndex, type ModelManifest } from '../extension/src/pipeline/model';
import { labelAnatomy } from '../extension/src/pipeline/anatomy';
import { voxelToLps, type Labelmap, type SpineVolume } from '../extension/src/pipeline/volume';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import type { SegmentInfo, StructureKind } from '../extension/src/pipeline/report';
import { measureSpine } from '../extension/src/pipeline/measure-spine';
import { meanSliceIndex } from '../extension/src/pipeline/measure';
import { gradeListhesis } from '../extension/src/pipeline/grade/listhesis';
import { readNiftiLabelmap, readNiftiVolume } from './lib/nifti';
import { loadNodeModels } from './lib/node-models';
import { clipToGtRange, diceBinary, instanceDice, kindMask, levelAccuracy } from './lib/seg-metrics';
import { conformLabelmap, readCases, splitCases } from './lib/labelled-cases';

export interface CaseResult {
  case: string;
  structure: string;
  /** Binary Dice over the whole volume. */
  dice: number;
  /** Binary Dice with predictions outside the GT's superior-inferior range ignored (GT labels only some instances). */
  diceInRange: number;
  /** Mean over GT instances of the Dice with the predicted segment overlapping it most. */
  meanInstanceDice: number;
  levelAccuracy: number | null;
  levelNaming: { anchor: string; certain: boolean };
  predictedLevels: string[];
  /** The case is in the network's training list (--split-file "train"). */
  trainedOn: boolean;
  seconds: number;
  /** Meyerding grade of the measured slip at each lumbar level (T12/L1 … L5/S1; null = not assessable), as the viewer grades it; no labels exist: a plausibility count. */
  slips?: { level: string; grade: number | null }[];
  /** Why the case could not be evaluated (unreadable file, series refused by the pipeline); its Dice and level accuracy then count as 0. */
  failed?: string;
  /** |mid-sagittal slice the pipeline measured on − the expert labels' mean slice index| × slice spacing, mm. */
  midSagittalOffsetMm?: number;
  /**
   * Per measured disc: how far the slice it was measured on (DiscAnalysis.sliceIndex) and the spine's mid-sagittal
   * slice lie from the left–right centre of the expert labels next to it (the two labelled instances nearest in S–I), mm.
   */
  discSliceOffsets?: { level: string; ownMm: number; spineMm: number }[];
  /** Sagittal dural sac AP at the lumbar discs (L1/L2 … L5/S1), mm, null = not measured; no labels: a plausibility count. */
  lumbarCanalApMm?: (number | null)[];
}

/**
 * What the measurements of one segmentation see: the pipeline's slip grades at its lumbar levels (grade/listhesis.ts)
 * and how far its mid-sagittal slice (measure.ts midSagittalSlice: discs, canal, slip and the disc patch are read there)
 * lies from the left–right centre of the expert labels, mm. Empty when measureSpine fails.
 */
function measuredOnCase(volume: SpineVolume, labelmap: Labelmap, segments: SegmentInfo[], gt: Labelmap): Pick<CaseResult, 'slips' | 'midSagittalOffsetMm' | 'discSliceOffsets' | 'lumbarCanalApMm'> {
  try {
    const ms = measureSpine(volume, labelmap, segments);
    const centres = labelCentres(volume, gt);
    const local = (z: number) => {
      const near = [...centres].sort((a, b) => Math.abs(a.z - z) - Math.abs(b.z - z)).slice(0, 2).filter((c) => Math.abs(c.z - z) <= 40);
      return near.length ? near.reduce((a, c) => a + c.slice, 0) / near.length : NaN;
    };
    const mm = volume.spacingMm[2];
    return {
      discSliceOffsets: ms.discs.map((d) => ({ d, c: local(d.segment.centroidLps[2]) })).filter(({ c }) => !Number.isNaN(c))
        .map(({ d, c }) => ({ level: d.segment.level ?? '?', ownMm: Math.abs(d.sliceIndex - c) * mm, spineMm: Math.abs(ms.sliceIndex - c) * mm })),
      lumbarCanalApMm: ms.discs.filter((d) => /^L\d\/(L|S1)/.test(d.segment.level ?? '')).map((d) => d.canalApMm),
      slips: ms.discs.filter((d) => /^(L|T12\/L1)/.test(d.segment.level ?? ''))
        .map((d) => ({ level: d.segment.level!, grade: gradeListhesis(d.listhesis, [], d.segment.level!).value })),
      midSagittalOffsetMm: Math.abs(ms.sliceIndex - meanSliceIndex(gt, (v) => v > 0)) * volume.spacingMm[2],
    };
  } catch { return {}; }
}

/** Mean slice index and mean S–I position (LPS z, mm) of each labelled instance. */
function labelCentres(volume: SpineVolume, gt: Labelmap): { slice: number; z: number }[] {
  const [nx, ny] = gt.dims;
  const acc = new Map<number, { n: number; k: number; z: number }>();
  for (let p = 0; p < gt.values.length; p++) {
    const v = gt.values[p];
    if (!v) continue;
    const k = Math.floor(p / (nx * ny)), j = Math.floor(p / nx) % ny;
    const e = acc.get(v) ?? { n: 0, k: 0, z: 0 };
    e.n++; e.k += k; e.z += voxelToLps(volume, p % nx, j, k)[2];
    acc.set(v, e);
  }
  return [...acc.values()].map((e) => ({ slice: e.k / e.n, z: e.z / e.n }));
}

/** Per data source (vb1, vb2, vb3, ivd): lumbar levels graded (none or I–II) and those graded I–II, with where. */
function slipSummary(results: CaseResult[]) {
  const by: Record<string, { graded: number; slipped: string[] }> = {};
  for (const r of results) for (const s of r.slips ?? []) {
    const e = (by[r.case.split('_')[0]] ??= { graded: 0, slipped: [] });
    if (s.grade === null) continue;
    e.graded++;
    if (s.grade > 0) e.slipped.push(`${r.case} ${s.level}`);
  }
  return by;
}

/** Ground truth as the class labelmap, then the same instance/naming step as the pipeline. */
function oracleSegmentation(volume: SpineVolume, gt: Labelmap, kind: StructureKind, manifest: ModelManifest) {
  const idx = { vertebralBody: classIndex(manifest, 'vertebral_body'), disc: classIndex(manifest, 'disc') };
  const cls = kind === 'disc' ? idx.disc : idx.vertebralBody;
  const values = gt.values.map((v) => (v > 0 ? cls : 0));
  return labelAnatomy({ dims: gt.dims, values }, volume, idx);
}

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean Dice (whole volume, in GT range, per instance) per structure and mean level accuracy of some case results. */
function summarise(results: CaseResult[]) {
  const vb = results.filter((r) => r.structure === 'vertebral_body');
  const dc = results.filter((r) => r.structure === 'disc');
  const named = results.filter((r) => r.levelAccuracy !== null);
  const meanOf = (rs: CaseResult[], f: (r: CaseResult) => number) => mean(rs.map(f).filter((x) => !Number.isNaN(x)));
  return {
    cases: results.length,
    meanDiceVertebralBody: meanOf(vb, (r) => r.dice),
    meanDiceInRangeVertebralBody: meanOf(vb, (r) => r.diceInRange),
    meanInstanceDiceVertebralBody: meanOf(vb, (r) => r.meanInstanceDice),
    vertebralBodyCases: vb.length,
    meanDiceDisc: meanOf(dc, (r) => r.dice),
    meanDiceInRangeDisc: meanOf(dc, (r) => r.diceInRange),
    meanInstanceDiceDisc: meanOf(dc, (r) => r.meanInstanceDice),
    discCases: dc.length,
    meanLevelAccuracyVertebralBody: mean(named.filter((r) => r.structure === 'vertebral_body').map((r) => r.levelAccuracy!)),
    levelNamedVertebralBodyCases: named.filter((r) => r.structure === 'vertebral_body').length,
    meanLevelAccuracyDisc: mean(named.filter((r) => r.structure === 'disc').map((r) => r.levelAccuracy!)),
    levelNamedDiscCases: named.filter((r) => r.structure === 'disc').length,
    sacrumAnchoredCases: results.filter((r) => r.levelNaming.anchor === 'sacrum').length,
    meanMidSagittalOffsetMm: meanOf(results, (r) => r.midSagittalOffsetMm ?? NaN),
    maxMidSagittalOffsetMm: Math.max(...results.map((r) => r.midSagittalOffsetMm ?? -Infinity)),
    discSliceOffsets: discOffsetSummary(results),
    lumbarCanalBySource: canalSummary(results),
  };
}

/** The per-disc slice offsets (CaseResult.discSliceOffsets) of all cases: mean, max and count over 3 mm, for the disc's own slice and the spine's. */
function discOffsetSummary(results: CaseResult[]) {
  const all = results.flatMap((r) => r.discSliceOffsets ?? []);
  const of = (f: (x: (typeof all)[number]) => number) => ({ meanMm: mean(all.map(f)), maxMm: Math.max(...all.map(f)), over3Mm: all.filter((x) => f(x) > 3).length });
  return { discs: all.length, measuredOn: of((x) => x.ownMm), spineMidSagittal: of((x) => x.spineMm) };
}

/**
 * Per data source: lumbar discs, those with a sagittal canal AP, and those under 10 mm (Verbiest's absolute stenosis).
 * Not vb3: its volumes are T1, where the viewer seeks no sac, but a NIfTI carries no weighting and is read as T2 here.
 */
function canalSummary(results: CaseResult[]) {
  const by: Record<string, { discs: number; measured: number; under10Mm: number }> = {};
  for (const r of results.filter((x) => !x.case.startsWith('vb3_'))) for (const ap of r.lumbarCanalApMm ?? []) {
    const e = (by[r.case.split('_')[0]] ??= { discs: 0, measured: 0, under10Mm: 0 });
    e.discs++;
    if (ap !== null) { e.measured++; if (ap < 10) e.under10Mm++; }
  }
  return by;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('eval:seg')
    .description('Dice and level-name accuracy of the spine segmentation pipeline on labelled NIfTI cases')
    .requiredOption('--data <dir>', 'folder with cases.csv and <case>_image/_label.nii.gz')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--cases <ids>', 'comma-separated case ids (default: all in cases.csv)')
    .option('--split <name>', 'evaluate only cases in this list of models/training/split.json (e.g. val); "all" = every case', 'all')
    .option('--split-file <path>', 'split file', 'models/training/split.json')
    .option('--threads <n>', 'onnxruntime-node intra-op threads', '2')
    .option('--oracle', 'skip the network: the class labelmap is the ground truth (checks instance separation and level naming alone)')
    .option('--json', 'print JSON instead of a table')
    .parse();
  const o = program.opts<{ data: string; model: string; cases?: string; split: string; splitFile: string; threads: string; json?: boolean; oracle?: boolean }>();

  const models = await loadNodeModels(o.model, Number(o.threads));
  const { manifest, backend } = models;

  let cases = readCases(o.data);
  if (o.cases) {
    const want = new Set(o.cases.split(',').map((s) => s.trim()));
    const unknown = [...want].filter((c) => !cases.some((r) => r.case === c));
    if (unknown.length) throw new Error(`unknown case(s): ${unknown.join(', ')}`);
    cases = cases.filter((r) => want.has(r.case));
  }
  if (o.split !== 'all') {
    const keep = splitCases(resolve(o.splitFile), o.split);
    cases = cases.filter((r) => keep.has(r.case));
  }
  if (!cases.length) throw new Error('no cases selected');
  const trainCases = existsSync(resolve(o.splitFile)) ? splitCases(resolve(o.splitFile), 'train') : new Set<string>();

  const results: CaseResult[] = [];
  for (const c of cases) {
    const t0 = Date.now();
    const kind: StructureKind = c.structure === 'disc' ? 'disc' : 'vertebral_body';
    try {
      results.push(await evaluateCase(c, kind, t0));
    } catch (e) {
      // One unreadable or refused case must not hide the others' figures; it counts as a complete miss.
      results.push({
        case: c.case, structure: kind, dice: 0, diceInRange: 0, meanInstanceDice: 0, levelAccuracy: c.levels ? 0 : null,
        levelNaming: { anchor: 'failed', certain: false }, predictedLevels: [], trainedOn: trainCases.has(c.case), seconds: (Date.now() - t0) / 1000,
        failed: (e as Error).message,
      });
    }
    const res = results[results.length - 1];
    if (!o.json) process.stderr.write(`${c.case}: ${res.failed ? `FAILED (${res.failed})` : `Dice ${fmt(res.dice)}`} (${res.seconds.toFixed(1)} s)\n`);
  }
  await models.release();

  async function evaluateCase(c: (typeof cases)[number], kind: StructureKind, t0: number): Promise<CaseResult> {
    const volume = readNiftiVolume(resolve(o.data, `${c.case}_image.nii.gz`));
    const gt = conformLabelmap(readNiftiLabelmap(resolve(o.data, `${c.case}_label.nii.gz`)), volume.dims, c.case);
    const r = o.oracle ? oracleSegmentation(volume, gt, kind, manifest) : await segmentSpine(volume, backend, manifest);
    const mask = kindMask(r.labelmap.values, r.segments, kind);
    const dice = diceBinary(mask, gt.values);
    const [nI, nJ] = volume.dims;
    const zOf = (p: number) => {
      const k = Math.floor(p / (nI * nJ));
      const j = Math.floor((p - k * nI * nJ) / nI);
      return voxelToLps(volume, p - k * nI * nJ - j * nI, j, k)[2];
    };
    const diceInRange = diceBinary(clipToGtRange(mask, gt.values, zOf), gt.values);
    const inst = instanceDice(r.labelmap.values, r.segments, kind, gt.values);
    const meanInstanceDice = mean(inst.map((x) => x.dice));
    const acc = c.levels ? levelAccuracy(r.labelmap.values, r.segments, kind, gt.values, c.levels).accuracy : null;
    const res: CaseResult = {
      case: c.case,
      structure: kind,
      dice,
      diceInRange,
      meanInstanceDice,
      levelAccuracy: acc,
      levelNaming: { anchor: r.levelNaming.anchor, certain: r.levelNaming.certain },
      predictedLevels: r.segments.filter((s) => s.kind === kind).map((s) => s.level ?? '?'),
      trainedOn: trainCases.has(c.case),
      seconds: (Date.now() - t0) / 1000,
      ...(o.oracle ? {} : measuredOnCase(volume, r.labelmap, r.segments, gt)),
    };
    return res;
  }

  const unseen = results.filter((r) => !r.trainedOn);
  const summary = {
    model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
    backend: backend.name,
    split: o.split,
    ...summarise(results),
    slipsBySource: slipSummary(results),
    ...(unseen.length && unseen.length < results.length ? { notTrainedOn: summarise(unseen) } : {}),
  };
  if (o.json) {
    process.stdout.write(JSON.stringify({ summary, results }, null, 2) + '\n');
    return;
  }
  const lines = [
    ['case', 'trained on', 'structure', 'Dice', 'Dice GT range', 'inst Dice', 'level acc', 'anchor', 'predicted levels', 's'],
    ...results.map((r) => [r.case, r.trainedOn ? 'yes' : '', r.structure, fmt(r.dice), fmt(r.diceInRange), fmt(r.meanInstanceDice), fmt(r.levelAccuracy, 2), `${r.levelNaming.anchor}${r.levelNaming.certain ? '' : '?'}`, r.predictedLevels.join(' '), r.seconds.toFixed(1)]),
  ];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd());
  const failed = results.filter((r) => r.failed);
  if (failed.length) console.log(`\n${failed.length} case(s) FAILED, counted as Dice 0 (and level accuracy 0) in every mean below:\n${failed.map((r) => `  ${r.case}: ${r.failed}`).join('\n')}`);
  console.log('');
  console.log(o.oracle ? `ORACLE (ground truth as segmentation), split ${o.split}, ${results.length} cases` : `model ${manifest.name} ${manifest.version} (${backend.name}), split ${o.split}, ${results.length} cases`);
  const trained = results.length - unseen.length;
  if (trained) console.log(`${trained} of these cases trained the network (--split-file "train"; 'trained on' above): their Dice is in-sample`);
  const diceLines = (x: ReturnType<typeof summarise>, indent = '') => {
    console.log(`${indent}mean Dice vertebral body: ${fmt(x.meanDiceVertebralBody)} whole volume, ${fmt(x.meanDiceInRangeVertebralBody)} in GT range, ${fmt(x.meanInstanceDiceVertebralBody)} per instance (${x.vertebralBodyCases} cases)`);
    console.log(`${indent}mean Dice disc:           ${fmt(x.meanDiceDisc)} whole volume, ${fmt(x.meanDiceInRangeDisc)} in GT range, ${fmt(x.meanInstanceDiceDisc)} per instance (${x.discCases} cases)`);
  };
  diceLines(summary);
  console.log('Ground truth labels one structure and only some instances per case (vb3: L1-L5; ivd: L1/L2-L5/S1).');
  console.log("'Dice GT range' ignores predictions above the highest / below the lowest GT voxel (LPS z); 'inst Dice' = mean over GT instances of Dice with the predicted segment overlapping it most.");
  console.log(`level accuracy, bodies:   ${fmt(summary.meanLevelAccuracyVertebralBody)} (${summary.levelNamedVertebralBodyCases} cases with level names)`);
  console.log(`level accuracy, discs:    ${fmt(summary.meanLevelAccuracyDisc)} (${summary.levelNamedDiscCases} cases with level names)`);
  console.log(`spondylolisthesis (no labels: a plausibility count; vb1 pathological spines, vb2/vb3/ivd mostly healthy): ${Object.entries(summary.slipsBySource).map(([k, v]) => `${k} ${v.slipped.length} of ${v.graded} lumbar levels graded I-II${v.slipped.length ? ` (${v.slipped.join(', ')})` : ''}`).join('; ')}`);
  console.log(`sacrum-anchored naming:   ${summary.sacrumAnchoredCases}/${results.length} cases ('?' = uncertain naming)`);
  console.log(`mid-sagittal slice (measured on) from the labels' left-right centre: mean ${fmt(summary.meanMidSagittalOffsetMm, 1)} mm, max ${fmt(summary.maxMidSagittalOffsetMm, 1)} mm`);
  const o3 = summary.discSliceOffsets;
  console.log(`each disc's measured slice from the labels' left-right centre next to it (${o3.discs} discs): mean ${fmt(o3.measuredOn.meanMm, 1)} mm, max ${fmt(o3.measuredOn.maxMm, 1)} mm, ${o3.measuredOn.over3Mm} over 3 mm (the spine's mid-sagittal slice: mean ${fmt(o3.spineMidSagittal.meanMm, 1)}, max ${fmt(o3.spineMidSagittal.maxMm, 1)}, ${o3.spineMidSagittal.over3Mm} over 3 mm)`);
  console.log(`sagittal canal AP at lumbar discs (no labels: a plausibility count; vb2/ivd T2, vb1 mixed T1/T2/TIRM; not vb3, which is T1): ${Object.entries(summary.lumbarCanalBySource).map(([k, v]) => `${k} measured ${v.measured} of ${v.discs}, under 10 mm ${v.under10Mm}`).join('; ')}`);
  if (summary.notTrainedOn) {
    const x = summary.notTrainedOn;
    console.log(`the ${x.cases} cases the network was not trained on:`);
    diceLines(x, '  ');
    console.log(`  level accuracy, bodies:   ${fmt(x.meanLevelAccuracyVertebralBody)} (${x.levelNamedVertebralBodyCases} cases with level names); discs: ${fmt(x.meanLevelAccuracyDisc)} (${x.levelNamedDiscCases})`);
  }
}

main().catch((e: unknown) => {
  console.error(`eval:seg: ${(e as Error).message}`);
  process.exit(1);
});
