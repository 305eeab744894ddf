/** Spondylolisthesis: the slip measure (listhesis.ts) and its Meyerding grade (grade/listhesis.ts) on constructed geometry with known answers. */
import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { measureListhesis } from '../../extension/src/pipeline/listhesis';
import { gradeListhesis, isThoracicLevel, measuredSlip, MIN_SLIP_PERCENT, meyerdingGrade } from '../../extension/src/pipeline/grade/listhesis';
import { principalAxes, type PlanePixel } from '../../extension/src/pipeline/measure';
import { findingsText } from '../../extension/src/panel/findingsText';
import { synthSpine } from './measure-synthetic';
import { formatMeasurement } from '../../extension/src/panel/LevelDetail';
import { cautionsOf } from '../../extension/src/panel/cautions';

const opts = { model: { name: 'test', version: '0', sha256: 'x' }, software: { name: 'test', version: '0' }, levelNaming: { anchor: 'sacrum' as const, certain: true, note: '' } };

/** A 40 mm deep, 25 mm high body from ap0 (mm), its inferior (top = false) or superior edge at si0. */
const body = (ap0: number, siTop: number, depthMm = 40): PlanePixel[] => {
  const out: PlanePixel[] = [];
  for (let si = siTop; si > siTop - 25; si--) for (let ap = ap0; ap < ap0 + depthMm; ap++) out.push({ i: ap, j: -si, ap, si, value: 100 });
  return out;
};
const disc = { ...principalAxes(body(0, 5, 40).filter((p) => p.si > -5)), centre: [20, 0] as [number, number], major: [1, 0] as [number, number], minor: [0, 1] as [number, number], discLengthMm: 40 };

