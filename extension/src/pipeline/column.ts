/**
 * Off-column instances: a 2D network sometimes labels pelvic structures (bowel loops in front of and
 * below the sacrum, or in the lower abdomen) as vertebral body or disc. They lie well in front of the
 * spinal column and, left in, shift the level count. Framework-free; coordinates DICOM LPS
 * (+y posterior, +z superior), mm.
 */
import { voxelToLps, type SpineVolume, type Vec3 } from './volume';

/**
 * An instance is off the column when its centroid lies more than this far (mm) anterior of the
 * centroid of the nearest kept body above it. Project heuristic (not from a paper), from the SPIDER
 * mid-sagittal T2 images: real bodies lie up to ≈ 20 mm in front of the body above (lordosis;
 * a limit of 17 mm already drops real bodies), the pelvic and abdominal labels 20–160 mm; 25 mm
 * keeps a margin and drops the clear ones.
 */
export const OFF_COLUMN_MIN_ANTERIOR_MM = 25;

/**
 * …or more than this far (mm) posterior of it: a spinous process or a blob in the subcutaneous fat of the
 * back. Kept, such a label becomes the reference for the next body and every real body below it lies "in
 * front" and is dropped (SPIDER 162 lost its whole lower spine this way). Project heuristic (not from a
 * paper): on the SPIDER mid-sagittal T2 images consecutive bodies step back at most 38 mm (S1 behind L5, S2
 * behind S1; 99th percentile 24 mm), a spinous process tip lies about 65–75 mm behind its body's centroid
 * (body depth 30–35 mm, canal 15–18 mm, arch and process 30–40 mm; Panjabi 1992) and the labels dropped
 * lay 114 and 132 mm behind.
 */
export const OFF_COLUMN_MAX_POSTERIOR_MM = 60;

export interface Placed {
  centroidLps: Vec3;
  /** LPS z of the centroid. */
  zMm: number;
}

/**
 * Keep the bodies and discs on the spinal column. Bodies are walked superior→inferior; the top one
 * is taken as on the column (the thoracolumbar spine at the top of a lumbar image; the network's
 * off-column labels lie in the pelvis and lower abdomen), and each next body is kept unless its
 * centroid lies more than OFF_COLUMN_MIN_ANTERIOR_MM anterior (or OFF_COLUMN_MAX_POSTERIOR_MM posterior) of the last kept body's. A disc is
 * judged against the nearest kept body above it (the top body for a disc above all bodies).
 * Why a vertical reference and not the line through the bodies above: the sacrum turns backward
 * below L5 and forward again below S1, so a line through L5 and S1 puts S2 15–30 mm "anterior".
 * @param bodies, discs sorted superior→inferior; returned in the same order
 */
export function keepOnColumn<T extends Placed>(bodies: T[], discs: T[]): { bodies: T[]; discs: T[]; dropped: number } {
  if (bodies.length < 2) return { bodies, discs, dropped: 0 };
  const anterior = (x: T, ref: T) => ref.centroidLps[1] - x.centroidLps[1];
  const kept = [bodies[0]];
  const onColumn = (x: T, ref: T) => anterior(x, ref) <= OFF_COLUMN_MIN_ANTERIOR_MM && -anterior(x, ref) <= OFF_COLUMN_MAX_POSTERIOR_MM;
  for (const b of bodies.slice(1)) if (onColumn(b, kept[kept.length - 1])) kept.push(b);
  const keptDiscs = discs.filter((d) => onColumn(d, [...kept].reverse().find((b) => b.zMm > d.zMm) ?? kept[0]));
  return { bodies: kept, discs: keptDiscs, dropped: bodies.length - kept.length + discs.length - keptDiscs.length };
}

/**
 * The sacral promontory's step: a body whose centroid lies at least this fraction of its drop (how far
 * its centroid lies below the centroid of the body above) behind that body's centroid steps back as S1
 * does below L5. Lower than level-naming.ts's S1_MIN_POSTERIOR_PER_INFERIOR (0.5), which names S1 on shape
 * alone; here a second sign must agree (see dropPresacral). Project heuristic (not from a paper).
 */
export const PRESACRAL_S1_MIN_POSTERIOR_PER_INFERIOR = 0.3;

