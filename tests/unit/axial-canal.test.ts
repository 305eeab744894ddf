import { axialSlicesOfVolume, measureAxialDuralSac, type AxialSacInput, type AxialSlice } from '../../extension/src/pipeline/axial-canal';
import type { SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';
import { voxelToLps } from '../../extension/src/pipeline/volume';
import { polygonArea } from '../../extension/src/pipeline/mask2d';
import { axialReformat } from '../../scripts/lib/axial-reformat';

const CSF = 200, TISSUE = 60;
const add = (a: Vec3, b: Vec3, f = 1): Vec3 => [a[0] + f * b[0], a[1] + f * b[1], a[2] + f * b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * An image of 0.5 mm pixels, 80 × 80 mm, centred on `centre` (LPS) in the plane spanned by row/col,
 * painted by `paint(x, y)` with x, y in mm from the centre along row and column.
 */
function image(centre: Vec3, row: Vec3, col: Vec3, paint: (x: number, y: number) => number, extra: Partial<AxialSlice> = {}): AxialSlice {
  const px = 0.5, n = 160;
  const pixels = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) pixels[i + j * n] = paint((i - n / 2) * px, (j - n / 2) * px);
  return {
    pixels, columns: n, rows: n, spacingMm: [px, px],
    positionLps: add(add(centre, row, -(n / 2) * px), col, -(n / 2) * px),
    rowDirection: row, columnDirection: col, sliceThicknessMm: 4, sopInstanceUid: `1.2.3.${centre[2]}`, instanceNumber: 1, ...extra,
  };
}

/** Sac: ellipse with semi-axes 7 mm (along row) × 9 mm (along column), centred 25 mm behind the disc centre. */
const ellipse = (x: number, y: number, cy = 25) => (x / 7) ** 2 + ((y - cy) / 9) ** 2 <= 1;
const sacArea = Math.PI * 7 * 9; // 197.9 mm²
const AXIAL_ROW: Vec3 = [1, 0, 0], AXIAL_COL: Vec3 = [0, 1, 0];

function disc(centre: Vec3, canal: Vec3 | null = add(centre, [0, 25, 0])): AxialSacInput {
  return { segmentNumber: 7, level: 'L4/L5', discCentreLps: centre, canalCentreLps: canal };
}

describe('measureAxialDuralSac', () => {
  const centre: Vec3 = [0, 0, 100];

  it('measures a CSF-bright ellipse in darker tissue (π·7·9 ≈ 198 mm²)', () => {
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.reason).toBeUndefined();
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.97);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.03);
    expect(r.sopInstanceUid).toBe(img.sopInstanceUid);
    expect(r.distanceMm).toBeCloseTo(0, 6);
    // The outline lies on the ellipse: every vertex within 1 mm of the boundary.
    for (const p of r.outlineLps!) {
      const x = p[0], y = p[1] - 25;
      const rho = Math.hypot(x / 7, y / 9); // 1 on the boundary
      expect(Math.abs(rho - 1) * 7).toBeLessThan(1);
    }
  });

  it('draws the outline along the pixels counted: its area is the area measured, also round a notched sac', () => {
    // A notch of tissue 3 mm wide reaches 6 mm into the sac from behind: a polygon from the centre to the farthest
    // sac pixel on each ray would bridge it and enclose more than was counted.
    const notch = (x: number, y: number) => Math.abs(x) < 1.5 && y > 28;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) && !notch(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    const pts = r.outlineLps!;
    expect(polygonArea(pts.map(([x, y]) => [x, y]))).toBeCloseTo(r.areaMm2!, 6); // an axial plane: x, y in mm
    expect(r.areaMm2!).toBeLessThan(sacArea - 3 * 5);
    // The notch is outside: no outline vertex lies within it, away from its edges.
    expect(pts.some(([x, y]) => Math.abs(x) < 1 && y > 29 && y < 33)).toBe(false);
  });

  it('counts dark nerve roots inside the sac as sac area', () => {
    const roots = (x: number, y: number) => [[-3, 27], [0, 29], [3, 27], [-1.5, 31], [1.5, 31]].some(([a, b]) => Math.hypot(x - a, y - b) < 1.2);
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) && !roots(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.97);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.03);
  });

  it('picks the nearest of several oblique images and measures in its own plane', () => {
    // Stack tilted 20° about the left-right axis, 4 mm apart; the disc centre lies 1 mm from image 2.
    const t = (20 * Math.PI) / 180;
    const row: Vec3 = [1, 0, 0], col: Vec3 = [0, Math.cos(t), Math.sin(t)];
    const normal = cross(row, col);
    const slices = [-1, 0, 1, 2].map((n, k) => image(add(centre, normal, n * 4 + 1), row, col,
      (x, y) => (n === 0 && ellipse(x, y) ? CSF : TISSUE), { sopInstanceUid: `img${k}`, instanceNumber: k + 1 }));
    const canal = add(centre, col, 25);
    const [r] = measureAxialDuralSac(slices, [disc(centre, canal)]);
    expect(r.sopInstanceUid).toBe('img1');
    expect(r.distanceMm).toBeCloseTo(1, 6);
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.97);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.03);
  });

  it('refuses a sac merged with a large bright region, with the leak reason', () => {
    const fat = (x: number, y: number) => y > 30 && y < 55 && Math.abs(x) < 25; // joins the sac's posterior half
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) || fat(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.areaMm2).toBeNull();
    expect(r.reason).toMatch(/runs on beyond 16 mm .*measure by hand/);
  });

  it('does not follow a thin bright strand out of the sac (root sleeve)', () => {
    const strand = (x: number, y: number) => Math.abs(y - 25) < 0.75 && x > 0 && x < 35;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) || strand(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.95);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.05);
  });

  it('refuses a region spanning far less front to back than the sagittal AP (one crescent of a split sac)', () => {
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) ? CSF : TISSUE));
    const [agrees] = measureAxialDuralSac([img], [{ ...disc(centre), canalApMm: 18 }]);
    expect(agrees.areaMm2).not.toBeNull();
    const [r] = measureAxialDuralSac([img], [{ ...disc(centre), canalApMm: 60 }]);
    expect(r.areaMm2).toBeNull();
    expect(r.reason).toMatch(/spans only 18(\.5)? mm front to back, under 0.35 × the sagittal AP of 60 mm/);
  });

  it('joins the CSF crescents split by a grey cord into the whole sac, cord included', () => {
    // The cord (grey, 7 mm front to back) reaches the dura at both sides: CSF only in front of and behind it.
    const cord = (x: number, y: number) => (x / 8) ** 2 + ((y - 25) / 3.5) ** 2 <= 1;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (cord(x, y) ? 100 : ellipse(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [{ ...disc(centre), canalApMm: 18 }]);
    expect(r.crescentsJoined).toBe(1);
    // The convex hull of the crescents misses only the small lateral caps where the cord meets the dura.
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.9);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.03);
  });

  it('does not join bright fat behind the sac when that would make it deeper than the sagittal AP allows', () => {
    // Fat pad 3 mm behind the sac (y 37–45 mm): joined, the region would span 29 mm against an 18 mm sagittal AP.
    const fat = (x: number, y: number) => y > 37 && y < 45 && Math.abs(x) < 4;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) || fat(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [{ ...disc(centre), canalApMm: 18 }]);
    expect(r.crescentsJoined).toBeUndefined();
    expect(r.areaMm2!).toBeGreaterThan(sacArea * 0.97);
    expect(r.areaMm2!).toBeLessThan(sacArea * 1.03);
  });

  it('measures from a seed behind the anterior edge (no sagittal AP), marked, and leaves fat beyond the gap out', () => {
    // Round sac, radius 7.5 mm, 15 mm deep (the start lies near its anterior edge, and a region reaching
    // beyond MAX_SAC_RADIUS_MM from the start is refused as a leak); seed 3 mm behind the anterior edge
    // (y = 17.5 mm); fat 8 mm behind the sac is not a crescent.
    const sac = (x: number, y: number) => Math.hypot(x, y - 25) <= 7.5;
    const fat = (x: number, y: number) => y > 40.5 && y < 48 && Math.abs(x) < 6;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (sac(x, y) || fat(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [{ ...disc(centre, add(centre, [0, 20.5, 0])), canalApMm: null, seedFromAnteriorEdge: true }]);
    expect(r.reason).toBeUndefined();
    expect(r.seedFromAnteriorEdge).toBe(true);
    expect(r.crescentsJoined).toBeUndefined();
    expect(r.areaMm2!).toBeGreaterThan(Math.PI * 7.5 ** 2 * 0.97);
    expect(r.areaMm2!).toBeLessThan(Math.PI * 7.5 ** 2 * 1.03);
  });

  it('measures the sac from the front seed when the AP midpoint lies on a fat spot behind it, and keeps the midpoint\'s larger region otherwise', () => {
    // A wide flat sac 30 × 8 mm right behind the disc (y 13–21 mm; brightest at its centre) and a bright fat spot
    // 5 × 8 mm, 5 mm behind it (y 26–34): a sagittal AP that took in the fat runs y 13–34, its midpoint between the two.
    // From the spot the sac is not joined as a crescent (it reaches beyond MAX_SAC_RADIUS_MM of the spot).
    const rho = (x: number, y: number) => Math.hypot(x / 15, (y - 17) / 4);
    const fat = (x: number, y: number) => Math.abs(x) <= 2.5 && y >= 26 && y <= 34;
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (rho(x, y) <= 1 ? CSF + 10 * (1 - rho(x, y)) : fat(x, y) ? CSF + 20 : TISSUE));
    const input = { ...disc(centre, add(centre, [0, 23.5, 0])), canalApMm: 21 };
    const [midpointOnly] = measureAxialDuralSac([img], [input]);
    expect(midpointOnly.areaMm2!).toBeLessThan(50); // the fat spot, read as a tight sac
    const [r] = measureAxialDuralSac([img], [{ ...input, anteriorSeedLps: add(centre, [0, 16, 0]) }]);
    expect(r.grownFromAnteriorSeed).toBe(true);
    expect(r.areaMm2!).toBeGreaterThan(Math.PI * 15 * 4 * 0.95);
    expect(r.areaMm2!).toBeLessThan(Math.PI * 15 * 4 * 1.05);
    // The front seed finds only a small pocket 9 mm in front of a round sac: the midpoint's sac is larger and is kept.
    const pocket = (x: number, y: number) => Math.hypot((x + 6) / 2.5, (y - 4) / 3.5) <= 1;
    const round = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) || pocket(x, y) ? CSF : TISSUE));
    const withPocket = { ...disc(centre), canalApMm: 18, anteriorSeedLps: add(centre, [-6, 4, 0]) };
    const [pocketOnly] = measureAxialDuralSac([round], [{ ...withPocket, canalCentreLps: withPocket.anteriorSeedLps }]);
    expect(pocketOnly.areaMm2!).toBeLessThan(40); // measurable on its own
    const [kept] = measureAxialDuralSac([round], [withPocket]);
    expect(kept.grownFromAnteriorSeed).toBeUndefined();
    expect(kept.areaMm2!).toBeGreaterThan(sacArea * 0.97);
    expect(kept.areaMm2!).toBeLessThan(sacArea * 1.03);
  });

  it('refuses when no image lies near the disc, saying how far the nearest is', () => {
    const img = image([0, 0, 107.2], AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.areaMm2).toBeNull();
    expect(r.reason).toBe('no axial image within 3 mm of the L4/L5 disc centre (nearest 7.2 mm)');
  });

  it('refuses when the sagittal analysis gave no sac centre', () => {
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) ? CSF : TISSUE));
    const [r] = measureAxialDuralSac([img], [disc(centre, null)]);
    expect(r.areaMm2).toBeNull();
    expect(r.reason).toBe('not measured: the sagittal analysis found no dural sac at this level to place the seed');
    expect(r.sopInstanceUid).toBe(img.sopInstanceUid);
  });

  it('refuses dark CSF (T1 weighting)', () => {
    const img = image(centre, AXIAL_ROW, AXIAL_COL, (x, y) => (ellipse(x, y) ? 30 : 120));
    const [r] = measureAxialDuralSac([img], [disc(centre)]);
    expect(r.areaMm2).toBeNull();
    expect(r.reason).toMatch(/no CSF-bright sac/);
  });
});

