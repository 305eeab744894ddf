/**
 * Off-column instances: a 2D network sometimes labels pelvic structures (bowel loops in front of and
 * below the sacrum, or in the abdomen in front of the lumbar spine) as vertebral body or disc. They
 * lie well in front of the spinal column and, left in, shift the level count. Framework-free;
 * coordinates DICOM LPS (+y posterior, +z superior), mm.
 */
import type { Vec3 } from './volume';

/**
 * An instance is off the column when its centroid lies more than this far (mm) anterior of the
 * column line at its height. Project heuristic (not from a paper), from the SPIDER mid-sagittal
 * T2 images and the 3D ground-truth masks (see OFF_COLUMN in .notes/h4.md).
 */
export const OFF_COLUMN_MIN_ANTERIOR_MM = Number(process.env.H4_OFF ?? 25);

export interface Placed {
  centroidLps: Vec3;
  /** LPS z of the centroid. */
  zMm: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}

/**
 * How far (mm) `x` lies anterior of the line through two column points a and b (positive =
 * anterior), at x's height; the vertical through a when a and b are at about the same height.
 */
export function anteriorOfLine(x: Placed, a: Placed, b: Placed): number {
  const dz = b.zMm - a.zMm;
  const slope = Math.abs(dz) > 1e-6 ? (b.centroidLps[1] - a.centroidLps[1]) / dz : 0;
  return a.centroidLps[1] + slope * (x.zMm - a.zMm) - x.centroidLps[1];
}

/**
 * Keep the bodies and discs on the spinal column. Bodies are walked superior→inferior: the top two
 * are taken as on the column (the thoracolumbar spine at the top of a lumbar image; the network's
 * off-column labels lie in the pelvis and lower abdomen), and each next body is kept unless it lies
 * more than OFF_COLUMN_MIN_ANTERIOR_MM anterior of the line through the two nearest kept bodies
 * above it that are at least half a segment apart. A disc is judged against the line through the
 * kept bodies just above and below it (or the two nearest, at either end).
 * @param bodies, discs sorted superior→inferior; returned in the same order
 */
export function keepOnColumn<T extends Placed>(bodies: T[], discs: T[]): { bodies: T[]; discs: T[]; dropped: number } {
  if (bodies.length < 3) return { bodies, discs, dropped: 0 };
  const segment = median(bodies.slice(1).map((b, i) => bodies[i].zMm - b.zMm));
  const kept = bodies.slice(0, 2);
  for (const b of bodies.slice(2)) {
    const last = kept[kept.length - 1];
    const ref = [...kept].reverse().find((k) => k.zMm - last.zMm >= 0.5 * segment) ?? last;
    if (process.env.H4_DEBUG) console.error(`body off ${anteriorOfLine(b, ref, last).toFixed(1)} vert ${(last.centroidLps[1] - b.centroidLps[1]).toFixed(1)} ${(b as any).level ?? ''} vol ${Math.round((b as any).volumeMm3)}`);
    if (anteriorOfLine(b, ref, last) <= OFF_COLUMN_MIN_ANTERIOR_MM) kept.push(b);
  }
  const keptDiscs = discs.filter((d) => {
    const below = kept.findIndex((b) => b.zMm < d.zMm);
    const i = below < 0 ? kept.length - 1 : Math.max(1, below);
    if (process.env.H4_DEBUG) console.error(`disc off ${anteriorOfLine(d, kept[i - 1], kept[i]).toFixed(1)}`);
    return anteriorOfLine(d, kept[i - 1], kept[i]) <= OFF_COLUMN_MIN_ANTERIOR_MM;
  });
  return { bodies: kept, discs: keptDiscs, dropped: bodies.length - kept.length + discs.length - keptDiscs.length };
}
