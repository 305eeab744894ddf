import { apLineThroughCord, paintSpinalCord } from '../../extension/src/pipeline/cord';
import { sagittalFrame } from '../../extension/src/pipeline/measure';
import { measureSpine } from '../../extension/src/pipeline/measure-spine';
import type { SpineVolume } from '../../extension/src/pipeline/volume';
import { synthSpine } from './measure-synthetic';

const CSF = 250, SAC = 7, CORD = 8, NX = 60, NY = 120;
/** The sac: columns 20–35 (16 mm front to back), rows 5–114 (110 mm along the spine); 1 mm pixels, rows superior→inferior. */
const inSac = (i: number, j: number) => i >= 20 && i <= 35 && j >= 5 && j <= 114;

/**
 * One slice: CSF in the sac, 40 outside, and grey (80) where `grey` says; the sac painted with SAC where `painted` says
 * (all of it by default). `intensity` overrides any pixel's value.
 */
function slice(grey: (i: number, j: number) => boolean, painted = inSac, intensity?: (i: number, j: number) => number | undefined) {
  const voxels = new Float32Array(NX * NY), values = new Uint8Array(NX * NY);
  for (let j = 0; j < NY; j++) for (let i = 0; i < NX; i++) {
    voxels[i + j * NX] = intensity?.(i, j) ?? (inSac(i, j) ? (grey(i, j) ? 80 : CSF) : 40);
    if (painted(i, j)) values[i + j * NX] = SAC;
  }
  const volume: SpineVolume = {
    voxels, dims: [NX, NY, 1], spacingMm: [1, 1, 4], originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [''],
  };
  const labelmap = { dims: [NX, NY, 1] as [number, number, number], values };
  return { frame: sagittalFrame(volume, 0), labelmap, painted: () => paintSpinalCord(sagittalFrame(volume, 0), labelmap, SAC, CSF, CORD) };
}

/** Rows and columns painted as cord. */
function cordExtent(values: Uint8Array) {
  const rows: number[] = [], cols: number[] = [];
  values.forEach((v, p) => { if (v === CORD) { rows.push(Math.floor(p / NX)); cols.push(p % NX); } });
  return { top: Math.min(...rows), bottom: Math.max(...rows), front: Math.min(...cols), back: Math.max(...cols) };
}

describe('paintSpinalCord: the cord inside the dural sac on a sagittal T2 slice', () => {
  it('paints a grey band with CSF in front and behind from the sac\'s top down to where it ends (the conus)', () => {
    // Cord 7 mm thick (columns 24–30) from the sac's top to row 60, then roots: a 3 mm layer against the back of the sac.
    const s = slice((i, j) => (j <= 60 ? i >= 24 && i <= 30 : i >= 33));
    expect(s.painted()).toBeGreaterThan(300);
    const e = cordExtent(s.labelmap.values);
    expect(e.top).toBeLessThanOrEqual(6);
    expect(Math.abs(e.bottom - 60)).toBeLessThanOrEqual(1);
    expect([e.front, e.back]).toEqual([24, 30]);
    // The rest of the sac stays sac; nothing outside it is painted.
    expect(s.labelmap.values.filter((v) => v === SAC).length + s.labelmap.values.filter((v) => v === CORD).length).toBe(16 * 110);
  });
  it('crosses a short gap along the cord (a flow void or partial volume) but ends at a longer one', () => {
    const gap = slice((i, j) => i >= 24 && i <= 30 && j <= 70 && !(j >= 40 && j <= 41));
    gap.painted();
    expect(cordExtent(gap.labelmap.values).bottom).toBeGreaterThanOrEqual(69);
    const broken = slice((i, j) => i >= 24 && i <= 30 && j <= 70 && !(j >= 45 && j <= 52));
    broken.painted();
    expect(cordExtent(broken.labelmap.values).bottom).toBeLessThanOrEqual(45);
  });
  it('follows a cord the sac\'s outline stopped in front of, to the dark dura behind it, and joins the CSF behind it to the sac', () => {
    // Above row 60 the sac was outlined only over the CSF in front of the cord (columns 20–23); the dura is dark (10) behind column 35.
    const front = (i: number, j: number) => inSac(i, j) && (j > 60 || i <= 23);
    const s = slice((i, j) => (j <= 60 ? i >= 24 && i <= 30 : i >= 33), front, (i, j) => (i >= 36 && i <= 37 ? 10 : undefined));
    expect(s.painted()).toBeGreaterThan(300);
    const e = cordExtent(s.labelmap.values);
    expect(e.top).toBeLessThanOrEqual(6);
    expect(Math.abs(e.bottom - 60)).toBeLessThanOrEqual(1);
    expect([e.front, e.back]).toEqual([24, 30]);
    const at = (i: number, j: number) => s.labelmap.values[i + j * NX];
    expect([at(31, 30), at(35, 30), at(36, 30), at(40, 30)]).toEqual([SAC, SAC, 0, 0]);
  });
  it('takes an AP line that stopped at the front of the drawn cord on across it to the back of the sac, and no other line', () => {
    const front = (i: number, j: number) => inSac(i, j) && (j > 60 || i <= 23);
    const s = slice((i, j) => (j <= 60 ? i >= 24 && i <= 30 : i >= 33), front, (i, j) => (i >= 36 && i <= 37 ? 10 : undefined));
    s.painted();
    // In this frame ap = column (mm) and si = −row: row 30 crosses the cord, row 80 the roots below it.
    const through = apLineThroughCord(s.frame, s.labelmap, SAC, CORD, [[19.5, -30], [23.5, -30]]);
    expect(through?.[0]).toEqual([19.5, -30]);
    expect(through![1][0]).toBeCloseTo(35.5, 0);
    expect(apLineThroughCord(s.frame, s.labelmap, SAC, CORD, [[19.5, -80], [32.5, -80]])).toBeNull();
    expect(apLineThroughCord(s.frame, s.labelmap, SAC, CORD, [[19.5, -30], [20.5, -30]])).toBeNull(); // ends 3 mm in front of it
  });
  it('separates a dark cord from dim CSF in front of it (the two together are thicker than a cord)', () => {
    // CSF in front at 0.72 × the CSF level (columns 20–23), the cord at 30: below 0.8 × CSF the two make one 11 mm band.
    const s = slice((i, j) => i >= 24 && i <= 30 && j <= 70, inSac, (i, j) => (inSac(i, j) && j <= 70 ? (i <= 23 ? 180 : i <= 30 ? 30 : undefined) : undefined));
    expect(s.painted()).toBeGreaterThan(300);
    expect(cordExtent(s.labelmap.values)).toMatchObject({ front: 24, back: 30 });
  });
  it('skips a lone fan of sac above a gap when finding the sac\'s top', () => {
    // Rows 5–8 outlined, 9–20 not (the CSF still there), the cord from row 21 to 80.
    const s = slice((i, j) => i >= 24 && i <= 30 && j >= 21 && j <= 80, (i, j) => inSac(i, j) && (j <= 8 || j >= 21));
    expect(s.painted()).toBeGreaterThan(300);
    expect(cordExtent(s.labelmap.values).top).toBeLessThanOrEqual(22);
  });
  it('paints nothing where a grey band begins well below the sac\'s top (an image that starts below the conus: roots)', () => {
    expect(slice((i, j) => i >= 24 && i <= 30 && j >= 30 && j <= 90).painted()).toBe(0);
  });
  it('paints nothing for a band thicker than a cord, one with no CSF behind it, or one shorter than 30 mm', () => {
    expect(slice((i, j) => i >= 22 && i <= 33 && j <= 80).painted()).toBe(0); // 12 mm: the sac is mostly grey
    expect(slice((i, j) => i >= 28 && j <= 80).painted()).toBe(0); // roots against the back of the sac
    expect(slice((i, j) => i >= 24 && i <= 30 && j <= 28).painted()).toBe(0); // 24 mm
  });
});

