/** SPIDER-style folder helpers (series.csv, gradings.csv, <patient>_<sequence>.png) and the pipeline loop over the images of one sequence, shared by eval:grading and the Pfirrmann training export. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { segmentSpine } from '../../extension/src/pipeline/analyze';
import { checkNamesOn, COUNTS_PART_AT } from '../../extension/src/pipeline/level-crosscheck';
import { measureSpine, type DiscAnalysis, type SpineMeasurements } from '../../extension/src/pipeline/measure-spine';
import type { Labelmap, SpineVolume } from '../../extension/src/pipeline/volume';
import type { SegmentInfo } from '../../extension/src/pipeline/report';
import type { LevelNaming } from '../../extension/src/pipeline/anatomy';
import { DISC_FINDINGS, type DiscFinding } from '../../extension/src/pipeline/disc-classifier';
import type { NodeModels } from './node-models';
import { pngVolume } from './png-volume';
import { spiderImageIsThreeD } from './sources';

/** Rows of a plain comma-separated file with a header line (SPIDER's CSVs have no quoted commas). */
export function readCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const keys = head.split(',');
  return lines.map((l) => { const v = l.split(','); return Object.fromEntries(keys.map((k, n) => [k, v[n] ?? ''])); });
}

/** SPIDER IVD label (1 = most caudal disc = L5/S1 in a normally segmented spine) by level name. */
/** gradings.csv column of each binary disc finding the classifier learns (Modic is 0–3: any type counts). */
export const SPIDER_FINDING_COLUMNS: Record<DiscFinding, string> = {
  narrowing: 'Disc narrowing', herniation: 'Disc herniation', bulging: 'Disc bulging', modic: 'Modic', upperEndplate: 'UP endplate', lowerEndplate: 'LOW endplate',
};

/** The readers' disc findings of one gradings.csv row, present when the column's value is above 0. */
export function spiderFindings(grading: Record<string, string>): Record<DiscFinding, boolean> {
  return Object.fromEntries(DISC_FINDINGS.map((f) => [f, Number(grading[SPIDER_FINDING_COLUMNS[f]]) > 0])) as Record<DiscFinding, boolean>;
}

export const IVD_BY_LEVEL: Record<string, number> = { 'L5/S1': 1, 'L4/L5': 2, 'L3/L4': 3, 'L2/L3': 4, 'L1/L2': 5, 'T12/L1': 6, 'T11/T12': 7, 'T10/T11': 8, 'T9/T10': 9 };

/** Patient → fold 0..k−1 (patients sorted by number, dealt round-robin): the one fold assignment of every cross-validation here. */
export function patientFolds(patients: string[], k = 5): Map<string, number> {
  const ids = [...new Set(patients)].sort((a, b) => Number(a) - Number(b));
  return new Map(ids.map((p, n) => [p, n % k]));
}

/**
 * The T2 sequences of a SPIDER-style series.csv: 't2' (2D turbo spin echo, one per patient) and 't2_SPACE' (3D
 * T2 SPACE, some patients). The disc classifier trains on both; eval:grading measures one at a time (--sequence).
 */
export const SPIDER_T2_SEQUENCES = ['t2', 't2_SPACE'] as const;
/** Every sequence eval:grading reads: the T2 ones and 't1' (2D T1 TSE: detection and level names only, the disc classifier reads T2). */
export const SPIDER_SEQUENCES = [...SPIDER_T2_SEQUENCES, 't1'] as const;
export type SpiderSequence = (typeof SPIDER_SEQUENCES)[number];

/** One image of a SPIDER-style folder: its series.csv row, its pixels as a 1-slice SpineVolume, and the sha256 of its PNG file (names the image whatever the folder calls its patient). */
export interface SpiderImage {
  series: string; patient: string; row: Record<string, string>;
  /** A slice of a 3D acquisition (sources.ts spiderImageIsThreeD): all t2_SPACE images and 11 of the t2 ones. */
  threeD: boolean;
  /** The pixels, with MRAcquisitionType '3D' or '2D' as threeD says. */
  volume(): SpineVolume;
  sha256(): string;
}

