/**
 * Level names checked against a second count: the study's other sagittal series (the T1 beside the analysed T2), in the
 * same frame of reference, segmented and named the same way on its slices through the analysed discs. Where the two
 * counts name the same discs differently, at least one is wrong, so the names are marked uncertain and the note says
 * how they differ; they are never changed. Framework-free.
 *
 * Why (project measurement, `npm run eval:grading`, 2026-12-05, "level names checked on the same patient's T1
 * image"): of SPIDER's 172 T2 images, 129 have a T1 image of the same field-of-view size (taken as the same frame of
 * reference: the PNGs carry no position); its count named the discs differently on 28, 20 of which the T2's own
 * count had named with certainty. Those 20 were twice as often among the images whose out-of-sample Pfirrmann grades
 * fit the readers' better under shifted names (4 of 20, against 10 of the 114 images still named with certainty).
 */
import { segmentSpine } from './analyze';
import { VERTEBRA_NAMES, type LevelNaming } from './level-naming';
import type { InferenceBackend, ModelManifest } from './model';
import type { SegmentInfo } from './report';
import type { SpineVolume, Vec3 } from './volume';

/** Discs of the two series are the same disc when their centroids lie this close (mm; discs lie 30–45 mm apart). */
export const SAME_DISC_MM = 10;
/**
 * The other series' slices segmented: those within this distance (mm) of the analysed discs' left–right centre, at
 * most SLAB_MAX_SLICES of them (a 3D T1 of 1 mm slices would otherwise cost 11 slices of inference for one count).
 */
export const SLAB_HALF_WIDTH_MM = 5;
export const SLAB_MAX_SLICES = 5;

/** Vertebrae from one name to another ('L5' → 'S1' = +1), by the upper body of a disc name. */
const vertebraIndex = (level: string) => VERTEBRA_NAMES.indexOf(level.split('/')[0]);

const namedDiscs = (s: SegmentInfo[]) => s.filter((x) => x.kind === 'disc' && x.level && vertebraIndex(x.level) >= 0);

/** The disc of `among` nearest to `d` when within SAME_DISC_MM (LPS), else undefined. */
function sameDisc(d: SegmentInfo, among: SegmentInfo[]): SegmentInfo | undefined {
  const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const near = among.map((o) => ({ o, mm: dist(d.centroidLps, o.centroidLps) })).sort((a, b) => a.mm - b.mm)[0];
  return near && near.mm <= SAME_DISC_MM ? near.o : undefined;
}

/** Each named analysed disc `d` with the named disc `m` of `other` at its position (sameDisc), in the order of `analysed`. */
function matchedDiscs(analysed: SegmentInfo[], other: SegmentInfo[]): { d: SegmentInfo; m: SegmentInfo }[] {
  const others = namedDiscs(other);
  return namedDiscs(analysed).flatMap((d) => { const m = sameDisc(d, others); return m ? [{ d, m }] : []; });
}

/** The vertebrae the other count's name of a matched disc lies below the analysed one (+1: one level lower). */
const shiftOf = ({ d, m }: { d: SegmentInfo; m: SegmentInfo }) => vertebraIndex(m.level!) - vertebraIndex(d.level!);

/**
 * How the other count names the analysed discs: for each analysed disc matched by position (SAME_DISC_MM, LPS) to one
 * of `other`, the vertebrae its name lies below the analysed one (+1: the other names it one level lower).
 * @returns the matched pairs, analysed superior→inferior
 */
export function nameDifferences(analysed: SegmentInfo[], other: SegmentInfo[]): { level: string; otherLevel: string; shift: number }[] {
  return matchedDiscs(analysed, other).map((p) => ({ level: p.d.level!, otherLevel: p.m.level!, shift: shiftOf(p) }));
}

/** A disc its series put below S1 (S1/S2 …): no name of that count depends on it. */
const belowSacrum = (d: SegmentInfo) => vertebraIndex(d.level!) > VERTEBRA_NAMES.indexOf('L5');

/** A run of adjacent discs that one series shows and the other does not, where the two counts part. */
export interface PartingPlace {
  shownBy: 'analysed' | 'other';
  /** The run's discs, superior → inferior. */
  discs: SegmentInfo[];
  /** The analysed series' disc nearest above the run (the note measures an other-series run from it). */
  analysedAbove: SegmentInfo;
  /** No analysed disc (of those above S1) lies below the run: every analysed name depends on it. */
  lowest: boolean;
}

