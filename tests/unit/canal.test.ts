import { dropSacBehindSac, findDuralSac, sacRun, THREE_D_WALL, trimSacProtrusions, type CanalStructure, type SacWall } from '../../extension/src/pipeline/canal';
import { gradeCentralCanal } from '../../extension/src/pipeline/grade/canal';
import { sagittalFrame } from '../../extension/src/pipeline/measure';
import type { SpineVolume } from '../../extension/src/pipeline/volume';

const CSF = 250, STEP = 0.5;

/** A profile of [intensity, length mm] pieces sampled every 0.5 mm; returns the sac's AP (mm) or null. */
function ap(pieces: [number, number][], wall?: SacWall): { mm: number; closed: boolean } | null {
  const vals: number[] = [];
  for (const [v, mm] of pieces) for (let n = 0; n < mm / STEP; n++) vals.push(v);
  const ts = vals.map((_, n) => n * STEP);
  const run = sacRun(ts, vals, CSF, STEP, wall);
  return run && { mm: ts[run.b] + STEP - ts[run.a], closed: run.closed };
}

describe('sacRun: the dural sac on one posterior profile', () => {
  it('reads a plain CSF column dura to dura', () => {
    expect(ap([[20, 1], [CSF, 12], [20, 6]])).toEqual({ mm: 12, closed: true });
  });
  it('keeps the grey nerve-root layer (dorsal in the supine sac) inside the sac', () => {
    // 7 mm CSF, then 4 mm of roots at 0.5 × CSF against the posterior dura: the sac is 11 mm, not 7.
    expect(ap([[20, 1], [CSF, 7], [125, 4], [20, 6]])?.mm).toBe(11);
  });
  it('bridges a short dark gap (a root or a flow void) between CSF', () => {
    expect(ap([[20, 1], [CSF, 5], [80, 1.5], [CSF, 5], [20, 6]])?.mm).toBe(11.5);
  });
  it('stops at a thin wall-dark line (dura) with bright epidural fat behind it', () => {
    expect(ap([[20, 1], [CSF, 10], [30, 1.5], [CSF, 4], [20, 6]])?.mm).toBe(10);
  });
  it('stops at a long grey stretch (ligamentum flavum) even when it is not wall-dark', () => {
    expect(ap([[20, 1], [CSF, 10], [90, 4], [20, 4]])?.mm).toBe(10);
    // Bright tissue further behind it than a conus is thick (ROOT_BAND_MM) is not CSF of this sac.
    expect(ap([[20, 1], [CSF, 10], [90, 9], [CSF, 4], [20, 4]])?.mm).toBe(10);
  });
  it('crosses the conus or a clump of roots with CSF behind it to the posterior dura', () => {
    // 6 mm CSF, a 6 mm grey conus at 0.3 × CSF, 5 mm of dorsal CSF, then dura and ligament: the sac is 17 mm, not 6.
    expect(ap([[20, 1], [CSF, 6], [75, 6], [CSF, 5], [20, 6]])).toEqual({ mm: 17, closed: true });
    // A wall-dark line (dura) in the grey ends the sac there: the bright tissue behind it is epidural fat.
    expect(ap([[20, 1], [CSF, 6], [75, 3], [30, 1.5], [CSF, 5], [20, 6]])?.mm).toBe(6);
  });
  it('finds no sac without a CSF-bright sample (dim tissue only)', () => {
    expect(ap([[20, 1], [120, 10], [20, 6]])).toBeNull();
  });
  it('finds no sac that starts beyond the search window', () => {
    expect(ap([[20, 16], [CSF, 8], [20, 6]])).toBeNull();
  });
  it('marks a run without a posterior wall in view as open', () => {
    expect(ap([[20, 1], [CSF, 12]])?.closed).toBe(false);
  });
  it('on a 3D T2 crosses the thicker, darker layer of roots to the posterior dura, which the 2D rule takes for the wall', () => {
    // 6 mm CSF, 5 mm of roots at 0.3 × CSF (below the 0.4 edge), 2 mm of dimmer CSF behind them (0.6 × CSF: under the
    // 0.75 that lets the 2D rule cross a root band), then dura and ligament.
    const sac3d: [number, number][] = [[20, 1], [CSF, 6], [75, 5], [150, 2], [20, 6]];
    expect(ap(sac3d)?.mm).toBe(6);
    expect(ap(sac3d, THREE_D_WALL)).toEqual({ mm: 13, closed: true });
    // Its wall: a dark dura line of 1.5 mm still closes the sac, with bright epidural fat behind it.
    expect(ap([[20, 1], [CSF, 10], [30, 1.5], [CSF, 4], [20, 6]], THREE_D_WALL)?.mm).toBe(10);
  });
});

