import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { gradeNarrowing } from '../../extension/src/pipeline/grade/narrowing';
import { gradePfirrmann } from '../../extension/src/pipeline/grade/pfirrmann';
import { synthSpine } from './measure-synthetic';

const opts = {
  model: { name: 'test', version: '0', sha256: '' }, software: { name: 'test', version: '0' },
  levelNaming: { anchor: 'none' as const, certain: false, note: 'synthetic' },
};
const s = synthSpine({ canalApMm: 15, discHeightsMm: [10, 4, 10], nucleus: [245, 25, 245] });
const { report } = buildSpineReport(s.volume, s.labelmap, s.segments, opts);

describe('disc grades on a synthetic spine', () => {
  it('a disc at under half its neighbours height is narrowed, its neighbours are not', () => {
    expect(report.levels.map((l) => l.discNarrowing.value)).toEqual([false, true, false]);
    expect(report.levels[1].discNarrowing.evidence.rule).toMatch(/0\.75/);
  });
  it('without a classifier, Pfirrmann is not assessable and says why; the measured criteria stay as measurements', () => {
    for (const l of report.levels) {
      expect(l.pfirrmannGrade.value).toBeNull();
      expect(l.pfirrmannGrade.notAssessableReason).toMatch(/not assessable: .*classifier/);
    }
    expect(report.levels[1].measurements.some((m) => m.name === 'nucleusCsfSignalRatio')).toBe(true);
  });
  it('with classifier probabilities per disc segment, each level gets its most probable grade and shows them', () => {
    const probs = new Map(report.levels.map((l, n) => [l.discSegmentNumber!, { pfirrmann: n === 1 ? [0, 0.05, 0.15, 0.5, 0.3] : [0.7, 0.3, 0, 0, 0], findings: {} }]));
    const r = buildSpineReport(s.volume, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: probs, classifier: { name: 'test-cnn', cvLinearKappa: 0.61 } } }).report;
    expect(r.levels.map((l) => l.pfirrmannGrade.value)).toEqual([1, 4, 1]);
    expect(r.levels[1].pfirrmannGrade.evidence.rule).toMatch(/IV 50 %.*mean grade 4\.05 → grade IV.*kappa 0\.61/);
    expect(r.levels[1].pfirrmannGrade.evidence.reference).toMatch(/Pfirrmann/);
    expect(r.levels[1].pfirrmannGrade.evidence.measurements.some((m) => m.name === 'nucleusCsfSignalRatio')).toBe(true);
  });
  it('narrowing rule edges and missing neighbours', () => {
    expect(gradeNarrowing(0.74, []).value).toBe(true);
    expect(gradeNarrowing(0.75, []).value).toBe(false);
    expect(gradeNarrowing(NaN, []).notAssessableReason).toMatch(/not assessable/);
  });
  it('gradePfirrmann: rounded probability-weighted mean grade; missing or malformed probabilities are not assessable', () => {
    const c = { name: 'cnn' };
    expect(gradePfirrmann([0.1, 0.2, 0.3, 0.25, 0.15], [], c).value).toBe(3); // mean 3.15
    expect(gradePfirrmann([0, 0, 0, 0, 1], [], c).value).toBe(5);
    expect(gradePfirrmann([0.5, 0, 0, 0, 0.5], [], c).value).toBe(3); // mean 3: ordinal, not either mode
    expect(gradePfirrmann([0.5, 0.5, 0, 0, 0], [], c).value).toBe(2); // mean 1.5 rounds half up
    expect(gradePfirrmann([2, 2, 0, 0, 0], [], c).value).toBe(2); // unnormalised input is normalised
    expect(gradePfirrmann(null, [], c).value).toBeNull();
    expect(gradePfirrmann([0.5, 0.5], [], c).value).toBeNull();
    expect(gradePfirrmann([NaN, 0, 0, 0, 1], [], c).value).toBeNull();
    expect(gradePfirrmann([0, 1, 0, 0, 0], [], null, 'not assessable: x').notAssessableReason).toBe('not assessable: x');
  });
});

describe('not-assessable findings', () => {
  it('without an axial T2 facets are null with the reason; foramina null with a reason', () => {
    for (const l of report.levels) {
      expect(l.facetArthropathyLeft.value).toBeNull();
      expect(l.facetArthropathyRight.notAssessableReason).toBe('not assessable: needs an axial T2 series');
      expect(l.foraminalStenosisLeft.value).toBeNull();
      expect(l.foraminalStenosisLeft.notAssessableReason).toMatch(/left foramen: no slice 14–26 mm to the left/); // one-slice series
    }
  });
});

describe('applyReaderEdit', () => {
  it('sets readerModified, keeps automaticValue, does not mutate the input', () => {
    const auto = report.levels[1].pfirrmannGrade.value;
    const e1 = applyReaderEdit(report, 'L2/L3', 'pfirrmannGrade', 3);
    expect(e1.levels[1].pfirrmannGrade).toMatchObject({ value: 3, readerModified: true, automaticValue: auto });
    const e2 = applyReaderEdit(e1, 'L2/L3', 'pfirrmannGrade', 2);
    expect(e2.levels[1].pfirrmannGrade.automaticValue).toBe(auto);
    expect(report.levels[1].pfirrmannGrade.readerModified).toBe(false);
    expect(report.levels[1].pfirrmannGrade.value).toBe(auto);
  });
  it('throws for an unknown level', () => {
    expect(() => applyReaderEdit(report, 'C9/C10', 'discNarrowing', true)).toThrow(/C9\/C10 is not in the report/);
  });
  it('throws for an optional finding the level lacks (a report from an older version)', () => {
    expect(report.levels[1].modicChange).toBeDefined();
    const old = { ...report, levels: report.levels.map(({ modicChange: _, ...l }) => l) };
    expect(() => applyReaderEdit(old, 'L2/L3', 'modicChange', true)).toThrow(/L2\/L3 has no modicChange/);
  });
});

describe('the disc classifier only grades T2', () => {
  it('on a sagittal T1 volume, Pfirrmann, bulging and Modic are not assessable (and narrowing falls back to the height rule) even with predictions', () => {
    const t1 = { ...s.volume, role: 'sagittal_t1' as const };
    const probs = new Map(report.levels.map((l) => [l.discSegmentNumber!, { pfirrmann: [1, 0, 0, 0, 0], findings: { bulging: 0.9, modic: 0.9, narrowing: 0.9 } }]));
    const r = buildSpineReport(t1, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: probs, classifier: { name: 'cnn' } } }).report;
    for (const l of r.levels) {
      expect(l.pfirrmannGrade.value).toBeNull();
      expect(l.pfirrmannGrade.notAssessableReason).toBe('not assessable: the disc classifier reads sagittal T2, and this analysis ran on the sagittal T1');
      expect(l.discBulging?.value).toBeNull();
      expect(l.modicChange?.value).toBeNull();
      expect(l.discNarrowing.evidence.rule).toMatch(/height index/);
    }
  });
});
