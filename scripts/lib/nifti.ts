/**
 * NIfTI-1/2 reader (nifti-reader-js) that returns a SpineVolume in DICOM patient coordinates (LPS, mm).
 *
 * Axis convention (the research data in ../shared/data/segmentation, see its README):
 *   NIfTI array axis 0 = superior → inferior, axis 1 = anterior → posterior, axis 2 = sagittal slice.
 * The SpineVolume keeps that anatomy in DICOM terms: one sagittal image per axis-2 index, with
 *   rows (j, along `columnDirection`)  = NIfTI axis 0,
 *   columns (i, along `rowDirection`) = NIfTI axis 1,
 *   slices (k, along `sliceDirection`) = NIfTI axis 2.
 * Directions and spacings are not assumed: they come from the NIfTI affine (sform when
 * sform_code > 0 and ≥ qform_code, else qform, else pixdim — as nifti-reader-js resolves it), which maps
 * voxel centres to RAS+ world mm; LPS = (−x, −y, +z) of RAS. So the geometry is right for any affine.
 * A file stored in another axis order (e.g. RAS-canonical, axis 0 = left–right, as nibabel and many research tools
 * write it) is read with its axes reordered to the convention above by the affine (sagittalAxisOrder) and flipped
 * where they run inferior→superior or posterior→anterior (toSagittalLayout), so that its images are sagittal, head up,
 * anterior left — unless its sagittal planes would have pixels over 1.5 mm and coarser than its left–right spacing (an
 * axial or coronal stack of thick slices), which stays as stored and is refused downstream as not sagittal.
 */
import { readFileSync } from 'node:fs';
import * as nifti from 'nifti-reader-js';
import type { Labelmap, SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';

/** The NIfTI header fields this module uses (NIFTI1 and NIFTI2 share them). */
type NiftiHeader = ReturnType<typeof nifti.readHeader>;

/** 4×4 voxel-centre → world matrix (row-major; last column = translation), world in LPS mm. */
export type Mat4 = number[][];

export interface NiftiImage {
  /** Header as parsed by nifti-reader-js. */
  header: NiftiHeader;
  /** Array dimensions [n0, n1, n2] (NIfTI dim[1..3]); axis 0 varies fastest in `values`. */
  shape: Vec3;
  /** Voxel values after scl_slope/scl_inter (identity when slope is 0 or NaN), NIfTI (Fortran) order. */
  values: Float32Array;
  /** Affine from NIfTI voxel index (a0, a1, a2) to LPS mm (voxel centres). */
  affineLps: Mat4;
}

/** Reads a `.nii` or `.nii.gz` file. Throws with the path in the message for non-NIfTI or unsupported data. */
export function readNiftiFile(path: string): NiftiImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`Cannot read NIfTI file ${path}: ${(e as Error).message}`);
  }
  return parseNifti(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, path);
}

/** Parses NIfTI bytes (optionally gzip-compressed). `name` is only used in error messages. */
export function parseNifti(data: ArrayBuffer, name = 'NIfTI data'): NiftiImage {
  let raw: ArrayBuffer = data;
  if (nifti.isCompressed(raw)) raw = nifti.decompress(raw) as ArrayBuffer;
  if (!nifti.isNIFTI(raw)) throw new Error(`${name} is not a NIfTI-1/NIfTI-2 file (no valid header magic)`);
  const header = nifti.readHeader(raw);
  const d = header.dims;
  const extra = d.slice(4, 1 + Math.max(3, d[0])).filter((n) => n > 1);
  if (d[0] < 3 || extra.length > 0) {
    throw new Error(`${name}: expected a 3D volume, got dim = [${d.join(', ')}] (4D/5D series are not supported)`);
  }
  const shape: Vec3 = [d[1], d[2], d[3]];
  const n = shape[0] * shape[1] * shape[2];
  const values = toFloat32(nifti.readImage(header, raw), header, n, name);
  const slope = header.scl_slope;
  if (Number.isFinite(slope) && slope !== 0 && !(slope === 1 && !header.scl_inter)) {
    const inter = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
    for (let i = 0; i < n; i++) values[i] = values[i] * slope + inter;
  }
  const a = header.affine;
  const affineLps: Mat4 = [
    [0 - a[0][0], 0 - a[0][1], 0 - a[0][2], 0 - a[0][3]], // `0 - x` avoids -0 in printed DICOM values
    [0 - a[1][0], 0 - a[1][1], 0 - a[1][2], 0 - a[1][3]],
    [a[2][0] + 0, a[2][1] + 0, a[2][2] + 0, a[2][3] + 0],
    [0, 0, 0, 1],
  ];
  return { header, shape, values, affineLps };
}

