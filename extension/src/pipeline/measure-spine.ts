/**
 * Measuring the spine on the sagittal slices: every disc on the spine's mid-sagittal slice, or on the slice through
 * its own centre when it lies off it (measure.ts), the dural sac found classically (canal.ts) and added to the
 * labelmap with the spinal cord in it (cord.ts, display, and AP lines taken across it), the slip (listhesis.ts) and the disc classifier's
 * patch (disc-crop.ts). No grading here: build-report.ts grades what this measures.
 */
import { sourceImageOf, type Measurement, type SegmentInfo } from './report';
import type { Labelmap, SpineVolume, Vec3 } from './volume';
import { voxelToLps } from './volume';
import { heightIndices, labelCentroids, meanSliceIndexByLabel, measureDisc, medianIntensity, midSagittalSlice, sagittalFrame, segmentPixels, type DiscMeasures, type PlaneShape } from './measure';
import { measureListhesis, type ListhesisMeasure } from './listhesis';
import { apLineThroughCord, paintSpinalCord } from './cord';
import { dropSacBehindSac, findDuralSac, THREE_D_WALL, trimSacProtrusions, TSE_WALL, type CanalProfileResult, type CanalStructure } from './canal';
import type { PfirrmannFeatures } from './grade/pfirrmann';
import { discCrop } from './disc-crop';
import { ballOffsets } from './mask2d';
import { isThreeDAcquisition } from './series';

/** Per-disc measurements and Pfirrmann features (superior→inferior). */
export interface DiscAnalysis {
  segment: SegmentInfo;
  /** The sagittal slice (index along volume axis 2) the disc, its canal and its slip were measured on (measureSpine). */
  sliceIndex: number;
  /** Set when that slice is the disc's own, not the spine's mid-sagittal slice: the distance between the two, mm. */
  offMidlineMm?: number;
  measures: DiscMeasures;
  heightIndex: number;
  canalApMm: number | null;
  canalReason?: string;
  /** End points of the canal AP line (anterior, posterior), sagittal mm frame. */
  canalApLineMm?: [[number, number], [number, number]];
  /** canal.ts apQuartilesMm: the spread of the centre profiles' runs behind the disc, mm (absent where the line was carried across the cord). */
  canalApQuartilesMm?: [number, number];
  /** No CSF behind the disc while the sac above and below holds CSF (canal.ts). */
  canalCsfEffaced?: boolean;
  /** No AP: a point inside the sac behind its anterior edge, sagittal mm frame, seeding the axial area (canal.ts sacSeedMm). */
  canalSacSeedMm?: [number, number];
  /** Canal AP at the mid-vertebral level of the vertebral body just above the disc, mm. */
  midVertebralCanalApMm: number | null;
  marrowMedian: number;
  /** The CSF intensity the signal ratios and the patch's second channel are scaled by (the mid-sagittal slice's, else the disc's own slice's); null when no CSF was found. */
  csfLevel: number | null;
  /** null when no CSF was found. */
  features: PfirrmannFeatures | null;
  /** The disc patch the disc classifier reads (disc-crop.ts layout). */
  patch: Float32Array;
  /** The disc's outline on the slice, pixels, relative to the median disc of this spine (grade/pfirrmann.ts SMALL_DISC_OUTLINE_FRACTION). */
  outlineFraction: number;
  /** Slip of the body above on the body below (listhesis.ts), or why it was not measured. */
  listhesis: ListhesisMeasure | { reason: string };
  /** The sagittal image the slip was measured on (sliceIndex), and its posterior vertebral body lines there (LPS mm), when measured. */
  listhesisImage?: { sourceImage: Measurement['sourceImage']; lineLps: Vec3[] };
  /** The image the canal AP was measured on, and the AP line there (anterior, posterior; LPS mm), when measured. */
  canalApImage?: { sourceImage: Measurement['sourceImage']; lineLps: Vec3[] };
}

export interface SpineMeasurements {
  discs: DiscAnalysis[];
  /** Input labelmap plus the dural sac and spinal cord voxels (a copy; the input is not changed). */
  labelmap: Labelmap;
  /** Input segments plus the dural sac and spinal cord segments when voxels were found. */
  segments: SegmentInfo[];
  csfMedian: number | null;
  sliceIndex: number;
}

