/**
 * Level names (how a radiologist counts on a lumbar sagittal MR without a whole-spine localiser):
 * find the sacrum, call the lowest mobile (lumbar-type) body above it L5, count upward (L4 … L1,
 * T12, T11 …). Discs are named by their neighbours (L4/L5; L5/S1 below L5). The sacrum is found, in
 * this order: segmented bodies below the lowest disc (sacral segments are fused: no disc between
 * them); a body stepping posteriorly like the promontory; a disc below the lowest body with imaged
 * tissue below it; else the lowest complete body is assumed to be L5 (uncertain). Framework-free;
 * positions DICOM LPS (+z superior). Used by anatomy.ts, which also marks names uncertain by
 * MIN_NAMED_DISCS_FOR_CERTAIN_NAMES and MIN_BODY_DEPTH_MM.
 */
import type { SpineVolume } from './volume';
import type { SpineReport } from './report';
import { median } from './measure';
import { distance, type Instance } from './instances';

export type LevelNaming = SpineReport['levelNaming'];

/** Vertebra names from the top; L5 is index 23. */
export const VERTEBRA_NAMES: readonly string[] = [
  ...Array.from({ length: 7 }, (_, i) => `C${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `T${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `L${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `S${i + 1}`),
];
const L5 = VERTEBRA_NAMES.indexOf('L5');
export const S1 = VERTEBRA_NAMES.indexOf('S1');

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
 * 20 mm; docs/analysis.md) — measured with segmentation network v1.1.0; with v1.2.0, 209 measures above the threshold (its names
 * stay uncertain: fewer than four discs segmented).
 */
export const MIN_BODY_DEPTH_MM = 22;

/** Median front-to-back depth (mm) of the bodies that do not touch the top or bottom edge, sacral ones left out; NaN with none. */
export function medianBodyDepthMm(bodies: Instance[], volume: SpineVolume, verticalAxis: 0 | 1): number {
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
      bodies.length - belowDiscs === 1
        ? 'Counted upward from the sacrum: 1 vertebral body segment lies below the lowest disc, as the sacrum does; it is named S1.'
        : `Counted upward from the sacrum: ${bodies.length - belowDiscs} vertebral body segments lie below the lowest disc with no disc between them, as the fused sacral segments do; the first is named S1.`,
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
export function nameDiscs(discs: Instance[], bodies: Instance[]): void {
  for (const d of discs) {
    const above = [...bodies].reverse().find((b) => b.zMm > d.zMm && b.level);
    const below = bodies.find((b) => b.zMm < d.zMm && b.level);
    const idxAbove = above ? VERTEBRA_NAMES.indexOf(above.level!) : -1;
    const idxBelow = below ? VERTEBRA_NAMES.indexOf(below.level!) : -1;
    if (idxAbove >= 0 && idxAbove + 1 < VERTEBRA_NAMES.length) d.level = `${above!.level}/${VERTEBRA_NAMES[idxAbove + 1]}`;
    else if (idxBelow > 0) d.level = `${VERTEBRA_NAMES[idxBelow - 1]}/${below!.level}`;
  }
}