describe('spondylolisthesis (Meyerding)', () => {
  // L1..L4 over three 10 mm discs; L3 lies 8 mm anterior of L2 and L4: L2 on L3 is a retrolisthesis, L3 on L4 an anterolisthesis.
  const s = synthSpine({ canalApMm: 14, discHeightsMm: [10, 10, 10], nucleus: [200, 200, 200], bodyShiftsMm: [0, 0, -8, 0] });
  const { report } = buildSpineReport(s.volume, s.labelmap, s.segments, opts);
  const level = (name: string) => report.levels.find((l) => l.level === name)!;
  const slip = (name: string) => level(name).measurements.find((m) => m.name === 'vertebralSlipMm')!.value;
  const lineOf = (name: string) => findingsText(report).split('\n').find((x) => x.startsWith(name))!;
  const pct = (name: string) => level(name).measurements.find((m) => m.name === 'vertebralSlipPercent')!.value;

  it('measures no slip where the posterior walls line up', () => {
    expect(Math.abs(slip('L1/L2'))).toBeLessThan(0.5);
    expect(level('L1/L2').spondylolisthesis).toMatchObject({ value: 0 });
    expect(level('L1/L2').spondylolisthesis!.evidence.rule).toMatch(/no spondylolisthesis/);
  });

  it('measures an 8 mm anterior slip on a 40 mm endplate as 20 %: Meyerding grade I anterolisthesis of L3 on L4', () => {
    expect(slip('L3/L4')).toBeCloseTo(8, 0);
    expect(pct('L3/L4')).toBeGreaterThan(18);
    expect(pct('L3/L4')).toBeLessThan(22);
    const f = level('L3/L4').spondylolisthesis!;
    expect(f.value).toBe(1);
    expect(f.evidence.rule).toMatch(/^L3 lies 8\.\d mm .* anterior to L4 → anterolisthesis, Meyerding grade I/);
    expect(f.evidence.measurements.map((m) => m.name)).toEqual(['vertebralSlipMm', 'vertebralSlipPercent']);
    expect(lineOf('L3/L4')).toMatch(/grade I anterolisthesis \(8\.\d mm, 2\d\.\d %\)/);
  });

  it('measures the same slip backwards as a retrolisthesis of L2 on L3', () => {
    expect(slip('L2/L3')).toBeCloseTo(-8, 0);
    expect(level('L2/L3').spondylolisthesis).toMatchObject({ value: 1 });
    expect(level('L2/L3').spondylolisthesis!.evidence.rule).toMatch(/posterior to L3 → retrolisthesis/);
    expect(lineOf('L2/L3')).toMatch(/grade I retrolisthesis/);
  });

  it('shows the slip measurements in the evidence view with their units', () => {
    expect(level('L3/L4').spondylolisthesis!.evidence.measurements.map(formatMeasurement)).toEqual([expect.stringMatching(/^vertebral slip 8\.\d mm$/), expect.stringMatching(/^vertebral slip 2\d\.\d %$/)]);
    // No "-0.0": a slip that rounds to nothing reads 0.0 either way.
    expect(formatMeasurement({ name: 'vertebralSlipMm', value: -0.02, unit: 'mm', method: '' })).toBe('vertebral slip 0.0 mm');
    expect(formatMeasurement({ name: 'vertebralSlipPercent', value: -0.04, unit: '%', method: '' })).toBe('vertebral slip 0.0 %');
    expect(formatMeasurement({ name: 'vertebralSlipMm', value: -1.26, unit: 'mm', method: '' })).toBe('vertebral slip -1.3 mm');
  });

  it('words the measured slip one way for the table, the findings text and the image label', () => {
    expect(measuredSlip(level('L3/L4').measurements)).toEqual({ direction: 'anterolisthesis', size: expect.stringMatching(/^8\.\d mm, 2\d\.\d %$/) });
    const mmOnly = [{ name: 'vertebralSlipMm', value: -4.94, unit: 'mm' as const, method: '' }];
    expect(measuredSlip(mmOnly)).toEqual({ direction: 'retrolisthesis', size: '4.9 mm' });
    expect(measuredSlip([])).toBeUndefined();
  });

  it('grades by Meyerding quarters above the project floor, either direction', () => {
    expect([MIN_SLIP_PERCENT - 0.1, MIN_SLIP_PERCENT, 25, 25.1, 50, 51, 75, 76, 100, 101, -30].map(meyerdingGrade)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 2]);
  });

  it('measures a half-slipped body (50 % of its endplate) as grade II', () => {
    const m = measureListhesis(body(-20, 30), body(0, 0), disc, 1);
    expect(m).toMatchObject({ slipMm: expect.closeTo(20, 0), slipPercent: expect.closeTo(50, 0) });
    expect(meyerdingGrade((m as { slipPercent: number }).slipPercent)).toBe(2);
  });

  it('shows a slip beyond grade II but does not grade it (rare; mostly misread outlines), and says so', () => {
    const m = measureListhesis(body(-24, 30), body(0, 0), disc, 1); // 24 mm on a 40 mm endplate: 60 %
    const f = gradeListhesis(m, [], 'L4/L5');
    expect(f).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/^not assessable: L4 lies 24\.\d mm \(6\d\.\d % .* anterior to L5 — beyond Meyerding grade II/) });
    expect(gradeListhesis(measureListhesis(body(-20, 30), body(0, 0), disc, 1), [], 'L4/L5').value).toBe(2);
  });

  it('shows a slip at a thoracic level (T11/T12 and above) but does not grade it, and says so; T12/L1 is graded', () => {
    const m = measureListhesis(body(-8, 30), body(0, 0), disc, 1); // 8 mm on a 40 mm endplate: 20 %, grade I
    expect(gradeListhesis(m, [], 'T12/L1').value).toBe(1);
    const f = gradeListhesis(m, [], 'T10/T11');
    expect(f).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/^not assessable: T10 lies 8\.\d mm \(2\d\.\d % .* anterior to T11 — T10\/T11 is a thoracic level, where the slip is shown, not graded/) });
    expect(isThoracicLevel('T11/T12')).toBe(true);
    expect(['T12/L1', 'L4/L5', 'L5/S1'].some(isThoracicLevel)).toBe(false);
  });

  it('cautions a slip graded at a disc whose outline is under half the spine\'s median disc (measured along that disc\'s axes)', () => {
    const m = measureListhesis(body(-8, 30), body(0, 0), disc, 1); // 20 %, grade I
    expect(gradeListhesis(m, [], 'L5/S1', 0.5).evidence.rule).not.toMatch(/Caution/);
    const f = gradeListhesis(m, [], 'L5/S1', 0.35);
    expect(f.value).toBe(1);
    expect(cautionsOf(f)).toEqual([expect.stringMatching(/^Caution: the disc outline covers 35 % of this spine's median disc on the slice, and the slip is measured along the disc's axes/)]);
    expect(gradeListhesis(measureListhesis(body(-2, 30), body(0, 0), disc, 1), [], 'L5/S1', 0.35).evidence.rule).not.toMatch(/Caution/); // no slip graded: nothing to caution
    // Through the report: the disc's outline fraction (a measurement of the level) decides. L3/L4 is a 3 mm disc among 10 mm ones.
    const thin = synthSpine({ canalApMm: 14, discHeightsMm: [10, 10, 3], nucleus: [200, 200, 200], bodyShiftsMm: [0, 0, -8, 0] });
    const levels = buildSpineReport(thin.volume, thin.labelmap, thin.segments, opts).report.levels;
    const at = (name: string) => levels.find((l) => l.level === name)!;
    expect(at('L3/L4').measurements.find((x) => x.name === 'discOutlineFraction')!.value).toBeLessThan(0.5);
    expect(at('L3/L4').spondylolisthesis?.value).toBeGreaterThan(0);
    expect(cautionsOf(at('L3/L4').spondylolisthesis)).toEqual([expect.stringMatching(/^Caution: the disc outline covers \d+ %/)]);
    expect(cautionsOf(at('L2/L3').spondylolisthesis)).toEqual([]); // a full-size disc, the same 8 mm step
  });

  it('measures the lower endplate along the endplate where it is tilted against the disc (a small disc on a sloping sacrum)', () => {
    // The lower body (40 mm deep, 25 mm high) turned 12° about the middle of its superior endplate at the disc's
    // centre line; the disc's outline is short (20 mm), as a thin degenerate L5/S1 disc's is. Along the disc's axis a
    // 4 mm band catches only the endplate's upper corner (25 mm); along the endplate it is 40 mm deep.
    const turn = (12 * Math.PI) / 180, tilted: PlanePixel[] = [];
    for (let si = -40; si <= 10; si++) for (let ap = -20; ap <= 60; ap++) {
      const x = (ap - 20) * Math.cos(turn) - si * Math.sin(turn), y = (ap - 20) * Math.sin(turn) + si * Math.cos(turn);
      if (x >= -20 && x < 20 && y > -25 && y <= 0) tilted.push({ i: ap, j: -si, ap, si, value: 100 });
    }
    const m = measureListhesis(body(0, 30), tilted, { ...disc, discLengthMm: 20 }, 1);
    expect(m).toMatchObject({ lowerEndplateDepthMm: expect.closeTo(40, -0.5) });
  });

  it('does not measure against a body only partly outlined at its endplate, and the grade says why', () => {
    const m = measureListhesis(body(0, 30), body(20, 0, 20), disc, 1);
    expect(m).toEqual({ reason: expect.stringMatching(/body below the disc is only partly segmented/) });
    const cut = synthSpine({ canalApMm: 14, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const noL3 = cut.segments.filter((x) => x.level !== 'L3');
    for (let p = 0; p < cut.labelmap.values.length; p++) if (!noL3.some((x) => x.segmentNumber === cut.labelmap.values[p])) cut.labelmap.values[p] = 0;
    const l2l3 = buildSpineReport(cut.volume, cut.labelmap, noL3, opts).report.levels.find((l) => l.level === 'L2/L3')!;
    expect(l2l3.spondylolisthesis).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/^not assessable: the vertebral body below the disc is not segmented/) });
  });
});