function siOf(s: SegmentInfo): number { return s.centroidLps[2]; }

/**
 * A disc whose own left–right centre (its voxels' mean slice) lies further than this from the spine's mid-sagittal
 * slice is measured on the slice through its own centre, mm. Project choice: the lumbar dural sac is about 15 mm
 * wide, so within 3 mm of the disc's centre the sac is still near its widest; a spine that curves or lies obliquely
 * in the scanner puts discs 5–10 mm off (the shared 3D volumes: vb1_08, vb1_12, vb2_04; `npm run eval:seg`).
 */
export const OWN_SLICE_MIN_OFFSET_MM = 3;

/** Half the band of the dural sac, along the spine, painted from a disc's own slice (the disc and half a body on each side), mm. */
const OWN_SLICE_SAC_BAND_MM = 12;

/**
 * Display and SEG only: the dural sac is painted on the slices within this distance either side of the mid-sagittal
 * slice, mm. Project choice: a sac of normal area (≥ 100 mm², Bolender N.F. et al., J Bone Joint Surg Am
 * 1985;67:240-6) with an AP of 12 mm is over 10 mm wide, so slices within 5 mm of its midline still cut it.
 */
export const SAC_PAINT_HALF_WIDTH_MM = 5;
/** Display only: a slice's sac (or cord) is painted within this distance of it on the slice next to it nearer the midline, mm. */
const SAC_PAINT_REACH_MM = 2;
/**
 * Display and SEG only: the spinal cord is painted on the slices within this distance either side of the mid-sagittal
 * slice, mm. Project choice: the lower thoracic cord and the conus are about 8–10 mm wide from side to side.
 */
export const CORD_PAINT_HALF_WIDTH_MM = 3;

/** Everything measured on one sagittal slice: the discs' and bodies' pixels, the discs' measures and the canal. */
interface SliceMeasures {
  k: number;
  frame: ReturnType<typeof sagittalFrame>;
  pixels: Map<number, ReturnType<typeof segmentPixels>>;
  bodies: SegmentInfo[];
  marrowPerBody: number[];
  marrowAll: number;
  discs: Map<number, DiscMeasures>;
  canalBySeg: Map<number, CanalProfileResult>;
  csfMean: number | null;
  /** The CSF level the sac was found at (canal.ts), null when none. */
  csfLevel: number | null;
  /** The discs and bodies the sac was sought behind (their centres and directions in the sagittal mm frame). */
  structures: CanalStructure[];
}

/**
 * Measure the discs and find the dural sac on slice k (painting it into `labelmap`).
 * @param ordered discs and vertebral bodies, superior first.
 */
