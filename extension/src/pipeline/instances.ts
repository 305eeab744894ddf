/**
 * Instances: the 3D connected components of one class (vertebral body or disc) as structures —
 * centroid, extent, edge contact — merged where the network split one structure (left/right fragments,
 * a body broken across its marrow), split where it fused two bodies, and specks dropped. Framework-free;
 * voxel indices of the volume, positions DICOM LPS (+z superior), volumes mm³.
 */
import type { SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import { splitComponent, type Component, type ComponentResult } from './components';
import { INFERRED_DISC_MIN_SPACING_FRACTION } from './infer-discs';
import { median } from './measure';
import { counted, wasWere } from './words';

/**
 * Instances smaller than this fraction of the median volume of their kind (median of the larger
 * half of the instances, so specks do not lower it), and not cut by the
 * superior/inferior edge of the image, are dropped as spurious (e.g. a speck of "vertebral body" in
 * a posterior element). A real adult body or disc is rarely < 40% of its neighbours' median
 * (vertebral volume grows ~5–10% per level); 0.2 leaves room for collapsed (fractured) bodies.
 */
export const MIN_INSTANCE_FRACTION_OF_MEDIAN = 0.2;

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

export function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export function toInstance(kind: Instance['kind'], c: Component, volume: SpineVolume, vAxis: 0 | 1, vUp: boolean): Instance {
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

export function merge(a: Instance, b: Instance, volume: SpineVolume): Instance {
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
export function mergeFragments(sorted: Instance[], volume: SpineVolume): Instance[] {
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
export function splitFused(vb: ComponentResult, volume: SpineVolume, axis: 0 | 1): { components: Component[]; note?: string } {
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
  return { components: out, note: split ? `${counted(split, 'vertebral-body mask')} ≥ 1.6× the median body height ${wasWere(split)} split as fused bodies.` : undefined };
}

/**
 * Drop spurious small instances (see MIN_INSTANCE_FRACTION_OF_MEDIAN); keeps order. Discs use half
 * that fraction: a degenerate (e.g. L5/S1) disc can be much thinner than its neighbours.
 */
export function dropSpurious(instances: Instance[]): Instance[] {
  if (instances.length < 3) return instances;
  // Reference: median of the larger half, so that many specks cannot drag it down.
  const vols = instances.map((x) => x.volumeMm3).sort((a, b) => b - a);
  const ref = median(vols.slice(0, Math.ceil(vols.length / 2)));
  const f = instances[0].kind === 'disc' ? MIN_INSTANCE_FRACTION_OF_MEDIAN / 2 : MIN_INSTANCE_FRACTION_OF_MEDIAN;
  return instances.filter((x) => x.touchesSuperiorEdge || x.touchesInferiorEdge || x.volumeMm3 >= f * ref);
}

/** A body instance with its statistics recomputed from the id map (same parts, level). */
export function recomputed(b: Instance, ids: Int32Array, volume: SpineVolume, axis: 0 | 1, up: boolean): Instance {
  const parts = new Set(b.parts);
  const voxels: number[] = [];
  for (let p = 0; p < ids.length; p++) if (parts.has(ids[p])) voxels.push(p);
  return { ...toInstance('vertebral_body', componentOf(voxels, b.parts[0], volume), volume, axis, up), parts: b.parts, level: b.level };
}

/** Component statistics of a voxel list (flat indices). */
export function componentOf(voxels: number[], id: number, volume: SpineVolume): Component {
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
export function verticalAxis(volume: SpineVolume): { axis: 0 | 1; up: boolean } {
  const r = volume.rowDirection;
  const c = volume.columnDirection;
  const axis: 0 | 1 = Math.abs(r[2]) >= Math.abs(c[2]) ? 0 : 1;
  return { axis, up: (axis === 0 ? r : c)[2] > 0 };
}
