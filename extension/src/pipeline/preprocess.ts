/**
 * Preprocessing: SpineVolume → per sagittal slice network input in the model's canonical orientation
 * (rows superior→inferior, columns anterior→posterior; head up, anterior left), resampled bilinearly
 * to the model's pixel spacing, normalised as the manifest says and zero-padded to a size multiple —
 * plus the exact inverse mapping (source voxel → canonical pixel) used to bring labels back.
 *
 * Coordinates: DICOM patient LPS (+x left, +y posterior, +z superior). Framework-free.
 *
 * Resampling convention (as scipy.ndimage.zoom(grid_mode=True) in the training recipe, and torch
 * F.interpolate(align_corners=False)): the canonical content grid of n' = round(n·d / s) pixels covers
 * exactly the source extent n·d, so its effective spacing is s' = n·d / n' (within half a pixel over
 * the field of view of the manifest's s), and source index u = (r + 0.5)·s' / d − 0.5.
 */
import type { SpineVolume } from './volume';
import type { ModelManifest, ModelNormalisation } from './model';

/** How one sagittal slice of a volume maps onto the model's canonical image grid. */
export interface SliceGeometry {
  /** Volume in-plane axis that runs superior↔inferior: 0 = i (columns, along rowDirection), 1 = j (rows, along columnDirection). */
  verticalAxis: 0 | 1;
  /** True when increasing source index on the vertical axis goes superior-ward (LPS +z), so it is flipped. */
  flipVertical: boolean;
  /** True when increasing source index on the horizontal axis goes anterior-ward (LPS −y), so it is flipped. */
  flipHorizontal: boolean;
  /** Source voxel counts along the vertical and horizontal axes. */
  sourceVertical: number;
  sourceHorizontal: number;
  /** Source spacings (mm) along the vertical and horizontal axes. */
  sourceVerticalMm: number;
  sourceHorizontalMm: number;
  /** Model pixel spacing (mm) [row, column] from the manifest. */
  modelSpacingMm: [number, number];
  /** Spacing actually used (mm) [row, column]: source extent / content size (see module docstring). */
  effectiveSpacingMm: [number, number];
  /** Image content size at model spacing (before padding). */
  contentHeight: number;
  contentWidth: number;
  /** Padded network input size: multiples of manifest.input.sizeMultipleOf. */
  height: number;
  width: number;
  /** Canonical row of each source vertical index (nearest neighbour, length sourceVertical). */
  rowOfSource: Int32Array;
  /** Canonical column of each source horizontal index (nearest neighbour, length sourceHorizontal). */
  colOfSource: Int32Array;
}

/** Cosine of the largest angle (45°) allowed between the slice normal and the LPS left-right axis. */
const SAGITTAL_MIN_COS = Math.SQRT1_2;

function cross(a: readonly number[], b: readonly number[]): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/**
 * Geometry of the sagittal slices of `volume` for `manifest`.
 * @throws Error when the series is not sagittal (slice normal more than 45° from LPS ±x), e.g.
 *   an axial or coronal series; when it has no usable PixelSpacing (never assumed); or when dims are invalid.
 */