function toFloat32(buf: ArrayBuffer, h: NiftiHeader, n: number, name: string): Float32Array {
  const T = nifti.NIFTI1;
  const view = new DataView(buf);
  const le = h.littleEndian;
  const readers: Record<number, [number, (o: number) => number]> = {
    [T.TYPE_UINT8]: [1, (o) => view.getUint8(o)],
    [T.TYPE_INT8]: [1, (o) => view.getInt8(o)],
    [T.TYPE_INT16]: [2, (o) => view.getInt16(o, le)],
    [T.TYPE_UINT16]: [2, (o) => view.getUint16(o, le)],
    [T.TYPE_INT32]: [4, (o) => view.getInt32(o, le)],
    [T.TYPE_UINT32]: [4, (o) => view.getUint32(o, le)],
    [T.TYPE_FLOAT32]: [4, (o) => view.getFloat32(o, le)],
    [T.TYPE_FLOAT64]: [8, (o) => view.getFloat64(o, le)],
  };
  const r = readers[h.datatypeCode];
  if (!r) throw new Error(`${name}: NIfTI datatype code ${h.datatypeCode} is not supported (use an integer or float scalar type)`);
  const [size, get] = r;
  if (buf.byteLength < n * size) throw new Error(`${name}: image data is truncated (${buf.byteLength} bytes, need ${n * size})`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i * size);
  return out;
}

function column(m: Mat4, c: number): Vec3 {
  return [m[0][c], m[1][c], m[2][c]];
}

function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

function unit(v: Vec3, what: string): Vec3 {
  const l = norm(v);
  if (!(l > 0)) throw new Error(`NIfTI affine has a zero-length ${what} axis`);
  return [v[0] / l, v[1] / l, v[2] / l];
}

/**
 * sagittalAxisOrder reorders a file's axes only when its sagittal planes are fine enough to segment: their pixels
 * (the superior–inferior and anterior–posterior spacings) at most this size (mm; the network reads 1.25 mm pixels,
 * models/MODEL_CARD.md), or at most SAGITTAL_SPACING_TOLERANCE × the left–right spacing (no coarser than the
 * stored slices). An axial stack of 4 mm slices fails both and stays as stored (refused as not sagittal).
 */
const REORDER_MAX_SAGITTAL_PIXEL_MM = 1.5;
const SAGITTAL_SPACING_TOLERANCE = 1.1;

/**
 * The file's axes in the order [superior–inferior, anterior–posterior, left–right], each the axis whose affine
 * direction lies closest to that anatomical axis (greedy: left–right first, then superior–inferior); [0, 1, 2] for
 * files that follow the module convention; null (leave the file as stored) when reordering would make sagittal
 * planes too coarse (REORDER_MAX_SAGITTAL_PIXEL_MM).
 */
function sagittalAxisOrder(affineLps: Mat4): Vec3 | null {
  const dirs = [0, 1, 2].map((c) => unit(column(affineLps, c), `axis ${c}`));
  const spacing = [0, 1, 2].map((c) => norm(column(affineLps, c)));
  const lr = [0, 1, 2].reduce((b, c) => (Math.abs(dirs[c][0]) > Math.abs(dirs[b][0]) ? c : b));
  const rest = [0, 1, 2].filter((c) => c !== lr);
  const si = Math.abs(dirs[rest[0]][2]) >= Math.abs(dirs[rest[1]][2]) ? rest[0] : rest[1];
  const ap = rest.find((c) => c !== si)!;
  const order: Vec3 = [si, ap, lr];
  if (order.join() === '0,1,2') return order;
  const pixel = Math.max(spacing[si], spacing[ap]);
  return pixel <= REORDER_MAX_SAGITTAL_PIXEL_MM || pixel <= SAGITTAL_SPACING_TOLERANCE * spacing[lr] ? order : null;
}

/**
 * The image with its axes reordered (new axis a = old axis order[a]) and then axis 0 flipped to run superior→inferior
 * and axis 1 anterior→posterior where they run the other way, so that the series it becomes shows head up and
 * anterior left, as a sagittal series is read. Values and affine are changed together: every voxel keeps its position.
 */
function toSagittalLayout(img: NiftiImage, order: Vec3): NiftiImage {
  const dir = (a: number) => column(img.affineLps, order[a]);
  const flip = [dir(0)[2] > 0, dir(1)[1] < 0, false];
  if (order.join() === '0,1,2' && !flip[0] && !flip[1]) return img;
  const [s0, s1] = img.shape;
  const stride = [1, s0, s0 * s1];
  const shape = order.map((a) => img.shape[a]) as Vec3;
  // Source index of new index (a, b, c): along each new axis, its old axis' stride, from the far end when flipped.
  const step = order.map((a, n) => (flip[n] ? -stride[a] : stride[a]));
  const start = order.reduce((sum, a, n) => sum + (flip[n] ? (img.shape[a] - 1) * stride[a] : 0), 0);
  const values = new Float32Array(img.values.length);
  let p = 0;
  for (let c = 0; c < shape[2]; c++) for (let b = 0; b < shape[1]; b++) for (let a = 0; a < shape[0]; a++) values[p++] = img.values[start + a * step[0] + b * step[1] + c * step[2]];
  const affineLps = img.affineLps.map((row, r) => {
    if (r === 3) return [...row];
    const cols = order.map((a, n) => (flip[n] ? 0 - row[a] : row[a]) + 0); // `0 - x`, `+ 0`: no -0 in DICOM values
    const shift = order.reduce((sum, a, n) => sum + (flip[n] ? row[a] * (img.shape[a] - 1) : 0), 0);
    return [...cols, row[3] + shift];
  });
  return { ...img, shape, values, affineLps };
}