/** 1 mm pixels, columns anterior→posterior (ap = i mm), rows superior→inferior (si = −j mm). */
function image(nx: number, ny: number, fill: (i: number, j: number) => number): SpineVolume {
  const voxels = new Float32Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) voxels[i + j * nx] = fill(i, j);
  return {
    voxels, dims: [nx, ny, 1], spacingMm: [1, 1, 4], originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [''],
  };
}

/** Three stacked structures (segments 1..3, rows 10–39, 40–49, 50–79) whose posterior wall is column 39. */
function spine(csfAt: (i: number, j: number) => boolean, ns = 3) {
  const rows: [number, number][] = [[10, 40], [40, 50], [50, 80]].slice(0, ns) as [number, number][];
  const labels = new Uint8Array(100 * 90);
  rows.forEach(([j0, j1], n) => { for (let j = j0; j < j1; j++) for (let i = 10; i < 40; i++) labels[i + j * 100] = n + 1; });
  const volume = image(100, 90, (i, j) => (labels[i + j * 100] ? 100 : csfAt(i, j) ? CSF : 20));
  const structures: CanalStructure[] = rows.map(([j0, j1], n) => ({ segmentNumber: n + 1, centreMm: [25, -(j0 + j1 - 1) / 2], posteriorDir: [1, 0], halfHeightMm: (j1 - j0) / 2 - 1 }));
  return { volume, labelmap: { dims: [100, 90, 1] as [number, number, number], values: labels }, structures };
}

