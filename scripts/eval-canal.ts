/**
 * eval:canal — the dural sac AP diameter (canal.ts) on SPIDER mid-sagittal T2 PNGs against the readers'
 * per-disc herniation / bulging gradings (SPIDER grades no stenosis): AP median and IQR per group and per
 * level, AUC of −AP for herniation and for bulging, why no AP was measured, and the central canal grade
 * distribution (grade/canal.ts), for all matched discs and for the lumbar ones (IVD 1–5). Optional overlay
 * PNGs (dural sac green, each disc's AP line red) and a per-disc CSV, to look at (q1, q3: the interquartile range of
 * the centre profiles the AP is the median of, grade/canal.ts AP_SPREAD_CAUTION_MM). With --sequence t2_SPACE it
 * measures the 3D T2 SPACE images and also the same patients' 2D T2 (19 of the 30: the other 11 't2' images are
 * themselves 3D SPACE slices), and prints the paired AP difference.
 *
 *   npm run eval:canal -- --data ../shared/data/spider_midsagittal [--overlays DIR --overlay-count 10]
 *     [--sequence t2|t2_SPACE] [--patients 3,5] [--list FILE.csv] [--json]
 * The network's class labelmap of each image is cached per model checksum (--seg-cache, default
 * .data/eval-canal-seg; scripts/lib/cached-segmentation.ts), level naming runs afresh, so canal.ts changes
 * re-measure in seconds.
 * Discs are matched to gradings by level name (L5/S1 = IVD 1, scripts/lib/spider.ts). */
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { PNG } from 'pngjs';
import { measureSpine } from '../extension/src/pipeline/measure-spine';
import { AP_SPREAD_CAUTION_MM, gradeCentralCanal } from '../extension/src/pipeline/grade/canal';
import { sagittalFrame, segmentPixels } from '../extension/src/pipeline/measure';
import { VERTEBRA_NAMES } from '../extension/src/pipeline/level-naming';
import type { Labelmap, SpineVolume } from '../extension/src/pipeline/volume';
import { auc } from './lib/grading-metrics';
import { cachedSegmenter } from './lib/cached-segmentation';
import { IVD_BY_LEVEL, readCsv, spiderImages, SPIDER_T2_SEQUENCES, type SpiderImage, type SpiderSequence } from './lib/spider';

/** Grey image cropped to the spine and enlarged ×3, with the dural sac (green), the spinal cord (yellow) and each disc's AP line (red) painted over it. */
function overlay(vol: SpineVolume, labelmap: Labelmap, k: number, duralSac: number | undefined, cord: number | undefined, lines: [number, number][][], out: string): void {
  const [nx, ny] = vol.dims, base = k * nx * ny, zoom = 3;
  let i0 = nx, i1 = 0, j0 = ny, j1 = 0, max = 1;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    max = Math.max(max, vol.voxels[base + i + j * nx]);
    if (labelmap.values[base + i + j * nx]) { i0 = Math.min(i0, i); i1 = Math.max(i1, i); j0 = Math.min(j0, j); j1 = Math.max(j1, j); }
  }
  if (i0 > i1) return;
  const px = sagittalFrame(vol, k).pixelMm;
  i0 = Math.max(0, i0 - Math.round(10 / px)); i1 = Math.min(nx - 1, i1 + Math.round(40 / px));
  const w = (i1 - i0 + 1) * zoom, h = (j1 - j0 + 1) * zoom;
  const red = new Set<number>();
  const frame = sagittalFrame(vol, k);
  for (const [a, b] of lines.filter((l) => l.length === 2)) for (let t = 0; t <= 1; t += 0.005) {
    const [fi, fj] = frame.toIj(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
    red.add(Math.round(fi * zoom) - i0 * zoom + (Math.round(fj * zoom) - j0 * zoom) * w);
  }
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = base + i0 + Math.floor(x / zoom) + (j0 + Math.floor(y / zoom)) * nx;
    const g = Math.round(255 * vol.voxels[p] / max);
    const sac = duralSac !== undefined && labelmap.values[p] === duralSac, inCord = cord !== undefined && labelmap.values[p] === cord;
    png.data.set(red.has(x + y * w) ? [255, 0, 0, 255] : inCord ? [255, 210, g >> 2, 255] : sac ? [g >> 1, Math.min(255, 60 + g), g >> 1, 255] : [g, g, g, 255], 4 * (x + y * w));
  }
  writeFileSync(out, PNG.sync.write(png));
}