describe('axialSlicesOfVolume', () => {
  it('gives each slice its position, spacing, thickness and UID', () => {
    const v: SpineVolume = {
      voxels: new Float32Array(4 * 3 * 2).map((_, n) => n), dims: [4, 3, 2], spacingMm: [0.5, 0.7, 4],
      originLps: [10, 20, 30], rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], sliceDirection: [0, 0, 1],
      studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: ['a', 'b'],
    };
    const s = axialSlicesOfVolume(v);
    expect(s).toHaveLength(2);
    expect(s[1].positionLps).toEqual([10, 20, 34]);
    expect(s[1].spacingMm).toEqual([0.5, 0.7]);
    expect(s[1].sliceThicknessMm).toBe(4);
    expect(s[1].sopInstanceUid).toBe('b');
    expect(s[1].instanceNumber).toBe(2);
    expect(s[1].pixels[0]).toBe(12);
    expect(s[1].pixels).toHaveLength(12);
  });
});

describe('axialReformat', () => {
  /**
   * A sagittal 1 mm volume laid out like the segmentation/ NIfTI cases (columns anterior→posterior,
   * rows superior→inferior, slices towards patient right) holding a bright cylinder of radius 8 mm along
   * the superior-inferior axis, centred at LPS (x = -3, y = 40).
   */
  function sagittalCylinder(): SpineVolume {
    const dims: Vec3 = [60, 50, 40];
    const v: SpineVolume = {
      voxels: new Float32Array(dims[0] * dims[1] * dims[2]), dims, spacingMm: [1, 1, 1],
      originLps: [10, 0, 20], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [-1, 0, 0],
      studyInstanceUid: '1.2.study', seriesInstanceUid: '1.2.series', frameOfReferenceUid: '1.2.for', sopInstanceUids: [],
    };
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
      const p = voxelToLps(v, i, j, k);
      v.voxels[i + j * dims[0] + k * dims[0] * dims[1]] = Math.hypot(p[0] + 3, p[1] - 40) <= 8 ? 100 : 10;
    }
    return v;
  }

  it('makes true axial slabs covering the volume, with the cylinder at its LPS position and area', () => {
    const sag = sagittalCylinder();
    const ax = axialReformat(sag);
    expect(ax.rowDirection).toEqual([1, 0, 0]);
    expect(ax.columnDirection).toEqual([0, 1, 0]);
    expect(ax.sliceDirection).toEqual([0, 0, 1]);
    expect(ax.spacingMm).toEqual([1, 1, 4]);
    expect(ax.role).toBe('axial_t2');
    expect(ax.studyInstanceUid).toBe('1.2.study');
    expect(ax.frameOfReferenceUid).toBe('1.2.for');
    expect(ax.seriesInstanceUid).toBe('');
    // LPS box: x -29..10, y 0..59, z -29..20 → 40 × 60 pixels, 13 slabs.
    expect(ax.dims).toEqual([40, 60, 13]);
    const [nx, ny] = ax.dims;
    const k = 6; // a middle slab, fully inside the volume
    let n = 0, cx = 0, cy = 0;
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      if (ax.voxels[i + j * nx + k * nx * ny] > 55) { n++; const p = voxelToLps(ax, i, j, k); cx += p[0]; cy += p[1]; }
    }
    expect(n).toBeGreaterThan(Math.PI * 64 * 0.93);
    expect(n).toBeLessThan(Math.PI * 64 * 1.07);
    expect(cx / n).toBeCloseTo(-3, 0);
    expect(cy / n).toBeCloseTo(40, 0);
  });

  it('averages the slab and leaves samples outside the volume at 0', () => {
    const sag = sagittalCylinder();
    sag.voxels.fill(100);
    const ax = axialReformat(sag, { sliceSpacingMm: 5, thicknessMm: 6, pixelMm: 2 });
    const [nx, ny, nz] = ax.dims;
    // z covers -29..20: 10 slabs 5 mm apart centred at -27..18. The top slab's 6 samples lie at
    // 15.5..20.5 mm; the one at 20.5 is outside the volume and counts 0 → 5/6 of 100.
    expect(ax.dims[2]).toBe(10);
    expect(ax.originLps[2] + (nz - 1) * 5).toBeCloseTo(18, 6);
    const at = (k: number) => ax.voxels[(nx >> 1) + (ny >> 1) * nx + k * nx * ny];
    expect(at(nz >> 1)).toBeCloseTo(100, 3);
    expect(at(nz - 1)).toBeCloseTo(500 / 6, 3);
    expect(() => axialReformat(sag, { pixelMm: 0 })).toThrow(/pixelMm/);
  });
});
