/**
 * Off-column instances: a 2D network sometimes labels pelvic structures (bowel loops in front of and
 * below the sacrum, or in the lower abdomen) as vertebral body or disc. They lie well in front of the
 * spinal column and, left in, shift the level count. Framework-free; coordinates DICOM LPS
 * (+y posterior, +z superior), mm.
 */
import type { Vec3 } from './volume';

/**
 * An instance is off the column when its centroid lies more than this far (mm) anterior of the
 * centroid of the nearest kept body above it. Project heuristic (not from a paper), from the SPIDER
 * mid-sagittal T2 images: real bodies lie up to ≈ 20 mm in front of the body above (lordosis;
 * a limit of 17 mm already drops real bodies), the pelvic and abdominal labels 20–160 mm; 25 mm
 * keeps a margin and drops the clear ones.
 */
export const OFF_COLUMN_MIN_ANTERIOR_MM = 25;

export interface Placed {
  centroidLps: Vec3;
  /** LPS z of the centroid. */
  zMm: number;
}

/**
 * Keep the bodies and discs on the spinal column. Bodies are walked superior→inferior; the top one
 * is taken as on the column (the thoracolumbar spine at the top of a lumbar image; the network's
 * off-column labels lie in the pelvis and lower abdomen), and each next body is kept unless its
 * centroid lies more than OFF_COLUMN_MIN_ANTERIOR_MM anterior of the last kept body's. A disc is
 * judged against the nearest kept body above it (the top body for a disc above all bodies).
 * Why a vertical reference and not the line through the bodies above: the sacrum turns backward
 * below L5 and forward again below S1, so a line through L5 and S1 puts S2 15–30 mm "anterior".
 * @param bodies, discs sorted superior→inferior; returned in the same order
 */
export function keepOnColumn<T extends Placed>(bodies: T[], discs: T[]): { bodies: T[]; discs: T[]; dropped: number } {
  if (bodies.length < 2) return { bodies, discs, dropped: 0 };
  const anterior = (x: T, ref: T) => ref.centroidLps[1] - x.centroidLps[1];
  const kept = [bodies[0]];
  for (const b of bodies.slice(1)) if (anterior(b, kept[kept.length - 1]) <= OFF_COLUMN_MIN_ANTERIOR_MM) kept.push(b);
  const keptDiscs = discs.filter((d) => anterior(d, [...kept].reverse().find((b) => b.zMm > d.zMm) ?? kept[0]) <= OFF_COLUMN_MIN_ANTERIOR_MM);
  return { bodies: kept, discs: keptDiscs, dropped: bodies.length - kept.length + discs.length - keptDiscs.length };
}