/**
 * Where the two counts part, when the discs one series shows and the other does not account for every difference:
 * both counts start at the sacrum, so a disc shown on one series only moves by one level the names of the discs above it
 * on that series. The rule holds when each shared disc's name difference (other − analysed, in vertebrae) equals the
 * number of unshared discs below it on the analysed series minus those on the other. Unshared discs above every shared
 * disc move no shared name and are left out (the other series' slab or field may not reach them), and so are those a
 * series named below S1. On SPIDER's 28 T2 images whose T1 count differed this holds for 23 (`npm run eval:grading`,
 * 2026-12-06): on 17 the counts part only at the lowest disc (a dark L5/S1 one network missed, or a sacral remnant or
 * tissue in front of the sacrum the other took for a disc), on 6 also or only at a disc between shared ones (one
 * network missed it, or split one in two).
 * @returns the places superior → inferior; undefined when the unshared discs do not account for the names (e.g. both
 *   series show the same discs and name them apart: they take different bodies for S1) or when no disc is shared.
 */
export function partingPlaces(analysed: SegmentInfo[], other: SegmentInfo[]): PartingPlace[] | undefined {
  const [a, o] = [namedDiscs(analysed), namedDiscs(other)];
  const z = (d: SegmentInfo) => d.centroidLps[2];
  const shared = matchedDiscs(analysed, other);
  if (!shared.length) return undefined;
  const top = Math.max(...shared.map((s) => z(s.d)));
  const unshared = [
    ...a.filter((d) => !shared.some((s) => s.d === d)).map((d) => ({ d, side: 'analysed' as const })),
    ...o.filter((d) => !sameDisc(d, a)).map((d) => ({ d, side: 'other' as const })),
  ].filter((u) => z(u.d) < top && !belowSacrum(u.d));
  const belowOn = (side: PartingPlace['shownBy'], zz: number) => unshared.filter((u) => u.side === side && z(u.d) < zz).length;
  const explained = shared.every((p) => shiftOf(p) === belowOn('analysed', z(p.d)) - belowOn('other', z(p.d)));
  if (!unshared.length || !explained) return undefined;
  // Superior → inferior, shared discs breaking the runs of one side's unshared discs.
  const walk = [...shared.map(({ d }) => ({ d, side: 'shared' as const })), ...unshared].sort((p, q) => z(q.d) - z(p.d));
  const places: PartingPlace[] = [];
  walk.forEach((w, i) => {
    if (w.side === 'shared') return;
    if (walk[i - 1]?.side === w.side) { places[places.length - 1].discs.push(w.d); return; }
    const analysedAbove = a.filter((x) => z(x) > z(w.d)).reduce((lo, x) => (z(x) < z(lo) ? x : lo));
    places.push({ shownBy: w.side, discs: [w.d], analysedAbove, lowest: false });
  });
  return places.map((p) => ({ ...p, lowest: !a.some((x) => !belowSacrum(x) && z(x) < z(p.discs[p.discs.length - 1])) }));
}

/** Opens the note's sentence on where the counts part (whereToCheck); `npm run eval:grading` counts the notes that have it. */
export const COUNTS_PART_AT = 'They part';

/** What one parting place means, as the reader checks it on the image: `[where, what either answer means]`. */
function placeText(p: PartingPlace): [string, string] {
  const k = p.discs.length, levels = `${k} level${k > 1 ? 's' : ''}`;
  const names = p.lowest ? 'every name here' : 'every name here above it';
  if (p.shownBy === 'analysed') {
    const [is, are, them] = k > 1 ? ['they are discs', 'they are', 'them'] : ['it is a disc', 'it is', 'it'];
    const notADisc = p.lowest ? ' (a sacral remnant, or tissue in front of the sacrum)' : '';
    return [`at this series' ${p.discs.map((d) => d.level).join(' and ')}: that series shows no disc there`,
      `whether ${is}: if ${are}, that series missed ${them}; if not${notADisc}, ${names} is ${levels} too high`];
  }
  const mm = Math.round(p.analysedAbove.centroidLps[2] - p.discs[0].centroidLps[2]);
  const [some, isThere, there, them] = k > 1 ? [`${k} discs, the first`, 'there are discs', 'there are', 'them'] : ['a disc', 'there is a disc', 'there is', 'it'];
  return [`below this series' ${p.analysedAbove.level}: that series shows ${some} ${mm} mm below it, where this series has none`,
    `whether ${isThere} there: if ${there}, this series missed ${them} and ${names} is ${levels} too low; if not, that series took something else for ${k > 1 ? 'discs' : 'a disc'}`];
}