function measureSlice(volume: SpineVolume, labelmap: Labelmap, ordered: SegmentInfo[], k: number, duralSacSegment: number): SliceMeasures {
  const frame = sagittalFrame(volume, k);
  const pixels = new Map(ordered.map((s) => [s.segmentNumber, segmentPixels(volume, labelmap, frame, s.segmentNumber)]));
  const bodies = ordered.filter((s) => s.kind === 'vertebral_body' && (pixels.get(s.segmentNumber)?.length ?? 0) >= 10);
  const marrowPerBody = bodies.map((s) => medianIntensity(pixels.get(s.segmentNumber)!));
  const marrowAll = marrowPerBody.length ? [...marrowPerBody].sort((a, b) => a - b)[marrowPerBody.length >> 1] : NaN;
  const discs = ordered.filter((s) => s.kind === 'disc' && (pixels.get(s.segmentNumber)?.length ?? 0) >= 10)
    .map((s) => measureDisc(pixels.get(s.segmentNumber)!, frame.pixelMm, s.segmentNumber, s.level));

  // Canal profiles: discs along their major axis; bodies along the mean axis of neighbouring discs.
  // Not behind sacral segments: the sacral canal holds roots and fat, no dural sac worth painting or grading.
  const sacral = (level?: string) => !!level?.startsWith('S');
  const structures: CanalStructure[] = [];
  for (const d of discs) if (!sacral(d.level)) structures.push({ segmentNumber: d.segmentNumber, centreMm: d.shape.centre, posteriorDir: d.shape.major, halfHeightMm: d.discHeightMm / 2, disc: true });
  for (const b of bodies.filter((x) => !sacral(x.level))) {
    const px = pixels.get(b.segmentNumber)!;
    const c: [number, number] = [px.reduce((a, p) => a + p.ap, 0) / px.length, px.reduce((a, p) => a + p.si, 0) / px.length];
    const near = [...discs].sort((x, y) => Math.abs(x.shape.centre[1] - c[1]) - Math.abs(y.shape.centre[1] - c[1])).slice(0, 2);
    let dir: [number, number] = near.length ? [near.reduce((a, d) => a + d.shape.major[0], 0), near.reduce((a, d) => a + d.shape.major[1], 0)] : [1, 0];
    const n = Math.hypot(dir[0], dir[1]); dir = [dir[0] / n, dir[1] / n];
    const sis = px.map((p) => p.si);
    structures.push({ segmentNumber: b.segmentNumber, centreMm: c, posteriorDir: dir, halfHeightMm: (Math.max(...sis) - Math.min(...sis)) / 2 });
  }
  const noSac = (reason: string) => ({ perStructure: structures.map(() => ({ apMm: null, csfMean: null, reason })), paintedVoxels: 0, csfMean: null, csfLevel: null });
  // The sac is found by its bright CSF (T2, STIR). On T1 CSF is dark and the brightest tissue behind the disc is epidural
  // fat, which the rule outlined as a "sac" and measured (vb3_26); of unknown weighting, nobody knows what is bright.
  const csfNotBright = volume.role === 'sagittal_t1' || volume.role === 'other';
  const canal = csfNotBright ? noSac(`no dural sac sought (it is found by its bright CSF, ${volume.role === 'sagittal_t1' ? 'which is dark on T1' : 'and this series\' weighting is not known'})`)
    : Number.isFinite(marrowAll) && duralSacSegment <= 255
      ? findDuralSac(frame, labelmap, structures, marrowAll, duralSacSegment, sacWall(volume))
      : noSac('no vertebral body marrow reference');
  return {
    k, frame, pixels, bodies, marrowPerBody, marrowAll, discs: new Map(discs.map((d) => [d.segmentNumber, d])),
    canalBySeg: new Map<number, CanalProfileResult>(structures.map((s, n) => [s.segmentNumber, canal.perStructure[n]])), csfMean: canal.csfMean, csfLevel: canal.csfLevel, structures,
  };
}

const sacWall = (volume: SpineVolume) => (isThreeDAcquisition(volume.mrAcquisitionType) ? THREE_D_WALL : TSE_WALL);

/**
 * Measure all discs and the dural sac. Each disc is measured on the spine's mid-sagittal slice (measure.ts
 * midSagittalSlice), or on the slice through its own left–right centre when that lies more than
 * OWN_SLICE_MIN_OFFSET_MM from it (DiscAnalysis.sliceIndex says which); the sac found on such a slice is painted
 * only within OWN_SLICE_SAC_BAND_MM of the disc's centre along the spine. The sac is also painted on the slices
 * within SAC_PAINT_HALF_WIDTH_MM of the mid-sagittal one (paintSacBesideMidline), and the spinal cord in it where
 * found (paintCord); no measurement reads those, except that a mid-sagittal AP line that stopped at the front of the
 * drawn cord is taken on across it (cord.ts apLineThroughCord).
 * @throws Error when the volume is not sagittal or the labelmap's dims differ from the volume's.
 */