describe('findDuralSac on constructed images', () => {
  it('measures across the sac, not along a tilted disc axis', () => {
    // Vertical 12 mm sac (columns 41–52); the middle structure's own axis is tilted 30°.
    const s = spine((i) => i >= 41 && i <= 52);
    s.structures[1].posteriorDir = [Math.cos(Math.PI / 6), -Math.sin(Math.PI / 6)];
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.perStructure[1].apMm).toBeGreaterThanOrEqual(11);
    expect(r.perStructure[1].apMm).toBeLessThanOrEqual(13); // along the tilted axis it would read 12 / cos 30° ≈ 13.9
    const [a, b] = r.perStructure[1].apLineMm!;
    expect(Math.abs(a[1] - b[1])).toBeLessThan(1); // the drawn line is horizontal, across the vertical sac
    expect(r.csfMean).toBe(CSF);
    const [q1, q3] = r.perStructure[1].apQuartilesMm!;
    expect(q3 - q1).toBeLessThan(1); // one wall: the centre profiles agree
  });
  it('gives the spread of the centre profiles where the posterior wall is unclear (some stop at a dark line, others run on)', () => {
    // Behind the middle structure (rows 40–49, centre 44.5) the sac ends at column 52 on rows 43–44 and at column 60 on
    // rows 45–46: the centre profiles read about 12 or about 20 mm.
    const s = spine((i, j) => i >= 41 && (i <= 52 || (j >= 45 && j <= 46 && i <= 60)));
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    const [q1, q3] = r.perStructure[1].apQuartilesMm!;
    expect(q1).toBeLessThan(14);
    expect(q3).toBeGreaterThan(18);
    expect(r.perStructure[1].apMm).toBeGreaterThanOrEqual(q1);
    expect(r.perStructure[1].apMm).toBeLessThanOrEqual(q3);
  });
  it('paints the sac without a lone profile\'s spike behind it, and closes a seam across it, measuring as before', () => {
    // Sac columns 41–52; at row 15 a 1 mm bright strand runs on behind it to column 70 (into the interspinous fat),
    // and row 45 is dark across the sac (a seam where no profile finds CSF).
    const s = spine((i, j) => (i >= 41 && i <= 52 && j !== 45) || (j === 15 && i > 52 && i <= 70));
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    const at = (i: number, j: number) => s.labelmap.values[i + j * 100];
    expect(at(47, 15)).toBe(9);
    for (let i = 55; i <= 70; i++) expect(at(i, 15)).toBe(0); // the spike is not painted
    for (let i = 42; i <= 51; i++) expect(at(i, 45)).toBe(9); // the seam is
    expect(r.perStructure.map((x) => x.apMm)).toEqual([12, 12, 12]);
    expect(r.csfMean).toBe(CSF);
  });
  it('paints no wedge behind the sac deeper than 1.5 × the structure\'s AP, where part of its fan ran on into bright tissue', () => {
    // Rows 30–39 (10 mm of the top structure's fan, too wide for the 3 mm neighbour clip): bright behind the sac to column 70.
    const s = spine((i, j) => (i >= 41 && i <= 52) || (j >= 30 && j <= 39 && i > 52 && i <= 70));
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.perStructure.map((x) => x.apMm)).toEqual([12, 12, 12]);
    const at = (i: number, j: number) => s.labelmap.values[i + j * 100];
    for (const j of [31, 35, 38]) expect([at(47, j), at(58, j), at(66, j), at(70, j)]).toEqual([9, 9, 0, 0]);
  });
  it('paints no thin tongue behind the sac where bright fat lies behind it over a few mm (under 5 mm along the spine)', () => {
    // Rows 30–33 (4 mm, wide enough for the 3 mm neighbour clip to keep it): bright behind the sac to column 70, as
    // posterior epidural fat at the interlaminar window with no dura line in front of it (SPIDER 4, L4/L5).
    const s = spine((i, j) => (i >= 41 && i <= 52) || (j >= 30 && j <= 33 && i > 52 && i <= 70));
    const frame = sagittalFrame(s.volume, 0);
    const r = findDuralSac(frame, s.labelmap, s.structures, 100, 9);
    expect(r.perStructure.map((x) => x.apMm)).toEqual([12, 12, 12]);
    const at = (i: number, j: number) => s.labelmap.values[i + j * 100];
    expect([at(56, 31), at(60, 31)]).toEqual([9, 9]); // the profiles drew it: the neighbour clip keeps 4 mm
    expect(trimSacProtrusions(s.labelmap, frame, 9)).toBeGreaterThan(0);
    for (const j of [30, 31, 33]) expect([at(47, j), at(52, j), at(56, j), at(60, j)]).toEqual([9, 9, 0, 0]);
    for (let j = 15; j < 75; j++) expect(at(47, j)).toBe(9); // the sac itself stays whole
  });
  it('paints a CSF-bright stretch no profile reached between two structures\' sac, but not a stretch where the CSF is effaced', () => {
    // Profiles only behind the top and bottom structures (rows 10–39 and 50–79): rows 40–49 behind the middle one get none.
    const bright = spine((i) => i >= 41 && i <= 52);
    findDuralSac(sagittalFrame(bright.volume, 0), bright.labelmap, [bright.structures[0], bright.structures[2]], 100, 9);
    for (let j = 40; j <= 49; j++) expect(bright.labelmap.values[47 + j * 100]).toBe(9);
    const effaced = spine((i, j) => i >= 41 && i <= 52 && (j < 40 || j > 49));
    findDuralSac(sagittalFrame(effaced.volume, 0), effaced.labelmap, [effaced.structures[0], effaced.structures[2]], 100, 9);
    for (let j = 41; j <= 48; j++) expect(effaced.labelmap.values[47 + j * 100]).toBe(0);
  });
  it('flags CSF effaced behind the middle structure when the sac above and below holds CSF', () => {
    const s = spine((i, j) => i >= 41 && i <= 52 && (j < 38 || j > 52));
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.perStructure[0].apMm).toBeCloseTo(12, 0);
    expect(r.perStructure[1]).toMatchObject({ apMm: null, csfEffaced: true });
    expect(r.perStructure[1].reason).toMatch(/effaced/);
    expect(r.perStructure[2].csfEffaced).toBeUndefined();
  });
  it('does not call CSF effaced at the end of the series (no sac below to compare)', () => {
    const s = spine((i, j) => i >= 41 && i <= 52 && j < 38, 2);
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.perStructure[1]).toMatchObject({ apMm: null });
    expect(r.perStructure[1].csfEffaced).toBeUndefined();
  });
  it('gives no AP but a seed behind the anterior edge when bright fat behind the sac hides its posterior wall', () => {
    // CSF from column 41 to the image edge: no posterior wall within the 35 mm profile.
    const s = spine((i) => i >= 41);
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    const mid = r.perStructure[1];
    expect(mid.apMm).toBeNull();
    expect(mid.apLineMm).toBeUndefined();
    expect(mid.reason).toMatch(/no posterior wall/);
    // Anterior edge at column 40.5–41, seed SAC_SEED_DEPTH_MM (3 mm) behind it, at the structure's height.
    expect(mid.sacSeedMm![0]).toBeGreaterThanOrEqual(43.5);
    expect(mid.sacSeedMm![0]).toBeLessThanOrEqual(44.5);
    expect(Math.abs(mid.sacSeedMm![1] - s.structures[1].centreMm[1])).toBeLessThanOrEqual(1.5);
    // A measured sac gets no seed (its AP line midpoint is the seed).
    const closed = findDuralSac(sagittalFrame(spine((i) => i >= 41 && i <= 52).volume, 0), s.labelmap, s.structures, 100, 9);
    expect(closed.perStructure[1].sacSeedMm).toBeUndefined();
  });
  it('paints runs with no posterior wall in view as deep as the structure\'s closed runs or its neighbours\' AP, measuring as before', () => {
    // A 12 mm sac (columns 41–52); behind it bright epidural fat with no dark dura line between (to the image edge) along
    // rows 25–49: the lower half of the top structure and all of the middle one.
    const s = spine((i, j) => (i >= 41 && i <= 52) || (i > 52 && j >= 25 && j <= 49));
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.perStructure[1]).toMatchObject({ apMm: null, reason: expect.stringMatching(/no posterior wall/) });
    expect([r.perStructure[0].apMm, r.perStructure[2].apMm]).toEqual([12, 12]);
    const at = (i: number, j: number) => s.labelmap.values[i + j * 100];
    for (const j of [27, 35, 41, 45, 48]) expect([at(42, j), at(51, j), at(56, j), at(70, j)]).toEqual([9, 9, 0, 0]);
  });
  it('measures no sac behind a disc whose outline ends in bright signal (stops inside the nucleus), and calls no effacement', () => {
    // Middle structure a disc (rows 40–49) whose bright nucleus runs from column 36 inside its outline to column 44 outside
    // it; then 2 mm of dark annulus and a 12 mm sac (columns 47–58) as behind the other two structures.
    const nucleusBeyondOutline = () => {
      const s = spine((i) => i >= 47 && i <= 58);
      for (let j = 40; j < 50; j++) for (let i = 36; i <= 44; i++) s.volume.voxels[i + j * 100] = CSF;
      return s;
    };
    const disc = nucleusBeyondOutline();
    disc.structures[1].disc = true;
    const r = findDuralSac(sagittalFrame(disc.volume, 0), disc.labelmap, disc.structures, 100, 9);
    expect(r.perStructure[1]).toMatchObject({ apMm: null, reason: expect.stringMatching(/outline ends in bright signal/) });
    expect(r.perStructure[1].csfEffaced).toBeUndefined();
    for (const n of [0, 2]) expect(Math.abs(r.perStructure[n].apMm! - 12)).toBeLessThanOrEqual(1.5);
    // Before this rule the nucleus outside the outline read as a 5 mm sac (severe); a vertebral body, whose fatty marrow
    // is bright inside its border, is measured as ever.
    const body = nucleusBeyondOutline();
    expect(findDuralSac(sagittalFrame(body.volume, 0), body.labelmap, body.structures, 100, 9).perStructure[1].apMm).toBe(5);
  });
  it('finds nothing on a T1-like image (CSF darker than marrow)', () => {
    const s = spine(() => false);
    const r = findDuralSac(sagittalFrame(s.volume, 0), s.labelmap, s.structures, 100, 9);
    expect(r.paintedVoxels).toBe(0);
    expect(r.perStructure.every((p) => p.apMm === null && !p.csfEffaced)).toBe(true);
  });
});