/** What the reader can check on the image where the unshared discs account for the names (partingPlaces), else the generic advice. */
function whereToCheck(analysed: SegmentInfo[], other: SegmentInfo[]): string {
  const places = partingPlaces(analysed, other);
  if (!places) return ' — count on a localiser or whole-spine image.';
  if (places.length === 1) {
    const [where, means] = placeText(places[0]);
    return `. ${COUNTS_PART_AT} ${where}. Check on the image ${means}.`;
  }
  const each = places.map((p) => placeText(p)).map(([where, means], i) => ` ${i + 1}) ${where[0].toUpperCase()}${where.slice(1)}. Check ${means}.`);
  return `. ${COUNTS_PART_AT} in ${places.length} places; check each on the image.${each.join('')}`;
}

/**
 * `naming` with the other count's verdict: unchanged where every matched disc has the same name (or none matched);
 * otherwise uncertain, its note saying how the other series names them and, where discs one series shows and the other
 * does not account for that, what to check where they part (partingPlaces).
 * @param otherName how the note names the other series ('the sagittal T1 "T1 TSE SAG"')
 */
export function crossCheckedNaming(naming: LevelNaming, analysed: SegmentInfo[], other: SegmentInfo[], otherName: string): LevelNaming {
  const differ = nameDifferences(analysed, other).filter((p) => p.shift !== 0);
  if (!differ.length) return naming;
  const shifts = [...new Set(differ.map((p) => p.shift))];
  const how = shifts.length === 1 ? `${Math.abs(shifts[0])} level${Math.abs(shifts[0]) > 1 ? 's' : ''} ${shifts[0] > 0 ? 'lower' : 'higher'}` : 'differently';
  const example = differ[differ.length - 1];
  const note = `${naming.note} Counted the same way on ${otherName}, the discs are named ${how} (its ${example.otherLevel} is this series' ${example.level}): one of the two counts is wrong${whereToCheck(analysed, other)}`;
  return { ...naming, certain: false, note };
}

/**
 * The slices of `other` through the analysed discs (within SLAB_HALF_WIDTH_MM of their centroids' median along the
 * other series' slice direction, at most SLAB_MAX_SLICES), as a volume of their own; undefined when none lies there.
 */
export function slabThrough(other: SpineVolume, analysed: SegmentInfo[]): SpineVolume | undefined {
  const discs = analysed.filter((x) => x.kind === 'disc');
  if (!discs.length) return undefined;
  const along = (p: Vec3) => p.reduce((s, v, a) => s + (v - other.originLps[a]) * other.sliceDirection[a], 0) / other.spacingMm[2];
  const centre = discs.map((d) => along(d.centroidLps)).sort((a, b) => a - b)[Math.floor(discs.length / 2)];
  const half = Math.min(SLAB_HALF_WIDTH_MM / other.spacingMm[2], (SLAB_MAX_SLICES - 1) / 2);
  const k0 = Math.max(0, Math.ceil(centre - half)), k1 = Math.min(other.dims[2] - 1, Math.floor(centre + half));
  if (k0 > k1) return undefined;
  const [nx, ny] = other.dims, perSlice = nx * ny;
  const origin = other.originLps.map((v, a) => v + other.sliceDirection[a] * k0 * other.spacingMm[2]) as Vec3;
  return {
    ...other,
    voxels: other.voxels.subarray(k0 * perSlice, (k1 + 1) * perSlice),
    dims: [nx, ny, k1 - k0 + 1],
    originLps: origin,
    sopInstanceUids: other.sopInstanceUids.slice(k0, k1 + 1),
    ...(other.frameNumbers ? { frameNumbers: other.frameNumbers.slice(k0, k1 + 1) } : {}),
  };
}

/**
 * The analysed series' level naming checked against `other` (crossCheckedNaming) after segmenting its slab through the
 * analysed discs (slabThrough) with the same network; `naming` unchanged when `other` lies in another frame of
 * reference (its positions cannot be compared), has no slice there, or cannot be segmented (a second opinion that
 * fails must not fail the analysis).
 * @throws the AbortSignal's reason when cancelled
 */
export async function checkNamesOn(other: SpineVolume | undefined, volume: SpineVolume, analysed: SegmentInfo[], naming: LevelNaming,
  backend: InferenceBackend, manifest: ModelManifest, signal?: AbortSignal): Promise<LevelNaming> {
  if (!other || !other.frameOfReferenceUid || other.frameOfReferenceUid !== volume.frameOfReferenceUid) return naming;
  const slab = slabThrough(other, analysed);
  if (!slab) return naming;
  let seg: Awaited<ReturnType<typeof segmentSpine>>;
  try {
    seg = await segmentSpine(slab, backend, manifest, { signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    return naming;
  }
  const name = `the sagittal ${other.role === 'sagittal_t1' ? 'T1' : other.role === 'sagittal_stir' ? 'STIR' : 'series'}${other.seriesDescription ? ` "${other.seriesDescription}"` : ''}`;
  return crossCheckedNaming(naming, analysed, seg.segments, name);
}
