/**
 * Anatomy: class labelmap → instances (vertebral bodies, discs) ordered superior→inferior, level
 * names counted from the lumbosacral junction, SegmentInfo[] and a labelmap of segment numbers.
 * Framework-free. Coordinates: DICOM LPS (+z superior).
 *
 * Level naming (how a radiologist counts on a lumbar sagittal MR without a whole-spine localiser):
 * find the sacrum, call the lowest mobile (lumbar-type) body above it L5, count upward (L4 … L1,
 * T12, T11 …). Discs are named by their neighbours (L4/L5; L5/S1 below L5). The sacrum is found, in
 * this order: segmented bodies below the lowest disc (sacral segments are fused: no disc between
 * them); a body stepping posteriorly like the promontory; a disc below the lowest body with imaged
 * tissue below it; else the lowest complete body is assumed to be L5 (uncertain).
 *
 * Before naming, labels well in front of the spinal column (pelvic bowel loops) are dropped
 * (column.ts); when the count makes "L5" a body that steps back like S1 above a lowest disc lying in
 * front of it, that disc and the bodies below are presacral tissue: dropped, and the count restarts with
 * that body as S1 (column.ts dropPresacral); after naming, a disc the network missed between two adjacent named bodies is painted
 * in the disc space by rule and marked inferred (infer-discs.ts).
 */