/** The images of one sequence (default 't2', mostly 2D TSE) listed in series.csv that exist on disk, optionally only some patients; PixelSpacing from the row (row\column mm). */
export function spiderImages(data: string, only?: Set<string> | null, sequence: SpiderSequence = 't2'): SpiderImage[] {
  return readCsv(resolve(data, 'series.csv'))
    .filter((s) => s.sequence === sequence && (!only || only.has(s.patient)) && existsSync(resolve(data, `${s.series}.png`)))
    .map((s) => {
      const thicknessMm = Number(s.slice_thickness_mm) || 4;
      const threeD = spiderImageIsThreeD(s.series_description ?? '', thicknessMm);
      return {
        series: s.series, patient: s.patient, row: s, threeD,
        volume: () => {
          const [rs, cs] = s.pixel_spacing_mm.split('\\').map(Number);
          return { ...pngVolume(resolve(data, `${s.series}.png`), rs, cs, thicknessMm), mrAcquisitionType: threeD ? '3D' : '2D' };
        },
        sha256: () => createHash('sha256').update(readFileSync(resolve(data, `${s.series}.png`))).digest('hex'),
      };
    });
}

/**
 * The T2 images (both sequences) whose discs trained the shipped disc classifier, as PNG sha256 → the cross-validation fold that
 * held the image out (the file the manifest's pfirrmann.trainingImages names, relative to the manifest; written by
 * models/training/pfirrmann.py). Undefined when the manifest names none (a classifier trained before it was recorded).
 * @throws Error when the named file is missing or malformed.
 */
export function classifierTrainingImages(manifestPath: string): Map<string, number> | undefined {
  const file = JSON.parse(readFileSync(manifestPath, 'utf8')).pfirrmann?.trainingImages;
  if (typeof file !== 'string') return undefined;
  const path = resolve(dirname(manifestPath), file);
  if (!existsSync(path)) throw new Error(`${path}: missing (the manifest's pfirrmann.trainingImages names it)`);
  const folds = JSON.parse(readFileSync(path, 'utf8')).foldBySha256;
  if (typeof folds !== 'object' || !folds || Object.values(folds).some((k) => !Number.isInteger(k))) throw new Error(`${path}: expected "foldBySha256": { "<png sha256>": fold }`);
  return new Map(Object.entries(folds as Record<string, number>));
}

/** A graded disc (gradings.csv row) with the disc the pipeline named at that level (L5/S1 = IVD 1), if any, and whether it lies outside the image (outsideImage). */
export interface GradedDisc { ivd: number; grading: Record<string, string>; disc?: DiscAnalysis; outsideImage: boolean }

/**
 * Whether a graded disc (IVD label) lies outside the image: placed from the highest or lowest disc
 * found at the median row spacing per level of the discs found, its centre falls less than half a
 * segment inside the top or bottom edge (rows run head to foot, as SPIDER stores the slices). The readers graded
 * some discs from the whole study that the mid-sagittal PNG does not show (e.g. T11/T12 above its top edge).
 * @param ivdOf IVD label of each disc segment in seg.segments order of discs (undefined = unnamed)
 */
export function outsideImage(vol: SpineVolume, seg: { labelmap: Labelmap; segments: SegmentInfo[] }, ivdOf: (number | undefined)[]): (ivd: number) => boolean {
  const [w, h] = vol.dims;
  const rows = new Map<number, [number, number]>();
  seg.labelmap.values.forEach((s, p) => { if (s) { const a = rows.get(s) ?? [0, 0]; a[0] += Math.floor(p / w); a[1]++; rows.set(s, a); } });
  const discs = seg.segments.filter((x) => x.kind === 'disc').reverse();
  const found = discs.map((d, n) => ({ ivd: ivdOf[n], row: rows.get(d.segmentNumber)! })).filter((d) => d.ivd !== undefined && d.ivd > 0 && d.row)
    .map((d) => ({ ivd: d.ivd!, row: d.row[0] / d.row[1] })).sort((a, b) => a.ivd - b.ivd);
  if (found.length < 2) return () => false;
  const steps = found.slice(1).map((d, n) => (found[n].row - d.row) / (d.ivd - found[n].ivd)).sort((a, b) => a - b);
  const step = steps[steps.length >> 1];
  const [low, high] = [found[0], found[found.length - 1]];
  return (ivd) => ivd > high.ivd ? high.row - (ivd - high.ivd) * step < step / 2 : ivd < low.ivd && low.row + (low.ivd - ivd) * step > h - 1 - step / 2;
}