export function sagittalGeometry(volume: SpineVolume, manifest: ModelManifest): SliceGeometry {
  const [nI, nJ, nK] = volume.dims;
  if (!(nI > 0 && nJ > 0 && nK > 0) || volume.voxels.length !== nI * nJ * nK)
    throw new Error(`SpineVolume dims [${volume.dims.join(',')}] do not match ${volume.voxels.length} voxels`);
  const positive = (s: number) => Number.isFinite(s) && s > 0;
  const series = volume.seriesDescription ? `"${volume.seriesDescription}"` : volume.seriesInstanceUid || '(no UID)';
  if (!positive(volume.spacingMm[0]) || !positive(volume.spacingMm[1])) {
    // Never assumed (e.g. 1 mm): every disc height, canal diameter and the network's input scale would be wrong.
    throw new Error(`Series ${series} has no usable PixelSpacing (0028,0030): distances in mm cannot be measured on it, so it is not analysed. Check the series' headers at the scanner or PACS.`);
  }
  if (!positive(volume.spacingMm[2])) throw new Error(`Series ${series}: the spacing between its slices (${volume.spacingMm[2]} mm) is not a positive distance`);
  const r = volume.rowDirection;
  const c = volume.columnDirection;
  const n = cross(r, c);
  const nLen = Math.hypot(n[0], n[1], n[2]);
  if (!(nLen > 0.5)) throw new Error('SpineVolume rowDirection and columnDirection are not orthonormal (ImageOrientationPatient is invalid)');
  if (Math.abs(n[0]) / nLen < SAGITTAL_MIN_COS) {
    const kind = Math.abs(n[2]) >= Math.abs(n[1]) ? 'axial' : 'coronal';
    throw new Error(
      `Series ${volume.seriesInstanceUid || '(no UID)'} is not sagittal (slice normal [${n.map((x) => x.toFixed(2)).join(', ')}] in LPS looks ${kind}); ` +
        'the spine segmentation needs a sagittal series',
    );
  }
  // In-plane axis closest to superior-inferior (LPS z) is the canonical vertical axis.
  const verticalAxis: 0 | 1 = Math.abs(r[2]) >= Math.abs(c[2]) ? 0 : 1;
  const vDir = verticalAxis === 0 ? r : c;
  const hDir = verticalAxis === 0 ? c : r;
  const flipVertical = vDir[2] > 0; // canonical rows run S→I = −z
  const flipHorizontal = hDir[1] < 0; // canonical columns run A→P = +y
  const sourceVertical = verticalAxis === 0 ? nI : nJ;
  const sourceHorizontal = verticalAxis === 0 ? nJ : nI;
  const sourceVerticalMm = volume.spacingMm[verticalAxis];
  const sourceHorizontalMm = volume.spacingMm[verticalAxis === 0 ? 1 : 0];
  const [sr, sc] = manifest.input.pixelSpacingMm;
  const m = manifest.input.sizeMultipleOf;
  const contentHeight = Math.max(1, Math.round((sourceVertical * sourceVerticalMm) / sr));
  const contentWidth = Math.max(1, Math.round((sourceHorizontal * sourceHorizontalMm) / sc));
  const height = Math.ceil(contentHeight / m) * m;
  const width = Math.ceil(contentWidth / m) * m;
  const effR = (sourceVertical * sourceVerticalMm) / contentHeight;
  const effC = (sourceHorizontal * sourceHorizontalMm) / contentWidth;
  const rowOfSource = nearestTable(sourceVertical, sourceVerticalMm, effR, contentHeight, flipVertical);
  const colOfSource = nearestTable(sourceHorizontal, sourceHorizontalMm, effC, contentWidth, flipHorizontal);
  return {
    verticalAxis,
    flipVertical,
    flipHorizontal,
    sourceVertical,
    sourceHorizontal,
    sourceVerticalMm,
    sourceHorizontalMm,
    modelSpacingMm: [sr, sc],
    effectiveSpacingMm: [effR, effC],
    contentHeight,
    contentWidth,
    height,
    width,
    rowOfSource,
    colOfSource,
  };
}

/** Canonical index (nearest pixel centre; of two equally near, the second) of every source index along one axis. */
function nearestTable(nSrc: number, srcMm: number, dstMm: number, nDst: number, flip: boolean): Int32Array {
  const { lo, hi, f } = linearTable(nSrc, srcMm, dstMm, nDst, flip);
  return lo.map((l, u) => (f[u] >= 0.5 ? hi[u] : l));
}

/** Percentile with linear interpolation between order statistics (numpy's default). `sorted` ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** An affine intensity map x → clamp((x − offset) · scale) (clamped to [0, 1] for percentile/minmax). */
export interface IntensityMap {
  offset: number;
  scale: number;
  clamp: boolean;
}

/**
 * Intensity map for `values` (raw intensities of a slice or a volume) under a manifest normalisation.
 * A constant image maps to all zeros.
 */
export function intensityMap(values: Float32Array, norm: ModelNormalisation): IntensityMap {
  if (norm.method === 'zscore') {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < values.length; i++) {
      s += values[i];
      s2 += values[i] * values[i];
    }
    const mean = s / Math.max(1, values.length);
    const sd = Math.sqrt(Math.max(0, s2 / Math.max(1, values.length) - mean * mean));
    return { offset: mean, scale: sd > 0 ? 1 / sd : 0, clamp: false };
  }
  const sorted = Float32Array.from(values).sort();
  const lo = norm.method === 'minmax' ? sorted[0] : percentileSorted(sorted, norm.lowPercentile ?? 1);
  const hi = norm.method === 'minmax' ? sorted[sorted.length - 1] : percentileSorted(sorted, norm.highPercentile ?? 99);
  return { offset: lo, scale: hi > lo ? 1 / (hi - lo) : 0, clamp: true };
}

