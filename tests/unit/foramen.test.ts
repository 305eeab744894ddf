import type { DiscAnalysis } from '../../extension/src/pipeline/measure-spine';
import { measureForamina, type ForamenMeasure } from '../../extension/src/pipeline/foramen';
import { gradeForamen } from '../../extension/src/pipeline/grade/foramen';
import type { Labelmap, SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';
import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { synthSpine } from './measure-synthetic';

const reportOpts = {
  model: { name: 'test', version: '0', sha256: '' }, software: { name: 'test', version: '0' },
  levelNaming: { anchor: 'none' as const, certain: false, note: 'synthetic' },
};

/**
 * Constructed sagittal volume, 1 mm voxels: columns i = posterior (ap = i), rows j = inferior (si = 40 − j),
 * slices k = patient left (x = k − 20, so k = 20 is the midline). A disc (segment 2) at ap 10–30, si −5…5 on
 * every slice; grey bone/tissue (80) everywhere else; `paint` adds fat (200) and root (60) on chosen slices.
 */
function volumeWith(paint: (x: number, ap: number, si: number) => number | undefined, slices = 41): { volume: SpineVolume; labelmap: Labelmap; disc: DiscAnalysis } {
  const nx = 80, ny = 80;
  const voxels = new Float32Array(nx * ny * slices).fill(80);
  const values = new Uint8Array(nx * ny * slices);
  const x0 = -Math.floor(slices / 2);
  for (let k = 0; k < slices; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const p = i + j * nx + k * nx * ny, ap = i, si = 40 - j, x = x0 + k;
    if (ap >= 10 && ap <= 30 && Math.abs(si) <= 5) { values[p] = 2; voxels[p] = 120; continue; }
    const v = paint(x, ap, si);
    if (v !== undefined) voxels[p] = v;
  }
  const volume: SpineVolume = {
    voxels, dims: [nx, ny, slices], spacingMm: [1, 1, 1], originLps: [x0, 0, 40], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '1', seriesInstanceUid: '2', frameOfReferenceUid: '3', sopInstanceUids: Array.from({ length: slices }, (_, k) => `4.${k}`),
  };
  const disc = {
    segment: { segmentNumber: 2, kind: 'disc', label: 'L4/L5 disc', level: 'L4/L5', voxelCount: 1, centroidLps: [0, 20, 0] },
    measures: { segmentNumber: 2, level: 'L4/L5', shape: { centre: [20, 0], major: [1, 0], minor: [0, 1] }, discLengthMm: 21, discHeightMm: 11, nucleusMean: 120, nucleusSd: 1, annulusMean: 120, posteriorPointMm: [30, 0], pixelCount: 231 },
  } as unknown as DiscAnalysis;
  return { volume, labelmap: { dims: [nx, ny, slices], values }, disc };
}

/** A left foramen (slices 14–26 mm left): fat at ap 31–41, si −8…12 (20 mm high) with `root` carved out. */
const leftForamen = (root: (ap: number, si: number) => boolean) => (x: number, ap: number, si: number) => {
  if (x < 14 || x > 26 || ap < 31 || ap > 41 || si < -8 || si > 12) return undefined;
  return root(ap, si) ? 60 : 200;
};

describe('foramen measurement on parasagittal slices (foramen.ts) and Lee grade', () => {
  it('a root surrounded by fat: height and area of the foramen, no direction obliterated → Lee 0', () => {
    const { volume, labelmap, disc } = volumeWith(leftForamen((ap, si) => Math.hypot(ap - 36, si - 6) <= 3));
    const [{ left, right }] = measureForamina(volume, [disc], labelmap);
    expect(left.foramenHeightMm).toBeCloseTo(21, 0);
    expect(left.foramenAreaMm2).toBeGreaterThan(200); // 11 × 21 box
    expect(left.foramenAreaMm2).toBeLessThan(250);
    expect(left.lateralOffsetMm).toBeGreaterThanOrEqual(14);
    expect(left.obliterated).toEqual([]);
    expect(left.rootAreaMm2).toBeGreaterThan(20);
    expect(left.sopInstanceUid).toBe(`4.${left.sliceIndex}`);
    const g = gradeForamen('left', left);
    expect(g.value).toBe(0);
    expect(g.evidence.rule).toMatch(/fat obliterated in no direction \(the root lies on the foramen's edge along 0 % of its superior border, 0 % inferior, 0 % anterior, 0 % posterior.*→ not two opposing directions → grade 0/);
    expect(g.evidence.reference).toMatch(/Lee S/);
    expect(g.evidence.measurements.map((m) => m.name)).toEqual(['foramenHeightLeftMm', 'foramenAreaLeftMm2', 'nerveRootAreaLeftMm2']);
    // The root is kept with its centre on the measured slice, so that a stored SR can mark it again.
    const root = g.evidence.measurements[2];
    expect(root).toMatchObject({ value: left.rootAreaMm2, pointLps: left.rootCentreLps, sourceImage: { sopInstanceUid: expect.any(String) } });
    // Nothing bright on the right: not assessable, with the reason.
    expect(right.foramenAreaMm2).toBeNull();
    expect(gradeForamen('right', right).notAssessableReason).toMatch(/right foramen: no bright foraminal fat/);
  });

  it('of slices with equal fat, the one nearest the disc centre, whichever way the slices are stored', () => {
    const { volume, labelmap, disc } = volumeWith(leftForamen((ap, si) => Math.hypot(ap - 36, si - 6) <= 3));
    const [nx, ny, nz] = volume.dims, n = nx * ny;
    const reversedVoxels = new Float32Array(volume.voxels.length), reversedValues = new Uint8Array(labelmap.values.length);
    for (let k = 0; k < nz; k++) {
      reversedVoxels.set(volume.voxels.subarray((nz - 1 - k) * n, (nz - k) * n), k * n);
      reversedValues.set(labelmap.values.subarray((nz - 1 - k) * n, (nz - k) * n), k * n);
    }
    const reversed: SpineVolume = { ...volume, voxels: reversedVoxels, sliceDirection: [-1, 0, 0], originLps: [-volume.originLps[0], 0, 40] };
    const [a] = measureForamina(volume, [disc], labelmap);
    const [b] = measureForamina(reversed, [disc], { dims: labelmap.dims, values: reversedValues });
    expect(a.left.lateralOffsetMm).toBe(14); // the foramen's fat is the same on every slice 14–26 mm left
    expect(b.left.lateralOffsetMm).toBe(14);
    expect(b.left.outlineLps).toEqual(a.left.outlineLps);
  });

  it('on the study sagittal T1 (no labelmap in its geometry): the mid-sagittal disc margin places the window, the evidence names T1', () => {
    const { volume, disc } = volumeWith(leftForamen((ap, si) => Math.hypot(ap - 36, si - 6) <= 3));
    const [{ left }] = measureForamina({ ...volume, role: 'sagittal_t1' }, [disc]);
    expect(left.weighting).toBe('T1');
    expect(left.foramenHeightMm).toBeCloseTo(21, 0);
    const g = gradeForamen('left', left);
    expect(g.value).toBe(0);
    expect(g.evidence.rule).toMatch(/^T1 slice \d+, \d+ mm left of the disc centre/);
    expect(g.evidence.measurements[0].method).toMatch(/parasagittal T1 slice/);
  });

  it('a root touching the pedicle above and the disc below (vertical obliteration) → Lee 1', () => {
    const { volume, labelmap, disc } = volumeWith(leftForamen((ap) => ap >= 35 && ap <= 36));
    const [{ left }] = measureForamina(volume, [disc], labelmap);
    expect(left.obliterated).toEqual(expect.arrayContaining(['superior', 'inferior']));
    expect(left.obliterated).not.toContain('anterior');
    expect(gradeForamen('left', left).value).toBe(1);
    expect(gradeForamen('left', left).evidence.rule).toMatch(/vertical/);
    expect(gradeForamen('left', left).evidence.rule).toMatch(/the root lies on the foramen's edge along 100 % of its superior border, 100 % inferior, 0 % anterior, 0 % posterior; a direction is obliterated from 50 %/);
  });

  it('a root reaching the pedicle and the disc only by a thread (a vessel) keeps its fat above and below → Lee 0', () => {
    // Root ap 34–38, si 2–8 inside the fat, and a 1 mm dark thread at ap 36 from the fat's top to its bottom.
    const { volume, labelmap, disc } = volumeWith(leftForamen((ap, si) => (ap >= 34 && ap <= 38 && si >= 2 && si <= 8) || ap === 36));
    const [{ left }] = measureForamina(volume, [disc], labelmap);
    expect(left.rootOnWallFraction!.superior).toBeCloseTo(1 / 5, 2); // one of the root's five columns reaches the top
    expect(left.obliterated).toEqual([]);
    expect(gradeForamen('left', left).value).toBe(0);
  });

  it('fat running on past the window (not closed by pedicles) is refused', () => {
    const { volume, labelmap, disc } = volumeWith((x, ap, si) => (x >= 14 && x <= 26 && ap >= 31 && ap <= 41 && si >= -8 ? 200 : undefined));
    const [{ left }] = measureForamina(volume, [disc], labelmap);
    expect(left.foramenAreaMm2).toBeNull();
    expect(gradeForamen('left', left).notAssessableReason).toMatch(/not closed|no foramen closed by the pedicles/);
  });

  it('a series too narrow to reach the foramina says so', () => {
    const { volume, labelmap, disc } = volumeWith(() => undefined, 11);
    const [{ left }] = measureForamina(volume, [disc], labelmap);
    expect(gradeForamen('left', left).notAssessableReason).toMatch(/no slice 14–26 mm to the left of the disc centre \(series too narrow or slices too thick\)/);
  });
  it('a single-slice series says that is why (SPIDER\'s mid-sagittal images)', () => {
    const { volume, labelmap, disc } = volumeWith(() => undefined, 1);
    const [{ right }] = measureForamina(volume, [disc], labelmap);
    expect(gradeForamen('right', right).notAssessableReason).toMatch(/no slice 14–26 mm to the right of the disc centre \(the series has a single sagittal slice\)/);
  });
});

describe('Lee grade from the obliterated directions (grade/foramen.ts)', () => {
  const f = (obliterated: ForamenMeasure['obliterated']): ForamenMeasure => ({
    side: 'right', segmentNumber: 1, weighting: 'T2', sliceIndex: 3, lateralOffsetMm: 18, foramenAreaMm2: 150, foramenHeightMm: 20, fatAreaMm2: 100, obliterated, rootAreaMm2: 20,
  });
  it.each([
    [[], 0], [['superior'], 0], [['superior', 'anterior'], 0],
    [['superior', 'inferior'], 1], [['anterior', 'posterior', 'superior'], 1],
    [['superior', 'inferior', 'anterior', 'posterior'], 2],
  ] as const)('%j → %i', (dirs, grade) => {
    expect(gradeForamen('right', f([...dirs])).value).toBe(grade);
  });
  it('a note on the series measured (a T1 after contrast) closes the rule', () => {
    expect(gradeForamen('right', { ...f([]), seriesNote: 'Caution: read on a sagittal T1 after contrast (x)' }).evidence.rule).toMatch(/not validated against readers\. Caution: read on a sagittal T1 after contrast \(x\)$/);
    expect(gradeForamen('right', f([])).evidence.rule).toMatch(/not validated against readers$/);
  });
  it('four directions say grade 3 is not measured; no root → not assessable', () => {
    expect(gradeForamen('right', f(['superior', 'inferior', 'anterior', 'posterior'])).evidence.rule).toMatch(/grade 3.*not measured/);
    expect(gradeForamen('right', { ...f(null), reason: 'no nerve root seen' }).notAssessableReason).toBe('not assessable: right foramen: no nerve root seen');
    expect(gradeForamen('left', undefined, 'the series is not sagittal').notAssessableReason).toBe('not assessable: left foramen: the series is not sagittal');
  });
});

describe('buildSpineReport: foramina on the study sagittal T1', () => {
  it('falls back to the analysed series when the T1 cannot be measured (not sagittal), keeping every other grade', () => {
    const s = synthSpine({ canalApMm: 14, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const axialT1 = { ...s.volume, role: 'sagittal_t1' as const, rowDirection: [1, 0, 0] as Vec3, columnDirection: [0, 1, 0] as Vec3, sliceDirection: [0, 0, 1] as Vec3 };
    const { report } = buildSpineReport(s.volume, s.labelmap, s.segments, { ...reportOpts, sagittalT1: axialT1 });
    expect(report.levels.length).toBe(2);
    for (const l of report.levels) {
      expect(l.centralCanalStenosis.value).toBe('none');
      expect(l.foraminalStenosisLeft.notAssessableReason).toMatch(/left foramen: no slice 14–26 mm/); // the one-slice T2 was used
    }
  });

  it('a T1 after contrast is read only where no plain T2 can be, and then with a caution', () => {
    const s = synthSpine({ canalApMm: 14, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const plainT1 = { ...s.volume, role: 'sagittal_t1' as const };
    const postT1 = { ...plainT1, postContrast: 'ContrastBolusAgent "Gadovist"' };
    const foramenOf = (volume: SpineVolume, sagittalT1: SpineVolume) =>
      buildSpineReport(volume, s.labelmap, s.segments, { ...reportOpts, sagittalT1 }).report.levels[0].levelRuleInputs!.foramina.left!;
    const t2 = { ...s.volume, role: 'sagittal_t2' as const };
    expect(foramenOf(t2, plainT1)).toMatchObject({ weighting: 'T1' });
    expect(foramenOf(t2, plainT1).seriesNote).toBeUndefined();
    // A plain T2 keeps the fat bright: it is read instead of the enhanced T1, and the evidence says why.
    expect(foramenOf(t2, postT1)).toMatchObject({ weighting: 'T2', seriesNote: expect.stringMatching(/^Read on the sagittal T2, not on the study's sagittal T1, which is after contrast \(ContrastBolusAgent "Gadovist"\)/) });
    // A fat-suppressed T2 cannot show the fat: the enhanced T1 is read, with the caution.
    expect(foramenOf({ ...t2, fatSuppression: 'ScanOptions FS, fat saturation' }, postT1)).toMatchObject({ weighting: 'T1', seriesNote: expect.stringMatching(/^Caution: read on a sagittal T1 after contrast \(ContrastBolusAgent "Gadovist"\): enhancing epidural veins/) });
    // A T1 after contrast analysed alone: the caution too.
    expect(buildSpineReport(postT1, s.labelmap, s.segments, reportOpts).report.levels[0].levelRuleInputs!.foramina.left).toMatchObject({ weighting: 'T1', seriesNote: expect.stringMatching(/^Caution: read on a sagittal T1 after contrast/) });
  });
});