/**
 * Presacral labels: below a body that steps back like S1 (PRESACRAL_S1_MIN_POSTERIOR_PER_INFERIOR), a lowest
 * disc whose centroid lies in front of that body's centroid is not L5/S1 but tissue in front of the sacrum
 * (presacral fat, bowel), which the network — trained without sacrum labels — takes for a disc, often with a
 * "body" below it; counted, they make the real S1 "L5" and shift every name by one level. That disc and the
 * bodies below it are dropped. A real L5/S1 disc lies under L5, whose centroid stacks nearly vertically on
 * L4's. Project heuristic, checked on the 172 SPIDER mid-sagittal T2 images against the readers' per-level
 * Pfirrmann grades: on the 46 images it renames, the classifier's grades (cross-validated, trained on the old
 * names) agree better with the readers' grades of the new names on 21 and worse on 5 (the rest: within 0.1
 * grade), and the overlays show the fake disc and body in front of the sacrum (SPIDER 25, 28, 144, 242). The two
 * thresholds (step 0.3; disc centroid anywhere in front) were chosen among a few (step 0.2–0.4; in front by 0–0.25 of
 * the body's depth) on those same images, so expect somewhat less on new ones; on the 48 of the 71 3D volumes that carry level names it
 * fixes 3 cases and breaks none.
 * @param bodies, discs sorted superior→inferior; returned in the same order
 */
export function dropPresacral<T extends Placed>(bodies: T[], discs: T[]): { bodies: T[]; discs: T[]; dropped: number } {
  const lowestDisc = discs[discs.length - 1];
  if (!lowestDisc) return { bodies, discs, dropped: 0 };
  const a = bodies.map((b) => b.zMm > lowestDisc.zMm).lastIndexOf(true);
  if (a < 1) return { bodies, discs, dropped: 0 };
  const [above, s1] = [bodies[a - 1], bodies[a]];
  const stepsBack = s1.centroidLps[1] - above.centroidLps[1] >= PRESACRAL_S1_MIN_POSTERIOR_PER_INFERIOR * (above.zMm - s1.zMm);
  if (!stepsBack || lowestDisc.centroidLps[1] >= s1.centroidLps[1]) return { bodies, discs, dropped: 0 };
  return { bodies: bodies.slice(0, a + 1), discs: discs.slice(0, -1), dropped: 1 + bodies.length - (a + 1) };
}

/**
 * A body named L4 or L5 whose posterior wall lies at least this far (mm) in front of the posterior wall of the
 * body above it makes the level names uncertain: the network has probably taken bowel or psoas in front of
 * the lower lumbar spine for that body, leaving the real one unsegmented behind it. Project heuristic (not from
 * a paper), from the 172 SPIDER mid-sagittal T2 images: a forward step of 13–31 mm was found in 9 images; on
 * the overlays, 7 of them had bowel, psoas or a body fragment labelled as that body and 2 an L5 mask running
 * into the tissue in front of the spine. Otherwise L4 and L5 step at most 12 mm forward from the body above (lordosis); bowel
 * taken for L5 can step less and is then not caught (SPIDER 196: 11 mm).
 */
export const POSTERIOR_WALL_MAX_FORWARD_STEP_MM = 13;

/** Posterior wall band: voxels within this height (mm) of the body's centroid and this lateral distance (mm). */
const WALL_BAND_MM = { height: 3, lateral: 5 };

interface NamedBody { segmentNumber: number; kind: string; level?: string; centroidLps: Vec3 }

/**
 * The "possibly not a vertebra" note for the first body named L4 or L5 whose posterior wall (LPS y of its most
 * posterior voxel within WALL_BAND_MM of its centroid) lies POSTERIOR_WALL_MAX_FORWARD_STEP_MM or more in front
 * of the wall of the named body above it; null when there is none.
 * @param labelmap values = segmentNumber of `segments`, geometry of `volume`
 * @param segments superior → inferior
 */
export function lowerLumbarForwardStep(labelmap: { values: Uint8Array }, volume: SpineVolume, segments: NamedBody[]): string | null {
  const bodies = segments.filter((s) => s.kind === 'vertebral_body' && s.level);
  const pairs = bodies.slice(1).map((b, n) => [bodies[n], b] as const).filter(([, b]) => b.level === 'L4' || b.level === 'L5');
  if (!pairs.length) return null;
  const extent = apExtents(labelmap, volume, new Map(pairs.flat().map((b) => [b.segmentNumber, b])), WALL_BAND_MM.height);
  for (const [above, b] of pairs) {
    const step = (extent.get(above.segmentNumber)?.max ?? NaN) - (extent.get(b.segmentNumber)?.max ?? NaN);
    if (step >= POSTERIOR_WALL_MAX_FORWARD_STEP_MM)
      return `The posterior wall of the ${b.level} vertebral body lies ${Math.round(step)} mm in front of ${above.level}'s: bowel or psoas may have been taken for it, with the real vertebra unsegmented behind it — check the lower lumbar levels on the image.`;
  }
  return null;
}