export function measureSpine(volume: SpineVolume, labelmapIn: Labelmap, segmentsIn: SegmentInfo[]): SpineMeasurements {
  if (labelmapIn.dims.join() !== volume.dims.join()) throw new Error(`labelmap dims ${labelmapIn.dims} differ from volume dims ${volume.dims}`);
  const labelmap: Labelmap = { dims: [...labelmapIn.dims] as Vec3, values: new Uint8Array(labelmapIn.values) };
  const ordered = [...segmentsIn].filter((s) => s.kind === 'disc' || s.kind === 'vertebral_body').sort((a, b) => siOf(b) - siOf(a));
  const discSegs = ordered.filter((s) => s.kind === 'disc');
  const k = midSagittalSlice(labelmap, discSegs.length ? discSegs.map((s) => s.segmentNumber) : ordered.map((s) => s.segmentNumber));
  const duralSacSegment = Math.max(0, ...segmentsIn.map((s) => s.segmentNumber)) + 1;
  // Each disc's slice, from the input labelmap (before any sac is painted).
  const centres = meanSliceIndexByLabel(labelmapIn);
  const ownSlice = new Map(discSegs.map((s) => {
    const own = Math.round(centres.get(s.segmentNumber) ?? k);
    return [s.segmentNumber, Math.abs(own - k) * volume.spacingMm[2] > OWN_SLICE_MIN_OFFSET_MM ? own : k];
  }));
  const mid = measureSlice(volume, labelmap, ordered, k, duralSacSegment);
  const slices = new Map<number, SliceMeasures>([[k, mid]]);
  for (const own of new Set(ownSlice.values())) {
    if (slices.has(own)) continue;
    const scratch: Labelmap = { dims: labelmap.dims, values: new Uint8Array(labelmap.values) };
    const sm = measureSlice(volume, scratch, ordered, own, duralSacSegment);
    slices.set(own, sm);
    paintOwnSliceSac(labelmap, scratch, sm, discSegs.filter((s) => ownSlice.get(s.segmentNumber) === own), duralSacSegment);
  }
  paintSacBesideMidline(volume, labelmap, mid, duralSacSegment);
  const cordSegment = duralSacSegment + 1;
  const cordPainted = cordSegment <= 255 && paintCord(volume, labelmap, mid, duralSacSegment, cordSegment);
  // An AP line that stopped at the cord goes on across it to the dura (cord.ts apLineThroughCord).
  for (const [segment, c] of cordPainted ? mid.canalBySeg : []) {
    const line = c.apLineMm && apLineThroughCord(mid.frame, labelmap, duralSacSegment, cordSegment, c.apLineMm);
    if (line) mid.canalBySeg.set(segment, { ...c, apMm: Math.hypot(line[1][0] - line[0][0], line[1][1] - line[0][1]), apLineMm: line, apQuartilesMm: undefined });
  }
  // Display and SEG only: the thin tongues profile fans drew behind the sac (canal.ts PROTRUSION_MAX_MM), once the cord is found.
  for (let slice = 0; slice < labelmap.dims[2]; slice++) {
    const frame = sagittalFrame(volume, slice);
    trimSacProtrusions(labelmap, frame, duralSacSegment);
    dropSacBehindSac(labelmap, frame, duralSacSegment, [cordSegment]);
  }
  const measured = discSegs.map((s) => ({ seg: s, sm: slices.get(ownSlice.get(s.segmentNumber)!)! }))
    .map((x) => ({ ...x, d: x.sm.discs.get(x.seg.segmentNumber) })).filter((x): x is typeof x & { d: DiscMeasures } => !!x.d);
  const hIdx = heightIndices(measured.map((x) => x.d.discHeightMm));

  const segments = [...segmentsIn];
  const centroids = labelCentroids(volume, labelmap);
  const sac = centroids.get(duralSacSegment);
  if (sac) segments.push({ segmentNumber: duralSacSegment, kind: 'dural_sac', label: 'Dural sac', ...sac });
  const cord = cordPainted ? centroids.get(cordSegment) : undefined;
  if (cord) segments.push({ segmentNumber: cordSegment, kind: 'spinal_cord', label: 'Spinal cord', ...cord });

  // Only between the two bodies named by the disc: a body the network missed would otherwise pair bodies two levels apart.
  const slipAt = (sm: SliceMeasures, disc: SegmentInfo, shape: PlaneShape & { discLengthMm: number }, above?: SegmentInfo, below?: SegmentInfo): ListhesisMeasure | { reason: string } => {
    const [up, down] = disc.level?.split('/') ?? [];
    if (!above || !below || (disc.level && (above.level !== up || below.level !== down))) {
      return { reason: `the vertebral body ${!above || (disc.level && above.level !== up) ? 'above' : 'below'} the disc is not segmented on ${sm.k === k ? 'the mid-sagittal slice' : 'the slice through the disc\'s centre'}` };
    }
    return measureListhesis(sm.pixels.get(above.segmentNumber)!, sm.pixels.get(below.segmentNumber)!, shape, sm.frame.pixelMm);
  };
  const imageOf = (slice: number) => sourceImageOf({ seriesInstanceUid: volume.seriesInstanceUid, sopInstanceUid: volume.sopInstanceUids[slice], frameNumber: volume.frameNumbers?.[slice], sopClassUid: volume.sopClassUid, frameOfReferenceUid: volume.frameOfReferenceUid });
  const brightest = Math.max(...measured.map((x) => x.d.nucleusMean));
  const counts = measured.map((x) => x.d.pixelCount).sort((a, b) => a - b);
  const medianCount = counts[counts.length >> 1];
  const out: DiscAnalysis[] = measured.map(({ seg, sm, d }, n) => {
    const c = sm.canalBySeg.get(d.segmentNumber);
    const above = sm.bodies.filter((b) => siOf(b) > siOf(seg)).sort((a, b) => siOf(a) - siOf(b))[0];
    const below = sm.bodies.filter((b) => siOf(b) < siOf(seg)).sort((a, b) => siOf(b) - siOf(a))[0];
    const adj = [above, below].filter(Boolean).map((b) => sm.marrowPerBody[sm.bodies.indexOf(b!)]);
    const marrow = adj.length ? adj.reduce((a, x) => a + x, 0) / adj.length : sm.marrowAll;
    // One CSF reference for the whole spine (its signal ratios compare discs): the mid-sagittal slice's, where the sac is longest.
    const csf = mid.csfMean ?? sm.csfMean;
    const slip = slipAt(sm, seg, { ...d.shape, discLengthMm: d.discLengthMm }, above, below);
    const toLps = ([ap, si]: [number, number]): Vec3 => voxelToLps(volume, ...sm.frame.toIj(ap, si), sm.k);
    const features: PfirrmannFeatures | null = csf && csf > 0 ? {
      nucleusCsfSignalRatio: d.nucleusMean / csf,
      nucleusAnnulusContrast: d.annulusMean > 0 ? (d.nucleusMean - d.annulusMean) / d.annulusMean : 0,
      heightIndex: hIdx[n],
      nucleusVertebralBodySignalRatio: marrow > 0 ? d.nucleusMean / marrow : NaN,
      nucleusBrightestDiscRatio: brightest > 0 ? d.nucleusMean / brightest : NaN,
    } : null;
    return {
      segment: seg, sliceIndex: sm.k, ...(sm.k !== k ? { offMidlineMm: Math.abs(sm.k - k) * volume.spacingMm[2] } : {}), measures: d, heightIndex: hIdx[n], canalApMm: c?.apMm ?? null, canalReason: c?.reason, canalApLineMm: c?.apLineMm, canalApQuartilesMm: c?.apQuartilesMm, canalCsfEffaced: c?.csfEffaced, canalSacSeedMm: c?.sacSeedMm,
      midVertebralCanalApMm: above ? sm.canalBySeg.get(above.segmentNumber)?.apMm ?? null : null, marrowMedian: marrow, csfLevel: csf ?? null, features,
      patch: discCrop(volume, sm.frame, d.shape, csf ?? null),
      outlineFraction: d.pixelCount / medianCount,
      listhesis: slip,
      listhesisImage: 'posteriorLinesMm' in slip ? { sourceImage: imageOf(sm.k), lineLps: slip.posteriorLinesMm.map(toLps) } : undefined,
      canalApImage: c?.apLineMm ? { sourceImage: imageOf(sm.k), lineLps: c.apLineMm.map(toLps) } : undefined,
    };
  });
  return { discs: out, labelmap, segments, csfMedian: mid.csfMean, sliceIndex: k };
}