describe('central canal grade when the CSF is effaced', () => {
  it('is severe with the Schizas rule in its evidence', () => {
    const f = gradeCentralCanal(null, [], null, 'not assessable: x', true);
    expect(f.value).toBe('severe');
    expect(f.evidence.rule).toMatch(/CSF effaced/);
    expect(f.evidence.reference).toMatch(/Schizas/);
  });
  it('stays not assessable when the sac is simply not found', () => {
    expect(gradeCentralCanal(null, [], null, 'not assessable: x').value).toBeNull();
  });
});

describe('dropSacBehindSac (painting only)', () => {
  /** 100 × 100 slice, 1 mm pixels, columns anterior→posterior: `paint` gives each pixel's label (0 none, 9 sac, 10 cord). */
  function slice(paint: (i: number, j: number) => number) {
    const volume = image(100, 100, () => 0);
    const values = new Uint8Array(100 * 100);
    for (let j = 0; j < 100; j++) for (let i = 0; i < 100; i++) values[i + j * 100] = paint(i, j);
    return { frame: sagittalFrame(volume, 0), labelmap: { dims: [100, 100, 1] as [number, number, number], values } };
  }
  const tube = (i: number, j: number) => i >= 41 && i <= 52 && j >= 10 && j < 80;
  it('unpaints a piece lying wholly behind the sac at the same heights, keeps one beyond the sac\'s end', () => {
    const s = slice((i, j) => (tube(i, j) || (i >= 60 && i <= 66 && j >= 20 && j < 32) || (i >= 60 && i <= 66 && j >= 85 && j < 95) ? 9 : 0));
    expect(dropSacBehindSac(s.labelmap, s.frame, 9)).toBe(7 * 12);
    const at = (i: number, j: number) => s.labelmap.values[i + j * 100];
    expect([at(47, 25), at(63, 25), at(63, 90)]).toEqual([9, 0, 9]);
  });
  it('keeps the CSF behind the spinal cord: joined through the cord to the sac in front of it', () => {
    // Rows 20–59: sac 41–43, cord 44–50, CSF 51–52 behind it; above and below, sac 41–50 (the CSF behind the cord
    // touches no other sac pixel).
    const paint = (i: number, j: number) => (j < 10 || j >= 80 ? 0 : j < 20 || j >= 60 ? (i >= 41 && i <= 50 ? 9 : 0)
      : i >= 41 && i <= 43 ? 9 : i >= 44 && i <= 50 ? 10 : i >= 51 && i <= 52 ? 9 : 0);
    const joined = slice(paint);
    expect(dropSacBehindSac(joined.labelmap, joined.frame, 9, [10])).toBe(0);
    const apart = slice(paint);
    expect(dropSacBehindSac(apart.labelmap, apart.frame, 9)).toBe(2 * 40); // without the join it is a piece behind the sac
  });
});
