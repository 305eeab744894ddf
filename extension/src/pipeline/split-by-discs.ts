/**
 * Separate vertebral bodies with the discs between them. A 2D network's body masks often touch
 * across a disc in a few lateral slices, so 3D connected components join two or three bodies; the
 * discs it finds tell where one body ends and the next begins. Framework-free; coordinates LPS mm.
 */
import type { SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import { connectedComponents, type Component, type ComponentResult } from './components';

/** A disc's mid-plane: centroid and unit normal pointing inferior (normal z < 0), LPS. */
export interface DiscPlane {
  centroidLps: Vec3;
  normal: Vec3;
}

/** Unit eigenvector of the smallest eigenvalue of a symmetric positive semi-definite 3×3 matrix (power iteration on trace·I − C). */
function smallestEigenvector(c: number[][]): Vec3 {
  const tr = c[0][0] + c[1][1] + c[2][2];
  const m = c.map((row, i) => row.map((v, j) => (i === j ? tr : 0) - v));
  let v: Vec3 = [0.1, 0.2, 1];
  for (let it = 0; it < 100; it++) {
    const w: Vec3 = [0, 1, 2].map((i) => m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]) as Vec3;
    const n = Math.hypot(...w);
    if (!(n > 0)) break;
    v = w.map((x) => x / n) as Vec3;
  }
  return v;
}

/**
 * Mid-plane of each disc: centroid of its voxels and the direction of least spread (a disc is a
 * slab: thin along the spine, wide across it), with the left-right (x) component removed — the spine
 * axis lies in the sagittal plane — and oriented inferior. Falls back to LPS −z when degenerate.
 * @param ids disc component id per voxel; `parts[d]` = the component ids of disc d
 */
export function discPlanes(ids: Int32Array, parts: number[][], volume: SpineVolume): DiscPlane[] {
  const owner = new Map<number, number>();
  parts.forEach((ps, d) => ps.forEach((p) => owner.set(p, d)));
  const n = parts.map(() => 0);
  const s = parts.map(() => [0, 0, 0]);
  const ss = parts.map(() => [0, 0, 0, 0, 0, 0]); // xx yy zz xy xz yz
  const [nI, nJ] = volume.dims;
  const plane = nI * nJ;
  for (let p = 0; p < ids.length; p++) {
    const d = ids[p] ? owner.get(ids[p]) : undefined;
    if (d === undefined) continue;
    const k = (p / plane) | 0;
    const j = ((p - k * plane) / nI) | 0;
    const [x, y, z] = voxelToLps(volume, p - k * plane - j * nI, j, k);
    n[d]++;
    s[d][0] += x; s[d][1] += y; s[d][2] += z;
    const q = ss[d];
    q[0] += x * x; q[1] += y * y; q[2] += z * z; q[3] += x * y; q[4] += x * z; q[5] += y * z;
  }
  return parts.map((_, d) => {
    const c: Vec3 = [s[d][0] / n[d], s[d][1] / n[d], s[d][2] / n[d]];
    const q = ss[d].map((v) => v / n[d]);
    const cov = [
      [q[0] - c[0] * c[0], q[3] - c[0] * c[1], q[4] - c[0] * c[2]],
      [q[3] - c[0] * c[1], q[1] - c[1] * c[1], q[5] - c[1] * c[2]],
      [q[4] - c[0] * c[2], q[5] - c[1] * c[2], q[2] - c[2] * c[2]],
    ];
    const e = smallestEigenvector(cov);
    let normal: Vec3 = [0, e[1], e[2]];
    const len = Math.hypot(normal[1], normal[2]);
    // A disc normal more than 60° from the spine's usual superior-inferior course is not trusted.
    normal = len > 0 && Math.abs(normal[2]) / len >= 0.5 ? [0, normal[1] / len, normal[2] / len] : [0, 0, -1];
    if (normal[2] > 0) normal = [0, -normal[1], -normal[2]];
    return { centroidLps: c, normal };
  });
}

/**
 * Vertebral-body components, cut at the disc planes: a body voxel's interval is the number of disc
 * planes it lies below (signed distance along the inferior normal > 0); components are then found
 * per interval. Returns ids unique over all intervals (1..N, largest first within an interval).
 * @param classes class value per voxel; `vertebralBody` = the body class value
 */
export function bodiesBetweenDiscs(classes: Uint8Array, vertebralBody: number, planes: DiscPlane[], volume: SpineVolume, minVolumeMm3: number): ComponentResult {
  const [nI, nJ] = volume.dims;
  const plane = nI * nJ;
  const interval = new Uint8Array(classes.length);
  for (let p = 0; p < classes.length; p++) {
    if (classes[p] !== vertebralBody) continue;
    const k = (p / plane) | 0;
    const j = ((p - k * plane) / nI) | 0;
    const v = voxelToLps(volume, p - k * plane - j * nI, j, k);
    let below = 0;
    for (const pl of planes) {
      const sd = (v[0] - pl.centroidLps[0]) * pl.normal[0] + (v[1] - pl.centroidLps[1]) * pl.normal[1] + (v[2] - pl.centroidLps[2]) * pl.normal[2];
      if (sd > 0) below++;
    }
    interval[p] = below + 1;
  }
  const ids = new Int32Array(classes.length);
  const components: Component[] = [];
  for (let t = 1; t <= planes.length + 1; t++) {
    const r = connectedComponents(interval, volume.dims, t, volume.spacingMm, minVolumeMm3);
    const offset = components.length;
    for (let p = 0; p < ids.length; p++) if (r.ids[p]) ids[p] = r.ids[p] + offset;
    for (const c of r.components) components.push({ ...c, id: c.id + offset });
  }
  return { ids, components };
}