/** Raw intensities of sagittal slice k (all voxels with that slice index). */
export function sliceValues(volume: SpineVolume, k: number): Float32Array {
  const n = volume.dims[0] * volume.dims[1];
  return volume.voxels.subarray(k * n, (k + 1) * n);
}

/**
 * Network input for sagittal slice k: Float32Array of length height·width, row-major [H][W] in the
 * canonical orientation at model spacing, normalised with `map`, zero outside the content area.
 */
export function canonicalSlice(volume: SpineVolume, g: SliceGeometry, k: number, map: IntensityMap): Float32Array {
  const [nI, nJ] = volume.dims;
  const base = k * nI * nJ;
  const vox = volume.voxels;
  const out = new Float32Array(g.height * g.width);
  const [sr, sc] = g.effectiveSpacingMm;
  // Normalise (and clip) each source sample before interpolating, as the training recipe does
  // (models/training/prepare.py: normalise the volume, then scipy zoom order 1, grid_mode=True).
  const { offset, scale, clamp } = map;
  const n = clamp
    ? (x: number) => {
        const v = (x - offset) * scale;
        return v < 0 ? 0 : v > 1 ? 1 : v;
      }
    : (x: number) => (x - offset) * scale;
  // Source coordinate (continuous index, canonical direction) of each canonical column.
  const colU0 = new Int32Array(g.contentWidth);
  const colU1 = new Int32Array(g.contentWidth);
  const colF = new Float32Array(g.contentWidth);
  for (let cc = 0; cc < g.contentWidth; cc++) {
    const x = Math.min(g.sourceHorizontal - 1, Math.max(0, ((cc + 0.5) * sc) / g.sourceHorizontalMm - 0.5));
    let a = Math.floor(x);
    let b = Math.min(g.sourceHorizontal - 1, a + 1);
    colF[cc] = x - a;
    if (g.flipHorizontal) {
      a = g.sourceHorizontal - 1 - a;
      b = g.sourceHorizontal - 1 - b;
    }
    colU0[cc] = a;
    colU1[cc] = b;
  }
  // Strides of the vertical and horizontal source axes in the voxel array.
  const vStride = g.verticalAxis === 0 ? 1 : nI;
  const hStride = g.verticalAxis === 0 ? nI : 1;
  for (let rr = 0; rr < g.contentHeight; rr++) {
    const y = Math.min(g.sourceVertical - 1, Math.max(0, ((rr + 0.5) * sr) / g.sourceVerticalMm - 0.5));
    let a = Math.floor(y);
    let b = Math.min(g.sourceVertical - 1, a + 1);
    const fy = y - a;
    if (g.flipVertical) {
      a = g.sourceVertical - 1 - a;
      b = g.sourceVertical - 1 - b;
    }
    const rowA = base + a * vStride;
    const rowB = base + b * vStride;
    const o = rr * g.width;
    for (let cc = 0; cc < g.contentWidth; cc++) {
      const h0 = colU0[cc] * hStride;
      const h1 = colU1[cc] * hStride;
      const fx = colF[cc];
      const top = n(vox[rowA + h0]) * (1 - fx) + n(vox[rowA + h1]) * fx;
      const bot = n(vox[rowB + h0]) * (1 - fx) + n(vox[rowB + h1]) * fx;
      out[o + cc] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

/**
 * Write a canonical label image (Uint8Array [height][width], e.g. argmax classes) back onto
 * sagittal slice k of `target` (same index order as the volume's voxels), nearest neighbour:
 * every source voxel takes the label of the canonical pixel whose centre is nearest to its centre.
 */
export function labelsToSource(g: SliceGeometry, canonical: Uint8Array, dims: readonly number[], k: number, target: Uint8Array): void {
  const [nI, nJ] = dims;
  const base = k * nI * nJ;
  for (let j = 0; j < nJ; j++) {
    for (let i = 0; i < nI; i++) target[base + i + j * nI] = canonical[canonicalPixelOfSource(g, i, j)];
  }
}

/** Two neighbouring canonical indices and the weight of the second, for every source index along one axis. */
interface LinearTable {
  lo: Int32Array;
  hi: Int32Array;
  f: Float64Array;
}

/** Where each source voxel centre lies between the canonical pixel centres along one axis (clamped to the content). */
function linearTable(nSrc: number, srcMm: number, dstMm: number, nDst: number, flip: boolean): LinearTable {
  const t: LinearTable = { lo: new Int32Array(nSrc), hi: new Int32Array(nSrc), f: new Float64Array(nSrc) };
  for (let u = 0; u < nSrc; u++) {
    const uc = flip ? nSrc - 1 - u : u;
    const x = Math.min(nDst - 1, Math.max(0, ((uc + 0.5) * srcMm) / dstMm - 0.5));
    t.lo[u] = Math.floor(x);
    t.hi[u] = Math.min(nDst - 1, t.lo[u] + 1);
    t.f[u] = x - t.lo[u];
  }
  return t;
}

/**
 * Bilinear sampler of one slice's network logits (Float32Array laid out [C][height][width]) at source voxel centres:
 * `sample(i, j, out)` writes the C logits interpolated at in-plane source voxel (i, j) into `out`. Used for the
 * outline rather than nearest neighbour because the model's 1.25 mm pixels are coarser than most sagittal series,
 * where nearest draws every outline in 1.25 mm steps.
 */
export function logitSampler(g: SliceGeometry, logits: Float32Array, nClasses: number): (i: number, j: number, out: Float32Array) => void {
  const plane = g.height * g.width;
  if (logits.length !== nClasses * plane) throw new Error(`logits length ${logits.length} != ${nClasses}×${g.height}×${g.width}`);
  const rows = linearTable(g.sourceVertical, g.sourceVerticalMm, g.effectiveSpacingMm[0], g.contentHeight, g.flipVertical);
  const cols = linearTable(g.sourceHorizontal, g.sourceHorizontalMm, g.effectiveSpacingMm[1], g.contentWidth, g.flipHorizontal);
  return (i, j, out) => {
    const [u, v] = g.verticalAxis === 0 ? [i, j] : [j, i];
    const r0 = rows.lo[u] * g.width, r1 = rows.hi[u] * g.width, fr = rows.f[u];
    const c0 = cols.lo[v], c1 = cols.hi[v], fc = cols.f[v];
    const w00 = (1 - fr) * (1 - fc), w01 = (1 - fr) * fc, w10 = fr * (1 - fc), w11 = fr * fc;
    for (let c = 0, o = 0; c < nClasses; c++, o += plane) {
      out[c] = w00 * logits[o + r0 + c0] + w01 * logits[o + r0 + c1] + w10 * logits[o + r1 + c0] + w11 * logits[o + r1 + c1];
    }
  };
}

/**
 * Write the calibrated outline of one slice's logits (layout [C][height][width]) onto sagittal slice k of `target`,
 * from the logits sampled bilinearly at the voxel (logitSampler): where a structure class (c > 0) wins once
 * `offsets[c]` is added (inside the outline), the structure class with the largest plain logit there (the border
 * between a body and a disc, drawn between model pixels; the offsets only move the border with the background);
 * else 0.
 */
export function outlineToSource(g: SliceGeometry, logits: Float32Array, offsets: readonly number[], dims: readonly number[], k: number, target: Uint8Array): void {
  const [nI, nJ] = dims;
  const base = k * nI * nJ;
  const nClasses = offsets.length;
  const sample = logitSampler(g, logits, nClasses);
  const l = new Float32Array(nClasses);
  for (let j = 0; j < nJ; j++) {
    for (let i = 0; i < nI; i++) {
      sample(i, j, l);
      let inside = false, best = 1;
      for (let c = 1; c < nClasses; c++) {
        if (l[c] + offsets[c] > l[0] + offsets[0]) inside = true;
        if (l[c] > l[best]) best = c;
      }
      target[base + i + j * nI] = inside ? best : 0;
    }
  }
}

/** Index (row · width + column) of the canonical pixel whose centre is nearest to source voxel (i, j) of a slice. */
export function canonicalPixelOfSource(g: SliceGeometry, i: number, j: number): number {
  const [u, v] = g.verticalAxis === 0 ? [i, j] : [j, i];
  return g.rowOfSource[u] * g.width + g.colOfSource[v];
}
