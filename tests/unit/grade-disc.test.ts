import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { gradeNarrowing } from '../../extension/src/pipeline/grade/narrowing';
import { gradePfirrmann, scoreToGrade } from '../../extension/src/pipeline/grade/pfirrmann';
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
  it('bright tall discs grade I–II, the dark collapsed disc IV–V', () => {
    const g = report.levels.map((l) => l.pfirrmannGrade.value!);
    expect(g[0]).toBeLessThanOrEqual(2);
    expect(g[2]).toBeLessThanOrEqual(2);
    expect(g[1]).toBeGreaterThanOrEqual(4);
    expect(report.levels[1].pfirrmannGrade.evidence.reference).toMatch(/Pfirrmann/);
    expect(report.levels[1].pfirrmannGrade.evidence.measurements.some((m) => m.name === 'nucleusCsfSignalRatio')).toBe(true);
  });
  it('narrowing rule edges and missing neighbours', () => {
    expect(gradeNarrowing(0.74, []).value).toBe(true);
    expect(gradeNarrowing(0.75, []).value).toBe(false);
    expect(gradeNarrowing(NaN, []).notAssessableReason).toMatch(/not assessable/);
  });
  it('Pfirrmann without features is not assessable; scoreToGrade is ordinal', () => {
    expect(gradePfirrmann(null, []).value).toBeNull();
    expect([0, 2, 3, 4, 9].map((x) => scoreToGrade(x, [1.5, 2.5, 3.5, 4.5]))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('not-assessable findings', () => {
  it('without an axial T2 facets are null with the reason; foramina null with a reason', () => {
    for (const l of report.levels) {
      expect(l.facetArthropathyLeft.value).toBeNull();
      expect(l.facetArthropathyRight.notAssessableReason).toBe('not assessable: needs an axial T2 series');
      expect(l.foraminalStenosisLeft.value).toBeNull();
      expect(l.foraminalStenosisLeft.notAssessableReason).toMatch(/sagittal T1/);
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
});