/** Sort key of a level name, superior first (T12 < T12/L1 < L1 …, by level-naming.ts's VERTEBRA_NAMES); other names last. */
function levelOrder(name: string): number {
  const n = VERTEBRA_NAMES.indexOf(name.split('/')[0]);
  return n < 0 ? Infinity : 2 * n + (name.includes('/') ? 1 : 0);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const t = q * (s.length - 1), lo = Math.floor(t);
  return s.length ? s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (t - lo) : NaN;
}

interface Row { patient: string; ivd: number; herniation: boolean; bulging: boolean; apMm: number | null; grade: string; reason?: string; apQuartilesMm?: [number, number]; csfEffaced: boolean }
interface Stats { n: number; median: number; q1: number; q3: number }

function summarize(rows: Row[]) {
  const withAp = rows.filter((r) => r.apMm !== null);
  const stats = (xs: number[]): Stats => ({ n: xs.length, median: quantile(xs, 0.5), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75) });
  const ap = (f: (r: Row) => boolean) => stats(withAp.filter(f).map((r) => r.apMm!));
  const stenosisGrades: Record<string, number> = {}, notFoundReasons: Record<string, number> = {};
  for (const r of rows) stenosisGrades[r.grade] = (stenosisGrades[r.grade] ?? 0) + 1;
  for (const r of rows) if (r.apMm === null) notFoundReasons[r.reason ?? '?'] = (notFoundReasons[r.reason ?? '?'] ?? 0) + 1;
  const normal = (r: Row) => !r.herniation && !r.bulging;
  return {
    matchedDiscs: rows.length, withAp: withAp.length,
    apMm: {
      all: ap(() => true), noHerniationNoBulging: ap(normal), herniation: ap((r) => r.herniation), bulging: ap((r) => r.bulging),
      noHerniationNoBulgingByIvd: Object.fromEntries([...new Set(rows.map((r) => r.ivd))].sort((a, b) => a - b).map((i) => [i, ap((r) => normal(r) && r.ivd === i)])),
    },
    aucMinusAp: { herniation: auc(withAp.map((r) => -r.apMm!), withAp.map((r) => r.herniation)), bulging: auc(withAp.map((r) => -r.apMm!), withAp.map((r) => r.bulging)) },
    stenosisGrades, notFoundReasons,
    // Over-calling, as far as these labels tell: severe where the readers saw neither herniation nor bulging (and at IVD 1, L5/S1).
    severeNoHerniationNoBulging: { severe: rows.filter((r) => normal(r) && r.grade === 'severe').length, discs: rows.filter(normal).length },
    severeNoHerniationNoBulgingIvd1: { severe: rows.filter((r) => normal(r) && r.ivd === 1 && r.grade === 'severe').length, discs: rows.filter((r) => normal(r) && r.ivd === 1).length },
    // How often the readers saw a herniation where the CSF is effaced, against all discs (grade/canal.ts EFFACED_HERNIATION_HINT).
    herniation: {
      whereCsfEffaced: { herniated: rows.filter((r) => r.csfEffaced && r.herniation).length, discs: rows.filter((r) => r.csfEffaced).length },
      all: { herniated: rows.filter((r) => r.herniation).length, discs: rows.length },
    },
    // The centre profiles' interquartile range (grade/canal.ts apSpreadCaution): how often the posterior wall is unclear.
    apSpreadOverCaution: {
      discs: withAp.filter((r) => r.apQuartilesMm && r.apQuartilesMm[1] - r.apQuartilesMm[0] > AP_SPREAD_CAUTION_MM).length,
      withSpread: withAp.filter((r) => r.apQuartilesMm).length,
    },
  };
}