/**
 * Display and SEG only (no measurement reads it): the dural sac on the slices within SAC_PAINT_HALF_WIDTH_MM of the
 * mid-sagittal slice (`mid`), so that it shows as the reader scrolls across the canal, not on one slice alone. Each
 * slice's sac is found as on the mid-sagittal slice (canal.ts), behind the same discs and bodies, at its CSF level, so
 * a slice through the sac's edge, its CSF dimmed by partial volume, finds little or none (paintBesideMidline keeps it
 * near the sac on the slice nearer the midline).
 */
function paintSacBesideMidline(volume: SpineVolume, labelmap: Labelmap, mid: SliceMeasures, duralSacSegment: number): void {
  if (mid.csfLevel === null) return;
  const csfLevel = mid.csfLevel;
  paintBesideMidline(volume, labelmap, mid.k, [duralSacSegment], [0], SAC_PAINT_HALF_WIDTH_MM,
    (slice) => findDuralSac(sagittalFrame(volume, slice), labelmap, mid.structures, mid.marrowAll, duralSacSegment, sacWall(volume), csfLevel));
}

/**
 * Display and SEG only: the spinal cord in the painted dural sac, or just behind where the sac's outline stopped in front
 * of it (cord.ts, which adds the CSF behind it to the sac), on the mid-sagittal slice and the slices within
 * CORD_PAINT_HALF_WIDTH_MM of it, at the mid-sagittal slice's CSF level. Returns whether any was painted.
 */