/**
 * How the same patient's T1 image counted the levels (forEachSpiderImage's check): the same names, other names, or other
 * names where discs one series shows and the other does not account for the difference (the note then says which discs
 * to check; level-crosscheck.ts partingPlaces).
 */
export type NamesOnT1 = 'same' | 'differ' | 'differ-at-unshared-discs';

/** The frame of reference the images of one SPIDER patient are taken to share (forEachSpiderImage's check on the T1). */
const SPIDER_FRAME = 'spider-patient';

/** Whether two images of a patient cover a field of view of the same size (within 5 mm each way). */
export function sameFieldOfView(a: SpiderImage, b: SpiderImage): boolean {
  const size = (s: SpiderImage) => { const [r, c] = s.row.pixel_spacing_mm.split('\\').map(Number); return [Number(s.row.rows) * r, Number(s.row.columns) * c]; };
  const [x, y] = [size(a), size(b)];
  return Math.abs(x[0] - y[0]) <= 5 && Math.abs(x[1] - y[1]) <= 5;
}

/**
 * The viewer's segmentation and measurements on each image of one sequence in turn (a dot on stderr per image), with the
 * image's graded discs matched by level name, and how the levels were named. Where the pipeline fails on an
 * image its error is printed and `ms` and `levelNaming` are undefined (every graded disc then unmatched).
 * @param limit only the first N images.
 * @param only only these patients.
 * @param sequence 't2' (default), 't2_SPACE' or 't1'.
 * @param checkNamesOnT1 check each image's level names on the same patient's T1 image, as the viewer checks them on a
 *   study's sagittal T1 (T2 sequences only).
 */
export async function forEachSpiderImage(
  data: string, models: Pick<NodeModels, 'backend' | 'manifest'>,
  fn: (image: SpiderImage, volume: SpineVolume, ms: SpineMeasurements | undefined, graded: GradedDisc[], levelNaming?: LevelNaming, namesOnT1?: NamesOnT1) => Promise<void> | void, limit?: number, only?: Set<string>,
  sequence: SpiderSequence = 't2', checkNamesOnT1 = false,
): Promise<void> {
  const gradings = readCsv(resolve(data, 'gradings.csv'));
  const t1 = new Map(checkNamesOnT1 && sequence !== 't1' ? spiderImages(data, only, 't1').map((s) => [s.patient, s]) : []);
  for (const image of spiderImages(data, only, sequence).slice(0, limit)) {
    const volume = image.volume();
    let ms: SpineMeasurements | undefined;
    let levelNaming: LevelNaming | undefined;
    let namesOnT1: NamesOnT1 | undefined;
    try {
      const seg = await segmentSpine(volume, models.backend, models.manifest);
      // As the viewer checks the names on a study's sagittal T1 (level-crosscheck.ts). The PNGs carry no position: a T1
      // whose field of view has the T2's size is taken to share its frame of reference, one that does not is not used.
      const other = [t1.get(image.patient)].find((o) => o && sameFieldOfView(image, o));
      levelNaming = other
        ? await checkNamesOn({ ...other.volume(), frameOfReferenceUid: SPIDER_FRAME, role: 'sagittal_t1' }, { ...volume, frameOfReferenceUid: SPIDER_FRAME }, seg.segments, seg.levelNaming, models.backend, models.manifest)
        : seg.levelNaming;
      if (other) namesOnT1 = levelNaming.note === seg.levelNaming.note ? 'same' : levelNaming.note.includes(`. ${COUNTS_PART_AT} `) ? 'differ-at-unshared-discs' : 'differ';
      ms = measureSpine(volume, seg.labelmap, seg.segments);
    } catch (e) { process.stderr.write(`${image.series}: ${(e as Error).message}\n`); }
    const byIvd = new Map((ms?.discs ?? []).filter((d) => d.segment.level && IVD_BY_LEVEL[d.segment.level]).map((d) => [IVD_BY_LEVEL[d.segment.level!], d]));
    const outside = ms ? outsideImage(volume, ms, ms.segments.filter((x) => x.kind === 'disc').reverse().map((d) => IVD_BY_LEVEL[d.level ?? ''])) : () => false;
    const graded = gradings.filter((g) => g.Patient === image.patient).map((g) => {
      const ivd = Number(g['IVD label']);
      return { ivd, grading: g, disc: byIvd.get(ivd), outsideImage: outside(ivd) };
    });
    await fn(image, volume, ms, graded, levelNaming, namesOnT1);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
}