type Segmenter = ReturnType<typeof cachedSegmenter>;

/**
 * Where the spinal cord drawn on the mid-sagittal slice (cord.ts) ends: the level name of the vertebral body or disc
 * whose outline on that slice spans its lowest point ('between' when none does), 'none' without a cord.
 */
function cordEnd(vol: SpineVolume, ms: ReturnType<typeof measureSpine>): string {
  const cord = ms.segments.find((x) => x.kind === 'spinal_cord')?.segmentNumber;
  if (cord === undefined) return 'none';
  const frame = sagittalFrame(vol, ms.sliceIndex);
  const heights = (segmentNumber: number) => segmentPixels(vol, ms.labelmap, frame, segmentNumber).map((p) => p.si);
  const lowest = Math.min(...heights(cord));
  const at = ms.segments.filter((x) => x.kind === 'vertebral_body' || x.kind === 'disc').filter((x) => {
    const si = heights(x.segmentNumber);
    return si.length > 0 && Math.min(...si) <= lowest && lowest <= Math.max(...si);
  });
  // A body before a disc where their outlines overlap at that height.
  return (at.find((x) => x.kind === 'vertebral_body') ?? at[0])?.level ?? 'between';
}

/** Canal AP and grade of every graded disc found (matched by level name) on these images, and where each image's spinal cord ends (cordEnd); optional overlays. */
async function measureRows(series: SpiderImage[], grades: Record<string, string>[], segmenter: Segmenter, overlays?: { dir: string; count: number }): Promise<{ rows: Row[]; cordEnds: string[] }> {
  const rows: Row[] = [], cordEnds: string[] = [];
  let written = 0;
  for (const s of series) {
    const vol = s.volume();
    const seg = await segmenter.segment(vol, s.series);
    let ms: ReturnType<typeof measureSpine> | undefined;
    try { ms = measureSpine(vol, seg.labelmap, seg.segments); } catch (e) { process.stderr.write(`${s.series}: ${(e as Error).message}\n`); }
    const byIvd = new Map((ms?.discs ?? []).filter((d) => d.segment.level && IVD_BY_LEVEL[d.segment.level]).map((d) => [IVD_BY_LEVEL[d.segment.level!], d]));
    for (const g of grades.filter((x) => x.Patient === s.patient)) {
      const d = byIvd.get(Number(g['IVD label']));
      if (!d) continue;
      rows.push({ patient: s.patient, ivd: Number(g['IVD label']), herniation: g['Disc herniation'] === '1', bulging: g['Disc bulging'] === '1', apMm: d.canalApMm, grade: gradeCentralCanal(d.canalApMm, [], null, undefined, d.canalCsfEffaced).value ?? 'not assessable', reason: d.canalReason, apQuartilesMm: d.canalApQuartilesMm, csfEffaced: !!d.canalCsfEffaced });
    }
    if (ms) cordEnds.push(cordEnd(vol, ms));
    if (ms && overlays && written < overlays.count) {
      const numberOf = (kind: string) => ms!.segments.find((x) => x.kind === kind)?.segmentNumber;
      overlay(vol, ms.labelmap, ms.sliceIndex, numberOf('dural_sac'), numberOf('spinal_cord'), ms.discs.map((d) => d.canalApLineMm ?? []), resolve(overlays.dir, `${s.series}.png`));
      written++;
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return { rows, cordEnds };
}

/**
 * AP on this sequence minus AP on the same patient's 2D T2 at the same lumbar disc (IVD 1–5), where both were
 * measured: median and IQR, mm (n = 0: no pair). Patients whose only T2 is 3D have no pair. The two slices need not
 * lie in the same plane, so this is agreement, not error.
 */
function pairedDifference(rows: Row[], t2Rows: Row[]): Stats & { medianAbs: number } {
  const t2 = new Map(t2Rows.filter((r) => r.apMm !== null).map((r) => [`${r.patient} ${r.ivd}`, r.apMm!]));
  const d = rows.filter((r) => r.ivd <= 5 && r.apMm !== null && t2.has(`${r.patient} ${r.ivd}`)).map((r) => r.apMm! - t2.get(`${r.patient} ${r.ivd}`)!);
  return { n: d.length, median: quantile(d, 0.5), q1: quantile(d, 0.25), q3: quantile(d, 0.75), medianAbs: quantile(d.map(Math.abs), 0.5) };
}

async function main() {
  const o = new Command().requiredOption('--data <dir>', 'folder with series.csv, gradings.csv, <patient>_t2.png')
    .option('--sequence <name>', "'t2' (SPIDER's T2, mostly 2D TSE) or 't2_SPACE' (3D T2 SPACE); the sac is found by its bright CSF, so not T1", 't2')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--seg-cache <dir>', 'cached network class labelmaps (one gzip per image)', '.data/eval-canal-seg')
    .option('--patients <list>', 'only these patients (comma-separated)')
    .option('--overlays <dir>', 'write overlay PNGs here')
    .option('--overlay-count <n>', 'how many overlays', '10')
    .option('--list <file>', 'write one CSV row per matched disc (patient, IVD, herniation, bulging, AP, grade, reason)')
    .option('--json', 'print JSON').parse()
    .opts<{ data: string; model: string; segCache: string; patients?: string; overlays?: string; overlayCount: string; list?: string; json?: boolean; sequence: string }>();
  const sequence = o.sequence as SpiderSequence;
  if (!(SPIDER_T2_SEQUENCES as readonly string[]).includes(sequence)) throw new Error(`--sequence must be one of ${SPIDER_T2_SEQUENCES.join(', ')}, not '${o.sequence}'`);
  if (!existsSync(resolve(o.data, 'gradings.csv'))) throw new Error(`${o.data}: no gradings.csv (expected a SPIDER-style folder)`);
  const segmenter = cachedSegmenter(resolve(o.model), resolve(o.segCache));
  if (o.overlays) mkdirSync(resolve(o.overlays), { recursive: true });
  const only = o.patients ? new Set(o.patients.split(',')) : null;
  const series = spiderImages(o.data, only, sequence);
  const grades = readCsv(resolve(o.data, 'gradings.csv'));
  const { rows, cordEnds } = await measureRows(series, grades, segmenter, o.overlays ? { dir: resolve(o.overlays), count: Number(o.overlayCount) } : undefined);
  // The same patients' 2D T2 (their 't2' image where it is not itself a 3D slice), measured alike: does the 3D sequence read the same sac the same?
  const paired = sequence === 't2' ? undefined
    : pairedDifference(rows, (await measureRows(spiderImages(o.data, new Set(series.map((s) => s.patient)), 't2').filter((s) => !s.threeD), grades, segmenter)).rows);

  if (o.list) writeFileSync(o.list, ['patient,ivd,herniation,bulging,apMm,grade,reason,q1,q3', ...rows.map((r) => [r.patient, r.ivd, +r.herniation, +r.bulging, r.apMm?.toFixed(1) ?? '', r.grade, `"${r.reason ?? ''}"`, r.apQuartilesMm?.[0].toFixed(1) ?? '', r.apQuartilesMm?.[1].toFixed(1) ?? ''].join(','))].join('\n') + '\n');
  const cordEndCounts: Record<string, number> = {};
  for (const e of cordEnds.filter((x) => x !== 'none')) cordEndCounts[e] = (cordEndCounts[e] ?? 0) + 1;
  const spinalCord = { images: cordEnds.length, drawn: cordEnds.filter((x) => x !== 'none').length, endsAt: cordEndCounts };
  const result = { all: summarize(rows), lumbarIvd1to5: summarize(rows.filter((r) => r.ivd <= 5)), spinalCord, ...(paired ? { lumbarApMinus2dT2ApMm: paired } : {}) };
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  const f = (s: Stats) => `n=${s.n} median ${s.median.toFixed(1)} mm (IQR ${s.q1.toFixed(1)}–${s.q3.toFixed(1)})`;
  for (const [name, r] of [['all matched discs', result.all], ['lumbar discs (IVD 1–5)', result.lumbarIvd1to5]] as const) {
    console.log(`SPIDER mid-sagittal ${sequence === 't2' ? 'T2' : 'T2 SPACE (3D)'}, ${name}: ${r.matchedDiscs} graded discs matched by level name, ${r.withAp} with a canal AP`);
    console.log(`  canal AP all: ${f(r.apMm.all)}`);
    console.log(`  no herniation, no bulging: ${f(r.apMm.noHerniationNoBulging)}`);
    console.log(`  herniation: ${f(r.apMm.herniation)}; bulging: ${f(r.apMm.bulging)}`);
    console.log(`  AUC of −AP: herniation ${r.aucMinusAp.herniation.toFixed(3)}, bulging ${r.aucMinusAp.bulging.toFixed(3)}`);
    for (const [k, v] of Object.entries(r.notFoundReasons)) console.log(`  no AP (${v}): ${k}`);
    console.log(`  central canal grades: ${Object.entries(r.stenosisGrades).map(([k, v]) => `${k} ${v} (${(100 * v / r.matchedDiscs).toFixed(0)} %)`).join(', ')}`);
    const n = r.severeNoHerniationNoBulging, n1 = r.severeNoHerniationNoBulgingIvd1;
    console.log(`  severe where the readers saw no herniation and no bulging: ${n.severe} of ${n.discs} (IVD 1: ${n1.severe} of ${n1.discs})`);
    console.log(`  centre profiles disagreeing by an interquartile range over ${AP_SPREAD_CAUTION_MM} mm (the grade's caution): ${r.apSpreadOverCaution.discs} of ${r.apSpreadOverCaution.withSpread}`);
    const h = r.herniation, pc = (x: { herniated: number; discs: number }) => `${x.herniated} of ${x.discs} (${x.discs ? (100 * x.herniated / x.discs).toFixed(0) : '–'} %)`;
    console.log(`  herniation (readers) where the CSF is effaced: ${pc(h.whereCsfEffaced)}; at all matched discs: ${pc(h.all)}`);
  }
  console.log('no herniation, no bulging, by IVD:');
  for (const [i, s] of Object.entries(result.all.apMm.noHerniationNoBulgingByIvd)) console.log(`  IVD ${i}: ${f(s)}`);
  // No reader marked the conus on these images: the check is that the cord ends where the conus does in adults.
  const byLevel = Object.entries(spinalCord.endsAt).sort(([a], [b]) => levelOrder(a) - levelOrder(b)).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`spinal cord drawn on ${spinalCord.drawn} of ${spinalCord.images} images${spinalCord.drawn ? `; its lowest point at ${byLevel} (the body or disc at its height on the mid-sagittal slice; the conus ends between the middle third of T12 and the upper third of L3 in adults, Saifuddin 1998)` : ''}`);
  if (paired) {
    console.log(paired.n
      ? `lumbar discs (IVD 1–5) measured on both: AP here minus AP on the same patient's 2D T2: n=${paired.n} median ${paired.median.toFixed(1)} mm (IQR ${paired.q1.toFixed(1)}–${paired.q3.toFixed(1)}), median absolute ${paired.medianAbs.toFixed(1)} mm`
      : "no lumbar disc measured both here and on the same patient's 2D T2 (no pair to compare)");
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