function paintCord(volume: SpineVolume, labelmap: Labelmap, mid: SliceMeasures, duralSacSegment: number, cordSegment: number): boolean {
  if (mid.csfLevel === null) return false;
  const csfLevel = mid.csfLevel;
  const paint = (slice: number) => paintSpinalCord(sagittalFrame(volume, slice), labelmap, duralSacSegment, csfLevel, cordSegment);
  if (!paint(mid.k)) return false;
  paintBesideMidline(volume, labelmap, mid.k, [cordSegment, duralSacSegment], [duralSacSegment, 0], CORD_PAINT_HALF_WIDTH_MM, paint);
  return true;
}

/**
 * Display and SEG only: repeat on the slices beside slice k, out to halfWidthMm either side, what `paintOnSlice` paints
 * with `segments` on one slice (in place). Working outward, a slice keeps only the voxels painted with a segment within
 * SAC_PAINT_REACH_MM of that segment on the slice next to it nearer the midline (a bright root sleeve or epidural fat
 * apart from the sac, a band apart from the cord, is left out), painting those that held a value in `over` before
 * (0 = background); the rest of the slice is put back. A side stops at the first slice with nothing of segments[0] kept.
 */
function paintBesideMidline(volume: SpineVolume, labelmap: Labelmap, k: number, segments: number[], over: number[], halfWidthMm: number, paintOnSlice: (slice: number) => void): void {
  const [nx, ny, nz] = labelmap.dims;
  const perSlice = nx * ny;
  const reach = ballOffsets(SAC_PAINT_REACH_MM, [volume.spacingMm[0], volume.spacingMm[1]]);
  const values = labelmap.values;
  const halfWidth = Math.floor(halfWidthMm / volume.spacingMm[2]);
  for (const side of [-1, 1]) {
    for (let d = 1; d <= halfWidth; d++) {
      const slice = k + side * d;
      if (slice < 0 || slice >= nz) break;
      const base = slice * perSlice, inner = (slice - side) * perSlice;
      const nearInner = (p: number, segment: number) => {
        const i = p % nx, j = (p - i) / nx;
        return reach.some(([di, dj]) => { const a = i + di, b = j + dj; return a >= 0 && b >= 0 && a < nx && b < ny && values[inner + a + b * nx] === segment; });
      };
      const before = values.slice(base, base + perSlice);
      paintOnSlice(slice);
      const kept: [number, number][] = [];
      for (let p = 0; p < perSlice; p++) {
        const v = values[base + p];
        if (segments.includes(v) && (over.includes(before[p]) || before[p] === v) && nearInner(p, v)) kept.push([p, v]);
      }
      values.set(before, base);
      for (const [p, v] of kept) if (over.includes(values[base + p])) values[base + p] = v;
      if (!kept.some(([, v]) => v === segments[0])) break;
    }
  }
}

/** Copy into `labelmap` the sac painted in `scratch` on a disc's own slice, within OWN_SLICE_SAC_BAND_MM of those discs' centres along the spine. */
function paintOwnSliceSac(labelmap: Labelmap, scratch: Labelmap, sm: SliceMeasures, discs: SegmentInfo[], duralSacSegment: number): void {
  const [nx, ny] = labelmap.dims;
  const centresSi = discs.map((s) => sm.discs.get(s.segmentNumber)?.shape.centre[1]).filter((x): x is number => x !== undefined);
  const base = sm.k * nx * ny;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const p = base + i + j * nx;
    if (scratch.values[p] !== duralSacSegment || labelmap.values[p] !== 0) continue;
    const si = sm.frame.toMm(i, j)[1];
    if (centresSi.some((c) => Math.abs(si - c) <= OWN_SLICE_SAC_BAND_MM)) labelmap.values[p] = duralSacSegment;
  }
}