import type { Labelmap, SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import type { SegmentInfo, SpineReport } from './report';
import { connectedComponents, defaultMinComponentMm3, splitComponent, type Component, type ComponentResult } from './components';
import { bodiesBetweenDiscs, discPlanes } from './split-by-discs';
import { discSpaceBetween, INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR, INFERRED_DISC_MIN_SPACING_FRACTION } from './infer-discs';
import { dropPresacral, keepOnColumn, lowerLumbarForwardStep, OFF_COLUMN_MAX_POSTERIOR_MM, OFF_COLUMN_MIN_ANTERIOR_MM } from './column';
import { trimToOutline } from './outline-trim';
import type { ClassLabelmap } from './segment';

export type LevelNaming = SpineReport['levelNaming'];

/** Vertebra names from the top; L5 is index 23. */
export const VERTEBRA_NAMES: readonly string[] = [
  ...Array.from({ length: 7 }, (_, i) => `C${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `T${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `L${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `S${i + 1}`),
];
const L5 = VERTEBRA_NAMES.indexOf('L5');

/**
 * Imaged extent (mm) that must lie below a disc with no vertebral body segmented in it for the bone
 * below that disc to count as the sacrum. 20 mm is below the height of any adult lumbar vertebral
 * body (≈ 25–30 mm), so a lumbar-type body there would have been at least partly in view.
 * Heuristic of this project, not from a paper.
 */
export const SACRUM_MIN_IMAGED_BELOW_DISC_MM = 20;

/**
 * …but with this much or more imaged below that disc, the names it gives are marked uncertain: S1 and S2
 * (≈ 30 mm each) then lie wholly in the field, and the network segments at least part of the sacrum as
 * vertebral body in most studies (144 of 172 SPIDER T2 images are anchored on a segmented sacral body), so
 * nothing segmented there more often means the network stopped short of the lower lumbar spine. Project
 * heuristic from the 12 SPIDER images named by this rule, checked on overlays: the 5 with 21–44 mm below
 * were named right (one of them on bowel taken for bodies); of the 7 with 77–150 mm below, at least 5 had
 * one to three lumbar vertebrae unsegmented below the "L5/S1" disc.
 */
export const SACRUM_UNCERTAIN_IMAGED_BELOW_DISC_MM = 60;

/**
 * When the sacrum is recognised by a single vertebral-body segment below the lowest disc (S1) and this much or more
 * is imaged below that segment with nothing segmented, the names are marked uncertain: below S1, the rest of the
 * sacrum and the coccyx measure roughly 100–120 mm in adults (textbook lengths: sacrum about 10 cm from the S1
 * endplate, coccyx about 3 cm), so a field reaching 150 mm further down shows bone the network missed — more often
 * the lower lumbar spine, with the segment called S1 a lumbar body. Project heuristic: on the SPIDER T2 images named
 * certain from a single sacral segment, up to 100 mm lay below a correctly named S1 (patients 9, 37, checked on
 * overlays); the one image with more (236 mm, patient 181) had L4, L5 and the sacrum unsegmented below its "S1".
 */
export const SACRUM_UNCERTAIN_IMAGED_BELOW_S1_MM = 150;

/**
 * Below this median front-to-back depth of the vertebral bodies (mm), level names are marked uncertain and the note
 * says why: adult lumbar vertebral bodies measure about 30–35 mm from front to back, cervical ones about 15–17 mm
 * (Panjabi M.M. et al., Spine 1992;17(3):299–306 lumbar and 1991;16(8):861–869 cervical), so bodies this small mean
 * a cervical series without a header saying so, or a PixelSpacing that does not fit the image — either way the
 * lumbar count and every mm value are wrong. Project threshold, between the two: on the 172 SPIDER T2 images this
 * median was 26–54 mm, except on the three whose PixelSpacing does not fit the image (SPIDER 15, 123, 209: 10, 16 and
 * 20 mm; README) — measured with segmentation network v1.1.0; with v1.2.0, 209 measures above the threshold (its names
 * stay uncertain: fewer than four discs segmented).
 */
export const MIN_BODY_DEPTH_MM = 22;

/** Median front-to-back depth (mm) of the bodies that do not touch the top or bottom edge, sacral ones left out; NaN with none. */
function medianBodyDepthMm(bodies: Instance[], volume: SpineVolume, verticalAxis: 0 | 1): number {
  const ap = 1 - verticalAxis;
  const depths = bodies
    .filter((b) => !b.touchesSuperiorEdge && !b.touchesInferiorEdge && !b.level?.startsWith('S'))
    .map((b) => (b.maxIjk[ap] - b.minIjk[ap] + 1) * volume.spacingMm[ap]);
  return depths.length ? median(depths) : NaN;
}

/**
 * With fewer named discs than this, level names are marked uncertain: a lumbar sagittal series shows at least
 * the five lumbar discs, so the network has missed part of the spine and what it did segment may not be where
 * the count assumes. Project heuristic: in the SPIDER T2 images, the 4 images with fewer than 4 named discs
 * all had the lower lumbar spine unsegmented (names 1–3 levels off).
 */
export const MIN_NAMED_DISCS_FOR_CERTAIN_NAMES = 4;

/**
 * A segmented body is taken as S1 (the sacral promontory; the first such body from the top) when,
 * going from the body above it, its centroid moves posteriorly by at least this fraction of its
 * inferior drop: the sacrum's tilt puts S1 behind L5, while lumbar bodies stack nearly vertically.
 * Project heuristic (not from a paper), from ../shared/data/segmentation: lumbar steps are ≤ 0.47 on
 * the ground-truth masks of the vb1/vb2 cases and ≤ 0.32 (L4→L5) on the network's masks of the vb3
 * cases; steps onto S1 are ≥ 0.74 on ground-truth masks but 0.4–0.9 (median 0.57) on the network's
 * masks, which cover only part of S1 (the training labels stop at L5).
 */
export const S1_MIN_POSTERIOR_PER_INFERIOR = 0.5;

/**
 * …and when its inferior drop is at least this fraction of the median centroid spacing of the
 * bodies, so that two fragments side by side (e.g. cut by the top edge of the image) are no step.
 * Project heuristic: S1 lies a whole segment below L5.
 */
export const S1_MIN_DROP_FRACTION_OF_SPACING = 0.5;

/**
 * The lowest disc counts as a sacral remnant (a rudimentary S1/S2 disc, often visible on T2) rather
 * than L5/S1 only when S1 by shape lies above it and its volume is below this fraction of the median
 * of the (up to) three discs above it: a remnant is much smaller than the discs of mobile segments.
 * Project heuristic (not from a paper): in the 10 SPIDER images where the two sacrum rules disagree,
 * 8 lowest discs were remnants at 0.24–0.62 or L5/S1 discs at 0.86–1.20 of that median (2 fit neither).
 */
export const SACRAL_REMNANT_MAX_FRACTION = 0.75;

/**
 * A complete body counts as "lumbar-type" (for the transitional-vertebra warning) when its volume
 * is at least this fraction of the median volume of the lowest three complete bodies. Heuristic:
 * lumbar bodies grow caudally and thoracic bodies are clearly smaller; it does not see ribs, so it
 * can neither confirm nor exclude a transitional vertebra — it only raises a flag.
 */
export const LUMBAR_TYPE_MIN_VOLUME_FRACTION = 0.85;

/**
 * Instances smaller than this fraction of the median volume of their kind (median of the larger
 * half of the instances, so specks do not lower it), and not cut by the
 * superior/inferior edge of the image, are dropped as spurious (e.g. a speck of "vertebral body" in
 * a posterior element). A real adult body or disc is rarely < 40% of its neighbours' median
 * (vertebral volume grows ~5–10% per level); 0.2 leaves room for collapsed (fractured) bodies.
 */
export const MIN_INSTANCE_FRACTION_OF_MEDIAN = 0.2;

export interface AnatomyClassIndices {
  /** Class value of vertebral bodies in the class labelmap (manifest class 'vertebral_body'). */
  vertebralBody: number;
  /** Class value of discs (manifest class 'disc'); -1 when the model has none. */
  disc: number;
}

export interface AnatomyOptions {
  /** Components below this volume are dropped (default defaultMinComponentMm3 of the volume). */
  minComponentMm3?: number;
}

export interface AnatomyResult {
  /** Same geometry as the input; values are segment numbers (0 = background). */
  labelmap: Labelmap;
  /** Ordered superior→inferior; segmentNumber = 1..N in that order. */
  segments: SegmentInfo[];
  levelNaming: LevelNaming;
}

/** One instance before naming. */
export interface Instance {
  kind: 'vertebral_body' | 'disc';
  /** Component ids (in that class's id map) merged into this instance. */
  parts: number[];
  voxelCount: number;
  volumeMm3: number;
  centroidIjk: Vec3;
  /** LPS z of the centroid (larger = more superior). */
  zMm: number;
  centroidLps: Vec3;
  touchesSuperiorEdge: boolean;
  touchesInferiorEdge: boolean;
  /** Imaged extent below the instance's lowest voxel, mm. */
  imagedBelowMm: number;
  /** LPS z range of the bounding box, mm. */
  zMinMm: number;
  zMaxMm: number;
  /** Inclusive voxel bounding box. */
  minIjk: Vec3;
  maxIjk: Vec3;
  level?: string;
  /** Disc painted by rule in the space between two bodies (see infer-discs.ts). */
  inferred?: true;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function toInstance(kind: Instance['kind'], c: Component, volume: SpineVolume, vAxis: 0 | 1, vUp: boolean): Instance {
  const lps = voxelToLps(volume, ...c.centroidIjk);
  const n = volume.dims[vAxis];
  const atLow = c.minIjk[vAxis] === 0;
  const atHigh = c.maxIjk[vAxis] === n - 1;
  // Index distance from the component's inferior-most voxel to the inferior edge of the volume.
  const belowVoxels = vUp ? c.minIjk[vAxis] : n - 1 - c.maxIjk[vAxis];
  const zs: number[] = [];
  for (const i of [c.minIjk[0], c.maxIjk[0]]) for (const j of [c.minIjk[1], c.maxIjk[1]]) for (const k of [c.minIjk[2], c.maxIjk[2]]) zs.push(voxelToLps(volume, i, j, k)[2]);
  return {
    minIjk: c.minIjk,
    maxIjk: c.maxIjk,
    zMinMm: Math.min(...zs),
    zMaxMm: Math.max(...zs),
    kind,
    parts: [c.id],
    voxelCount: c.voxelCount,
    volumeMm3: c.volumeMm3,
    centroidIjk: c.centroidIjk,
    zMm: lps[2],
    centroidLps: lps,
    touchesSuperiorEdge: vUp ? atHigh : atLow,
    touchesInferiorEdge: vUp ? atLow : atHigh,
    imagedBelowMm: belowVoxels * volume.spacingMm[vAxis],
  };
}

function merge(a: Instance, b: Instance, volume: SpineVolume): Instance {
  const n = a.voxelCount + b.voxelCount;
  const c: Vec3 = [0, 1, 2].map((x) => (a.centroidIjk[x] * a.voxelCount + b.centroidIjk[x] * b.voxelCount) / n) as Vec3;
  const lps = voxelToLps(volume, ...c);
  return {
    ...a,
    parts: [...a.parts, ...b.parts],
    voxelCount: n,
    volumeMm3: a.volumeMm3 + b.volumeMm3,
    centroidIjk: c,
    centroidLps: lps,
    zMm: lps[2],
    touchesSuperiorEdge: a.touchesSuperiorEdge || b.touchesSuperiorEdge,
    touchesInferiorEdge: a.touchesInferiorEdge || b.touchesInferiorEdge,
    imagedBelowMm: Math.min(a.imagedBelowMm, b.imagedBelowMm),
    zMinMm: Math.min(a.zMinMm, b.zMinMm),
    zMaxMm: Math.max(a.zMaxMm, b.zMaxMm),
    minIjk: [0, 1, 2].map((x) => Math.min(a.minIjk[x], b.minIjk[x])) as Vec3,
    maxIjk: [0, 1, 2].map((x) => Math.max(a.maxIjk[x], b.maxIjk[x])) as Vec3,
  };
}

/** Overlap of [a0, a1] and [b0, b1] (inclusive voxel ranges) as a fraction of the shorter one. */
function rangeOverlap(a0: number, a1: number, b0: number, b1: number): number {
  const inter = Math.min(a1, b1) - Math.max(a0, b0) + 1;
  return Math.max(0, inter) / Math.min(a1 - a0 + 1, b1 - b0 + 1);
}

/**
 * Merge fragments: consecutive (superior→inferior) instances that occupy the same place in the
 * sagittal plane (in-plane bounding boxes overlap > 50% on both in-plane axes) but different slices
 * (slice ranges overlap < 50%) are one structure split left/right by the network or by a gap in the
 * mask. Two different vertebrae (even L5 and a steep S1) share slices, so they are not merged.
 */
function mergeFragments(sorted: Instance[], volume: SpineVolume): Instance[] {
  const out: Instance[] = [];
  for (const inst of sorted) {
    const prev = out[out.length - 1];
    if (prev) {
      const inPlane = Math.min(
        rangeOverlap(prev.minIjk[0], prev.maxIjk[0], inst.minIjk[0], inst.maxIjk[0]),
        rangeOverlap(prev.minIjk[1], prev.maxIjk[1], inst.minIjk[1], inst.maxIjk[1]),
      );
      const slices = rangeOverlap(prev.minIjk[2], prev.maxIjk[2], inst.minIjk[2], inst.maxIjk[2]);
      if (inPlane > 0.5 && slices < 0.5) {
        out[out.length - 1] = merge(prev, inst, volume);
        continue;
      }
    }
    out.push(inst);
  }
  return out;
}

/**
 * Pieces of one body: two consecutive bodies (sorted superior→inferior) with no disc between them whose
 * centroids are closer than INFERRED_DISC_MIN_SPACING_FRACTION of the median spacing of consecutive bodies are
 * one vertebral body whose mask the network broke (e.g. across a dark band in the marrow) — the pairs inferDiscs
 * leaves without a disc. Counted as two, they named every body above them one level too high (SPIDER 231: one L3
 * in two pieces named L2 and L3). Returns the merged list and how many pieces were joined.
 */
export function mergeBodyPieces(bodies: Instance[], discs: Instance[], volume: SpineVolume): { bodies: Instance[]; merged: number } {
  if (bodies.length < 3) return { bodies, merged: 0 };
  const spacing = median(bodies.slice(1).map((b, i) => distance(b.centroidLps, bodies[i].centroidLps)));
  const out: Instance[] = [bodies[0]];
  for (const body of bodies.slice(1)) {
    const upper = out[out.length - 1];
    const discBetween = discs.some((d) => d.zMm < upper.zMm && d.zMm > body.zMm);
    if (!discBetween && distance(upper.centroidLps, body.centroidLps) < INFERRED_DISC_MIN_SPACING_FRACTION * spacing) out[out.length - 1] = merge(upper, body, volume);
    else out.push(body);
  }
  return { bodies: out, merged: bodies.length - out.length };
}

/**
 * Bodies whose superior-inferior extent is ≥ 1.6× the median extent (of the components that are
 * not specks, see MIN_INSTANCE_FRACTION_OF_MEDIAN; needs ≥ 3 of them) are taken as
 * fused masks of round(extent / median) bodies (a thin or collapsed disc the network bridged) and
 * split at their narrowest cross-sections. Rewrites `vb.ids`; returns the new component list and a note.
 */
function splitFused(vb: ComponentResult, volume: SpineVolume, axis: 0 | 1): { components: Component[]; note?: string } {
  const comps = vb.components;
  if (comps.length < 3) return { components: comps };
  const extent = (c: Component) => (c.maxIjk[axis] - c.minIjk[axis] + 1) * volume.spacingMm[axis];
  // Reference height: median extent of the components that are not specks (see dropSpurious).
  const vols = comps.map((c) => c.volumeMm3).sort((a, b) => b - a);
  const refVolume = median(vols.slice(0, Math.ceil(vols.length / 2)));
  const real = comps.filter((c) => c.volumeMm3 >= MIN_INSTANCE_FRACTION_OF_MEDIAN * refVolume);
  if (real.length < 3) return { components: comps };
  const med = median(real.map(extent));
  let nextId = comps.reduce((m, c) => Math.max(m, c.id), 0) + 1;
  const out: Component[] = [];
  let split = 0;
  for (const c of comps) {
    const pieces = Math.round(extent(c) / med);
    if (extent(c) >= 1.6 * med && pieces >= 2) {
      const parts = splitComponent(vb.ids, volume.dims, volume.spacingMm, c, axis, pieces, nextId);
      nextId += pieces - 1;
      out.push(...parts);
      split++;
    } else out.push(c);
  }
  return { components: out, note: split ? `${split} vertebral-body mask(s) ≥ 1.6× the median body height were split as fused bodies.` : undefined };
}

/**
 * Drop spurious small instances (see MIN_INSTANCE_FRACTION_OF_MEDIAN); keeps order. Discs use half
 * that fraction: a degenerate (e.g. L5/S1) disc can be much thinner than its neighbours.
 */
function dropSpurious(instances: Instance[]): Instance[] {
  if (instances.length < 3) return instances;
  // Reference: median of the larger half, so that many specks cannot drag it down.
  const vols = instances.map((x) => x.volumeMm3).sort((a, b) => b - a);
  const ref = median(vols.slice(0, Math.ceil(vols.length / 2)));
  const f = instances[0].kind === 'disc' ? MIN_INSTANCE_FRACTION_OF_MEDIAN / 2 : MIN_INSTANCE_FRACTION_OF_MEDIAN;
  return instances.filter((x) => x.touchesSuperiorEdge || x.touchesInferiorEdge || x.volumeMm3 >= f * ref);
}

/**
 * Name vertebral bodies (sorted superior→inferior) in place and return how naming was anchored.
 * Pure function of the instance layout; exported for tests.
 * @param knownS1 the body already identified as S1 (index in `bodies`) and the note saying how; the count starts there.
 */
export function nameVertebrae(bodies: Instance[], discs: Instance[], knownS1?: { index: number; note: string }): LevelNaming {
  if (bodies.length === 0) return { anchor: 'none', certain: false, note: 'No vertebral body was segmented; levels are not named.' };
  const lowest = bodies[bodies.length - 1];
  const discBelowLowest = discs.find((d) => d.zMm < lowest.zMm);
  const notes: string[] = [];
  let anchorPos: number; // index in bodies that is L5
  let certain: boolean;
  let anchor: LevelNaming['anchor'];
  // S1 by shape: the first body (from the top) that sits posterior-inferior to the one above it.
  const spacing = median(bodies.slice(1).map((b, i) => bodies[i].zMm - b.zMm));
  let s1 = -1;
  let drop = 0;
  let posterior = 0;
  for (let i = 1; i < bodies.length && s1 < 0; i++) {
    drop = bodies[i - 1].zMm - bodies[i].zMm;
    posterior = bodies[i].centroidLps[1] - bodies[i - 1].centroidLps[1];
    if (drop >= S1_MIN_DROP_FRACTION_OF_SPACING * spacing && posterior >= S1_MIN_POSTERIOR_PER_INFERIOR * drop) s1 = i;
  }
  // Sacrum by discs: the bodies below the lowest disc, with no disc between them, are the fused
  // sacral segments — unless S1 by shape lies higher, which makes the lowest disc(s) sacral
  // remnants (a rudimentary S1/S2 disc often shows on T2).
  let belowDiscs = discs.length ? bodies.findIndex((b) => b.zMm < discs[discs.length - 1].zMm) : -1;
  // No evidence when the image may end just before the next disc: the bodies below the lowest disc
  // must leave imaged tissue below them or span at least one segment (body + disc) without a disc.
  if (belowDiscs > 0 && lowest.touchesInferiorEdge && discs[discs.length - 1].zMinMm - lowest.zMinMm < 0.5 * spacing) belowDiscs = -1;
  const remnant = discs.length > 1 && discs[discs.length - 1].volumeMm3 < SACRAL_REMNANT_MAX_FRACTION * median(discs.slice(-4, -1).map((d) => d.volumeMm3));
  if (knownS1) {
    anchorPos = knownS1.index - 1;
    certain = true;
    anchor = 'sacrum';
    notes.push(knownS1.note);
  } else if (belowDiscs > 0 && !(s1 > 0 && s1 < belowDiscs && remnant)) {
    anchorPos = belowDiscs - 1;
    certain = true;
    anchor = 'sacrum';
    notes.push(
      `Counted upward from the sacrum: ${bodies.length - belowDiscs} vertebral body segment(s) lie below the lowest disc with no disc between them, as the fused sacral segments do; the first is named S1.`,
    );
    if (bodies.length - belowDiscs === 1 && lowest.imagedBelowMm >= SACRUM_UNCERTAIN_IMAGED_BELOW_S1_MM) {
      certain = false;
      notes.push(
        `But ${Math.round(lowest.imagedBelowMm)} mm is imaged below that S1 with nothing segmented, more than the rest of the sacrum and the coccyx measure: the lower lumbar spine may continue there unsegmented, in which case every name belongs to a higher level. Check the lowest disc against the sacrum on the image.`,
      );
    }
  } else if (s1 > 0) {
    anchorPos = s1 - 1;
    certain = true;
    anchor = 'sacrum';
    notes.push(
      `Counted upward from the sacrum: a segmented body lies ${Math.round(posterior)} mm posterior for ${Math.round(drop)} mm inferior to the one above it, as S1 (the sacral promontory) does; it is named S1.`,
    );
  } else if (discBelowLowest !== undefined && discBelowLowest.imagedBelowMm >= SACRUM_MIN_IMAGED_BELOW_DISC_MM) {
    anchorPos = bodies.length - 1;
    anchor = 'sacrum';
    const below = Math.round(discBelowLowest.imagedBelowMm);
    certain = below < SACRUM_UNCERTAIN_IMAGED_BELOW_DISC_MM;
    notes.push(
      certain
        ? `Counted upward from the sacrum: a disc (L5/S1) lies below the lowest vertebral body with ${below} mm of imaged tissue below it and no further vertebral body.`
        : `Counted upward from the lowest disc, taken as L5/S1: no vertebral body is segmented in the ${below} mm imaged below it, where the sacrum would usually be segmented — the lower lumbar spine may continue there unsegmented, in which case every name belongs to a higher level (the disc called L5/S1 may be L4/L5 or above). Check the lowest disc against the sacrum on the image.`,
    );
  } else {
    // "Complete": not cut by the inferior image edge, or, if it touches the edge, still at least
    // 60% of the median body volume (a body merged with sacrum that reaches the edge is still a body).
    const ref = median(bodies.map((b) => b.volumeMm3));
    let pos = bodies.length - 1;
    while (pos > 0 && bodies[pos].touchesInferiorEdge && bodies[pos].volumeMm3 < 0.6 * ref) pos--;
    anchorPos = pos;
    certain = false;
    anchor = 'assumed_lowest_is_L5';
    notes.push(
      'The sacrum was not identified in the field of view; levels are named assuming the lowest complete vertebral body is L5. Confirm the count on a localiser or whole-spine view.',
    );
  }
  // Gaps: a centroid spacing ≥ 1.6× the median suggests a body the network missed; skip its name.
  const steps = new Array<number>(bodies.length).fill(1);
  if (bodies.length >= 3) {
    const gaps = bodies.slice(1).map((b, i) => distance(b.centroidLps, bodies[i].centroidLps));
    const med = median(gaps);
    gaps.forEach((g, i) => {
      if (g >= 1.6 * med) {
        steps[i + 1] = Math.round(g / med);
        notes.push(`A gap of ${Math.round(g)} mm between two vertebral bodies suggests ${steps[i + 1] - 1} unsegmented vertebra(e); names skip it.`);
        certain = false;
      }
    });
  }
  // Position index of each body counted in vertebrae from the top body.
  const ord = new Array<number>(bodies.length);
  ord[0] = 0;
  for (let i = 1; i < bodies.length; i++) ord[i] = ord[i - 1] + steps[i];
  const offset = L5 - ord[anchorPos];
  bodies.forEach((b, i) => {
    b.level = VERTEBRA_NAMES[ord[i] + offset];
  });
  if (anchor === 'sacrum') {
    const lumbar = bodies.slice(0, anchorPos + 1);
    const complete = lumbar.filter((b) => !b.touchesSuperiorEdge && !b.touchesInferiorEdge);
    const ref = median(complete.slice(-3).map((b) => b.volumeMm3));
    let lumbarType = 0;
    for (let i = anchorPos; i >= 0; i--) {
      const b = bodies[i];
      if (b.touchesSuperiorEdge || b.volumeMm3 < LUMBAR_TYPE_MIN_VOLUME_FRACTION * ref) break;
      lumbarType++;
    }
    if (lumbarType >= 6) {
      certain = false;
      notes.push(
        `${lumbarType} lumbar-type vertebral bodies lie above the sacrum: possible lumbosacral transitional vertebra. Names count upward from the sacrum (lowest = L5); confirm the numbering on a whole-spine view.`,
      );
    }
  }
  return { anchor, certain, note: notes.join(' ') };
}

/** Name each disc by the named bodies around it (sorted superior→inferior), in place. */
function nameDiscs(discs: Instance[], bodies: Instance[]): void {
  for (const d of discs) {
    const above = [...bodies].reverse().find((b) => b.zMm > d.zMm && b.level);
    const below = bodies.find((b) => b.zMm < d.zMm && b.level);
    const idxAbove = above ? VERTEBRA_NAMES.indexOf(above.level!) : -1;
    const idxBelow = below ? VERTEBRA_NAMES.indexOf(below.level!) : -1;
    if (idxAbove >= 0 && idxAbove + 1 < VERTEBRA_NAMES.length) d.level = `${above!.level}/${VERTEBRA_NAMES[idxAbove + 1]}`;
    else if (idxBelow > 0) d.level = `${VERTEBRA_NAMES[idxBelow - 1]}/${below!.level}`;
  }
}

const S1 = VERTEBRA_NAMES.indexOf('S1');

/**
 * Discs the network missed between two named, adjacent bodies (consecutive names, the lower one at
 * most S1: sacral segments are fused; centroids at least INFERRED_DISC_MIN_SPACING_FRACTION of the
 * median body spacing apart) with no disc of that level: the disc space between them
 * (infer-discs.ts), when at least INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR × `minMm3`. The
 * disc's voxels get a new disc component id after dc's (written into dc.ids) and leave the body id
 * map; voxels moved between the two bodies are rewritten there and the two body instances
 * recomputed in place. Returns the new disc instances, named and marked inferred.
 */
function inferDiscs(bodies: Instance[], discs: Instance[], bodyIds: Int32Array, dc: ComponentResult, classes: Uint8Array, bodyClass: number, volume: SpineVolume, axis: 0 | 1, up: boolean, minMm3: number): Instance[] {
  const out: Instance[] = [];
  const voxelMm3 = volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2];
  const grid = { dims: volume.dims, spacingMm: volume.spacingMm, vAxis: axis, vUp: up };
  const spacing = median(bodies.slice(1).map((b, i) => distance(b.centroidLps, bodies[i].centroidLps)));
  for (let n = 1; n < bodies.length; n++) {
    const [upper, lower] = [bodies[n - 1], bodies[n]];
    if (!upper.level || !lower.level) continue;
    const u = VERTEBRA_NAMES.indexOf(upper.level);
    const l = VERTEBRA_NAMES.indexOf(lower.level);
    const level = `${upper.level}/${lower.level}`;
    if (l !== u + 1 || l > S1 || discs.some((d) => d.level === level)) continue;
    if (distance(upper.centroidLps, lower.centroidLps) < INFERRED_DISC_MIN_SPACING_FRACTION * spacing) continue;
    const inU = new Set(upper.parts);
    const inL = new Set(lower.parts);
    const space = discSpaceBetween(grid, (p) => inU.has(bodyIds[p]), (p) => inL.has(bodyIds[p]), (p) => classes[p] === bodyClass, volume.voxels);
    if (!space || space.disc.length * voxelMm3 < INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR * minMm3) continue;
    const id = dc.components.length + 1 + out.length;
    for (const p of space.disc) { dc.ids[p] = id; bodyIds[p] = 0; }
    for (const p of space.toUpper) bodyIds[p] = upper.parts[0];
    for (const p of space.toLower) bodyIds[p] = lower.parts[0];
    if (space.rule === 'dark band') {
      bodies[n - 1] = recomputed(upper, bodyIds, volume, axis, up);
      bodies[n] = recomputed(lower, bodyIds, volume, axis, up);
    }
    out.push({ ...toInstance('disc', componentOf(space.disc, id, volume), volume, axis, up), level, inferred: true });
  }
  return out;
}

/** A body instance with its statistics recomputed from the id map (same parts, level). */
function recomputed(b: Instance, ids: Int32Array, volume: SpineVolume, axis: 0 | 1, up: boolean): Instance {
  const parts = new Set(b.parts);
  const voxels: number[] = [];
  for (let p = 0; p < ids.length; p++) if (parts.has(ids[p])) voxels.push(p);
  return { ...toInstance('vertebral_body', componentOf(voxels, b.parts[0], volume), volume, axis, up), parts: b.parts, level: b.level };
}

/** Component statistics of a voxel list (flat indices). */
function componentOf(voxels: number[], id: number, volume: SpineVolume): Component {
  const [nI, nJ] = volume.dims;
  const s = [0, 0, 0];
  const mn: Vec3 = [Infinity, Infinity, Infinity];
  const mx: Vec3 = [-1, -1, -1];
  for (const p of voxels) {
    const k = Math.floor(p / (nI * nJ));
    const j = Math.floor((p - k * nI * nJ) / nI);
    const ijk = [p - k * nI * nJ - j * nI, j, k];
    for (let a = 0; a < 3; a++) {
      s[a] += ijk[a];
      mn[a] = Math.min(mn[a], ijk[a]);
      mx[a] = Math.max(mx[a], ijk[a]);
    }
  }
  const n = voxels.length;
  const voxelMm3 = volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2];
  return { id, voxelCount: n, volumeMm3: n * voxelMm3, centroidIjk: [s[0] / n, s[1] / n, s[2] / n], minIjk: mn, maxIjk: mx };
}

/** Vertical (superior-inferior) in-plane axis of a volume and whether its index runs superior-ward. */
function verticalAxis(volume: SpineVolume): { axis: 0 | 1; up: boolean } {
  const r = volume.rowDirection;
  const c = volume.columnDirection;
  const axis: 0 | 1 = Math.abs(r[2]) >= Math.abs(c[2]) ? 0 : 1;
  return { axis, up: (axis === 0 ? r : c)[2] > 0 };
}

/**
 * Instances and level names from a class labelmap (values = model class indices, geometry of `volume`).
 * Segment numbers 1..N are assigned superior→inferior; discs with the same level are merged into one segment.
 * With the network's calibrated outline (classes.outline), each segment is then trimmed to it (outline-trim.ts).
 * @throws Error when the labelmap does not match the volume's dims, or there are more than 255 segments.
 */
export function labelAnatomy(classes: ClassLabelmap, volume: SpineVolume, idx: AnatomyClassIndices, opts: AnatomyOptions = {}): AnatomyResult {
  const dims = volume.dims;
  if (classes.dims.some((d, i) => d !== dims[i])) throw new Error(`labelmap dims [${classes.dims.join(',')}] != volume dims [${dims.join(',')}]`);
  const minMm3 = opts.minComponentMm3 ?? defaultMinComponentMm3(dims, volume.spacingMm);
  const { axis, up } = verticalAxis(volume);
  const dc = idx.disc >= 0 ? connectedComponents(classes.values, dims, idx.disc, volume.spacingMm, minMm3) : { ids: new Int32Array(0), components: [] };
  const bySuperior = (a: Instance, b: Instance) => b.zMm - a.zMm;
  let discs = dropSpurious(mergeFragments(dc.components.map((c) => toInstance('disc', c, volume, axis, up)).sort(bySuperior), volume));
  // Bodies: cut at the disc mid-planes when discs were found, then 3D components per interval.
  const vb = discs.length
    ? bodiesBetweenDiscs(classes.values, idx.vertebralBody, discPlanes(dc.ids, discs.map((d) => d.parts), volume), volume, minMm3)
    : connectedComponents(classes.values, dims, idx.vertebralBody, volume.spacingMm, minMm3);
  const fused = splitFused(vb, volume, axis);
  const column = keepOnColumn(dropSpurious(mergeFragments(fused.components.map((c) => toInstance('vertebral_body', c, volume, axis, up)).sort(bySuperior), volume)), discs);
  const pieces = mergeBodyPieces(column.bodies, column.discs, volume);
  let bodies = pieces.bodies;
  discs = column.discs;
  let levelNaming = nameVertebrae(bodies, discs);
  // Counted so, the body the presacral rule takes for S1 was named L5: the lowest disc and the bodies below it
  // were taken for L5/S1 and the sacrum. (Named S1 already, they are a sacral remnant and S2: kept.)
  const presacral = dropPresacral(bodies, discs);
  if (presacral.dropped && presacral.bodies[presacral.bodies.length - 1].level === 'L5') {
    bodies = presacral.bodies;
    discs = presacral.discs;
    levelNaming = nameVertebrae(bodies, discs, {
      index: bodies.length - 1,
      note: `Counted upward from the sacrum: the lowest segmented body steps back from the one above it as S1 does; it is named S1. Below it, a disc label in front of it${presacral.dropped > 1 ? ` and ${presacral.dropped - 1} vertebral-body label(s) were` : ' was'} taken as tissue in front of the sacrum (presacral fat or bowel) and dropped. Check L5/S1 on the image.`,
    });
  }
  if (column.dropped) levelNaming.note += ` ${column.dropped} vertebral-body or disc label(s) more than ${OFF_COLUMN_MIN_ANTERIOR_MM} mm in front of the spinal column (e.g. bowel loops in the pelvis) or ${OFF_COLUMN_MAX_POSTERIOR_MM} mm behind it (the back's soft tissue) were dropped.`;
  if (fused.note) levelNaming.note += ' ' + fused.note;
  if (pieces.merged) levelNaming.note += ` ${pieces.merged} vertebral-body label(s) lying within one body of the label above, with no disc between, were taken as pieces of that body.`;
  nameDiscs(discs, bodies);
  // One segment per disc level: merge same-level disc components.
  const mergedDiscs: Instance[] = [];
  for (const d of discs) {
    const same = d.level ? mergedDiscs.findIndex((m) => m.level === d.level) : -1;
    if (same >= 0) mergedDiscs[same] = { ...merge(mergedDiscs[same], d, volume), level: d.level };
    else mergedDiscs.push(d);
  }
  discs = mergedDiscs;
  if (dc.ids.length) {
    const inferred = inferDiscs(bodies, discs, vb.ids, dc, classes.values, idx.vertebralBody, volume, axis, up, minMm3);
    if (inferred.length) {
      discs.push(...inferred);
      levelNaming.note += ` No disc was segmented at ${inferred.map((d) => d.level).join(', ')}: the space between the two vertebral bodies is taken as the disc (inferred, painted by rule).`;
    }
  }
  const all = [...bodies, ...discs].sort(bySuperior);
  if (all.length > 255) throw new Error(`${all.length} segments found; a labelmap holds at most 255`);
  const bodyMap = new Uint8Array(fused.components.reduce((m, c) => Math.max(m, c.id), 0) + 1);
  const discMap = new Uint8Array(dc.components.length + 1 + discs.filter((d) => d.inferred).length);
  const segments: SegmentInfo[] = all.map((inst, n) => {
    const segmentNumber = n + 1;
    for (const p of inst.parts) (inst.kind === 'vertebral_body' ? bodyMap : discMap)[p] = segmentNumber;
    const what = inst.kind === 'vertebral_body' ? 'vertebral body' : 'disc';
    return {
      segmentNumber,
      kind: inst.kind,
      ...(inst.level ? { level: inst.level } : {}),
      label: inst.level ? `${inst.level} ${what}` : what[0].toUpperCase() + what.slice(1),
      voxelCount: inst.voxelCount,
      centroidLps: inst.centroidLps,
      ...(inst.inferred ? { inferred: true as const } : {}),
    };
  });
  const values = new Uint8Array(classes.values.length);
  for (let p = 0; p < values.length; p++) {
    const b = vb.ids[p];
    if (b) values[p] = bodyMap[b];
    else if (dc.ids.length && dc.ids[p]) values[p] = discMap[dc.ids[p]];
  }
  const namedDiscs = segments.filter((x) => x.kind === 'disc' && x.level).length;
  if (bodies.length && namedDiscs < MIN_NAMED_DISCS_FOR_CERTAIN_NAMES) {
    levelNaming.certain = false;
    levelNaming.note += ` Only ${namedDiscs} disc${namedDiscs === 1 ? ' was' : 's were'} segmented, where a lumbar sagittal series shows at least the five lumbar discs: the network has missed part of the spine, so the count may be off.`;
  }
  const depthMm = medianBodyDepthMm(bodies, volume, axis);
  if (depthMm < MIN_BODY_DEPTH_MM) {
    levelNaming.certain = false;
    levelNaming.note += ` The vertebral bodies measure about ${Math.round(depthMm)} mm from front to back, where adult lumbar bodies measure about 30–35 mm: this may be a cervical series, or the series' PixelSpacing may not fit the image; level names and every mm value are then wrong.`;
  }
  const forwardStep = lowerLumbarForwardStep({ values }, volume, segments);
  if (forwardStep) {
    levelNaming.certain = false;
    levelNaming.note += ' ' + forwardStep;
  }
  const labelmap: Labelmap = { dims: [...dims], values };
  // Found and named above on the plain argmax; only their outline is drawn tighter.
  return { labelmap, segments: classes.outline ? trimToOutline(labelmap, segments, classes.outline, volume) : segments, levelNaming };
}