describe('measureSpine: the spinal cord segment', () => {
  /** The synthetic spine (measure-synthetic.ts) with a 16 mm sac (columns 62–77) holding a 7 mm grey cord (67–73) in its upper `cordMm`. */
  function spineWithCord(cordMm: number) {
    const s = synthSpine({ canalApMm: 16, discHeightsMm: [10, 10, 10], nucleus: [240, 240, 240] });
    const [nx] = s.volume.dims;
    for (let j = 10; j < 20 + cordMm; j++) for (let i = 67; i <= 73; i++) s.volume.voxels[i + j * nx] = 80;
    return { s, m: measureSpine(s.volume, s.labelmap, s.segments) };
  }
  it('adds a Spinal cord segment painted over the sac, and measures the sac as before', () => {
    const { s, m } = spineWithCord(50);
    const cord = m.segments.find((x) => x.kind === 'spinal_cord');
    expect(cord?.label).toBe('Spinal cord');
    expect(cord!.voxelCount).toBeGreaterThan(200);
    expect(m.labelmap.values.filter((v) => v === cord!.segmentNumber).length).toBe(cord!.voxelCount);
    expect(s.labelmap.values.includes(cord!.segmentNumber)).toBe(false);
    for (const d of m.discs) expect(Math.abs((d.canalApMm ?? 0) - 16)).toBeLessThanOrEqual(1);
  });
  it('paints the cord on the slices beside the mid-sagittal one that show it, within 3 mm', () => {
    // Seven 1 mm slices: the cord on slices 2–4, CSF alone beside them; the bodies and discs on every slice.
    const { s } = spineWithCord(50);
    const plain = synthSpine({ canalApMm: 16, discHeightsMm: [10, 10, 10], nucleus: [240, 240, 240] });
    const n = s.volume.voxels.length, voxels = new Float32Array(7 * n), values = new Uint8Array(7 * n);
    for (let k = 0; k < 7; k++) {
      voxels.set(k >= 2 && k <= 4 ? s.volume.voxels : plain.volume.voxels, k * n);
      values.set(s.labelmap.values, k * n);
    }
    const volume = { ...s.volume, voxels, dims: [s.volume.dims[0], s.volume.dims[1], 7] as [number, number, number], spacingMm: [1, 1, 1] as [number, number, number], sopInstanceUids: Array.from({ length: 7 }, (_, k) => `1.2.3.6.${k}`) };
    const m = measureSpine(volume, { dims: volume.dims, values }, s.segments);
    const cord = m.segments.find((x) => x.kind === 'spinal_cord')!.segmentNumber;
    const perSlice = Array.from({ length: 7 }, (_, k) => m.labelmap.values.subarray(k * n, (k + 1) * n).filter((v) => v === cord).length);
    expect(m.sliceIndex).toBe(3);
    expect(perSlice.map((c) => c > 200)).toEqual([false, false, true, true, true, false, false]);
  });
  it('adds none without a cord in the sac', () => {
    expect(spineWithCord(0).m.segments.some((x) => x.kind === 'spinal_cord')).toBe(false);
  });
});