/**
 * Converts a parsed NIfTI image to a SpineVolume (see the module docstring for the axis mapping; axes reordered
 * by sagittalAxisOrder and flipped to head up, anterior left by toSagittalLayout first).
 * voxels[i + j*n1 + k*n1*n0] = NIfTI value at (a0 = j, a1 = i, a2 = k); dims = [n1, n0, n2].
 * DICOM identity fields are empty strings (not yet in a PACS).
 */
export function niftiToSpineVolume(stored: NiftiImage, seriesDescription?: string): SpineVolume {
  const order = sagittalAxisOrder(stored.affineLps);
  const img = order ? toSagittalLayout(stored, order) : stored;
  const [n0, n1, n2] = img.shape;
  const voxels = new Float32Array(n0 * n1 * n2);
  const src = img.values;
  for (let k = 0; k < n2; k++) {
    for (let j = 0; j < n0; j++) {
      const srcBase = j + k * n0 * n1;
      const dstBase = j * n1 + k * n0 * n1;
      for (let i = 0; i < n1; i++) voxels[dstBase + i] = src[srcBase + i * n0];
    }
  }
  const m = img.affineLps;
  const a0 = column(m, 0);
  const a1 = column(m, 1);
  const a2 = column(m, 2);
  return {
    voxels,
    dims: [n1, n0, n2],
    spacingMm: [norm(a1), norm(a0), norm(a2)],
    originLps: [m[0][3], m[1][3], m[2][3]],
    rowDirection: unit(a1, 'second (axis 1)'),
    columnDirection: unit(a0, 'first (axis 0)'),
    sliceDirection: unit(a2, 'third (axis 2)'),
    studyInstanceUid: '',
    seriesInstanceUid: '',
    frameOfReferenceUid: '',
    sopInstanceUids: [],
    ...(seriesDescription ? { seriesDescription } : {}),
  };
}

/** NIFTI_INTENT_LABEL (nifti1.h): the values are indices into a set of labels. */
const NIFTI_INTENT_LABEL = 1002;
/** A label volume has at most this many distinct values (SPIDER's masks ≈ 50, the shared ones ≤ 10; an MR image, even 8-bit, ≥ 164 here). */
const LABEL_MAX_DISTINCT_VALUES = 128;
/** …and at least this fraction of its voxels exactly 0 (the shared masks ≥ 0.90; the shared images ≤ 0.09). */
const LABEL_MIN_ZERO_FRACTION = 0.5;

/** Thrown where an MR image was expected and the file holds labels (a segmentation mask). */
export class LabelVolumeError extends Error {}

/**
 * Why a NIfTI image holds labels (a segmentation mask) rather than MR intensities, or undefined when it looks like an
 * image: its intent code is NIFTI_INTENT_LABEL, or all its values are integers, at most LABEL_MAX_DISTINCT_VALUES of
 * them distinct, and at least LABEL_MIN_ZERO_FRACTION of the voxels 0. Project rule; thresholds from the 71 shared
 * volumes (`../shared/data/segmentation`), whose images and masks they separate with a wide margin.
 */
export function labelVolumeReason(img: NiftiImage): string | undefined {
  if (img.header.intent_code === NIFTI_INTENT_LABEL) return 'its NIfTI intent code is 1002, label';
  const distinct = new Set<number>();
  let zeros = 0;
  for (const v of img.values) {
    if (!Number.isInteger(v)) return undefined;
    if (v === 0) zeros++;
    else if (distinct.add(v).size + 1 > LABEL_MAX_DISTINCT_VALUES) return undefined;
  }
  const zeroFraction = zeros / img.values.length;
  if (zeroFraction < LABEL_MIN_ZERO_FRACTION) return undefined;
  return `${distinct.size} distinct integer values besides 0, ${Math.round(100 * zeroFraction)} % of voxels 0`;
}

/** Reads a `.nii`/`.nii.gz` MR volume as a SpineVolume in LPS (see module docstring). Throws on unreadable/unsupported files. */
export function readNiftiVolume(path: string): SpineVolume {
  return niftiToSpineVolume(readNiftiFile(path));
}

/**
 * Reads an integer label volume (e.g. `<case>_label.nii.gz`) in exactly the voxel order of
 * `readNiftiVolume` on the matching image. Values must be integers 0..255, or lie within 0.001 of one (labels
 * stored as floats, e.g. 2.9999998 after a scale factor); throws otherwise.
 */
export function readNiftiLabelmap(path: string): Labelmap {
  const vol = readNiftiVolume(path);
  const values = new Uint8Array(vol.voxels.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(vol.voxels[i]);
    if (!(v >= 0 && v <= 255 && Math.abs(vol.voxels[i] - v) <= 1e-3)) throw new Error(`${path}: label value ${vol.voxels[i]} at index ${i} is not an integer 0..255`);
    values[i] = v;
  }
  return { dims: vol.dims, values };
}