/**
 * A disc lies beneath the body above it and spans its endplate. An L4/L5 or L5/S1 outline whose back edge lies more
 * than PRESACRAL_DISC_MIN_BACK_GAP of the body's AP depth in front of that body's posterior wall, that spans under
 * PRESACRAL_DISC_MAX_SPAN of the depth, and whose body below is under PRESACRAL_BODY_MAX_DEPTH as deep as the body
 * above, is more likely tissue in front of the sacrum (presacral fat, bowel) taken for a disc and a body, with the
 * real disc unsegmented behind it: the level names are then uncertain. At L4/L5 the body named L4 is then L5 and every
 * name one level too high. Project heuristic (not from a paper), from the 172 SPIDER mid-sagittal T2 images
 * (2026-12-06): the three conditions hold at SPIDER 122 and 204 L4/L5 — presacral tissue outlined as "L5" and "S1"
 * straight below the real L5, whose dark L5/S1 disc the network missed, names one level too high and marked certain
 * — at 108 L5/S1 (presacral fat outlined as the disc and S1 below the real L5) and at 207 and 209, whose names were
 * already uncertain. Without the depth condition the first two also held at two real discs outlined in part (50
 * L4/L5, 51 L5/S1; the body below 1.00 and 0.86 as deep); above L4/L5 the first two hold at 40 discs (T9/T10 to
 * L3/L4), where the spine's curve and outlines short of the back of the disc bring its back edge forward, so the
 * check is made at L4/L5 and L5/S1 only. Fitted on these few images: a flag, not a rename.
 */
export const PRESACRAL_DISC_MIN_BACK_GAP = 0.15;
export const PRESACRAL_DISC_MAX_SPAN = 0.75;
export const PRESACRAL_BODY_MAX_DEPTH = 0.85;

/**
 * The "may be tissue in front of the sacrum" note for the first L4/L5 or L5/S1 disc that meets the three conditions
 * above; null when none does. AP extents are taken over each segment's voxels within WALL_BAND_MM.lateral of its
 * centroid (the mid-sagittal band of a 3D series).
 * @param labelmap values = segmentNumber of `segments`, geometry of `volume`
 * @param segments superior → inferior
 */
export function lumbosacralDiscInFront(labelmap: { values: Uint8Array }, volume: SpineVolume, segments: NamedBody[]): string | null {
  const pairs = segments.flatMap((d, n) => {
    if (d.kind !== 'disc' || (d.level !== 'L4/L5' && d.level !== 'L5/S1')) return [];
    const above = segments.slice(0, n).reverse().find((s) => s.kind === 'vertebral_body'), below = segments.slice(n + 1).find((s) => s.kind === 'vertebral_body');
    return above && below ? [{ above, disc: d, below }] : [];
  });
  if (!pairs.length) return null;
  const extent = apExtents(labelmap, volume, new Map(pairs.flatMap((p) => [p.above, p.disc, p.below]).map((s) => [s.segmentNumber, s])));
  for (const { above, disc, below } of pairs) {
    const [a, d, b] = [above, disc, below].map((s) => extent.get(s.segmentNumber));
    if (!a || !d || !b) continue;
    const depth = a.max - a.min, gap = (a.max - d.max) / depth, span = (d.max - d.min) / depth, lower = (b.max - b.min) / depth;
    if (gap > PRESACRAL_DISC_MIN_BACK_GAP && span < PRESACRAL_DISC_MAX_SPAN && lower < PRESACRAL_BODY_MAX_DEPTH) {
      const pct = (x: number) => `${Math.round(100 * x)} %`;
      return `The ${disc.level} disc outline lies in front of the ${above.level} vertebral body rather than beneath it (its back edge ${pct(gap)} of ${above.level}'s depth in front of its posterior wall, spanning ${pct(span)} of that depth), and the body below it is ${pct(lower)} as deep as ${above.level}: tissue in front of the sacrum (presacral fat or bowel) may have been outlined as that disc and the body below, with the real disc unsegmented behind it${disc.level === 'L4/L5' ? ` — then the body named ${above.level} is L5 and every name is one level too high` : ''}. Check the levels from ${above.level} down on the image.`;
    }
  }
  return null;
}

/**
 * Per wanted segment, the LPS y range (mm; +y posterior) of its voxels within WALL_BAND_MM.lateral of its centroid
 * and, when given, within heightMm of it along the spine.
 */
function apExtents(labelmap: { values: Uint8Array }, volume: SpineVolume, wanted: Map<number, NamedBody>, heightMm = Infinity): Map<number, { min: number; max: number }> {
  const out = new Map<number, { min: number; max: number }>();
  const [nx, ny, nz] = volume.dims;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const s = wanted.get(labelmap.values[i + j * nx + k * nx * ny]);
    if (!s) continue;
    const p = voxelToLps(volume, i, j, k);
    if (Math.abs(p[2] - s.centroidLps[2]) > heightMm || Math.abs(p[0] - s.centroidLps[0]) > WALL_BAND_MM.lateral) continue;
    const e = out.get(s.segmentNumber);
    if (!e) out.set(s.segmentNumber, { min: p[1], max: p[1] }); else { e.min = Math.min(e.min, p[1]); e.max = Math.max(e.max, p[1]); }
  }
  return out;
}
