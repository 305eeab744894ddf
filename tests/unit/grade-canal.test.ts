import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { apSpreadCaution, AREA_AP_DISAGREE, EFFACED_HERNIATION_HINT, gradeCentralCanal, gradeCentralCanalOn3d } from '../../extension/src/pipeline/grade/canal';
import { LevelDetail } from '../../extension/src/panel/LevelDetail';
import { findingsText } from '../../extension/src/panel/findingsText';
import type { LevelReport, SpineReport } from '../../extension/src/pipeline/report';
import { gradeLevelRules, type LevelRuleInputs } from '../../extension/src/pipeline/grade/level-rules';
import { synthSpine } from './measure-synthetic';

const opts = {
  model: { name: 'test', version: '0', sha256: '' }, software: { name: 'test', version: '0' },
  levelNaming: { anchor: 'none' as const, certain: false, note: 'synthetic' },
};

describe('central canal grade (Verbiest AP diameter)', () => {
  it.each([[9, 'severe'], [11, 'moderate'], [15, 'none']])('a %i mm canal grades %s end to end', (ap, grade) => {
    const s = synthSpine({ canalApMm: ap as number, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const { report } = buildSpineReport(s.volume, s.labelmap, s.segments, opts);
    for (const l of report.levels) {
      expect(l.centralCanalStenosis.value).toBe(grade);
      expect(l.centralCanalStenosis.evidence.reference).toMatch(/Verbiest/);
      expect(l.centralCanalStenosis.evidence.measurements.find((x) => x.name === 'canalApDiameterMm')?.unit).toBe('mm');
    }
  });
  it('cut-offs: 9.9 severe, 10 moderate, 11.9 moderate, 12 none', () => {
    expect([9.9, 10, 11.9, 12].map((x) => gradeCentralCanal(x, []).value)).toEqual(['severe', 'moderate', 'moderate', 'none']);
  });
  it('at L5/S1 an AP-only stenosis keeps its grade with a caution (the canal narrows towards S1); not elsewhere, not without stenosis, not with an axial area', () => {
    const rule = (ap: number, level: string, area: number | null = null) => gradeCentralCanal(ap, [], area, undefined, false, level).evidence.rule;
    expect(gradeCentralCanal(9, [], null, undefined, false, 'L5/S1').value).toBe('severe');
    expect(gradeCentralCanal(9, [], null, undefined, false, 'L5/S1').evidence.reference).toMatch(/Verbiest.*Pierro A\. et al\., J Clin Imaging Sci 2017/);
    expect(rule(9, 'L5/S1')).toMatch(/Caution at L5\/S1: the normal canal narrows towards S1.*Pierro 2017/);
    expect(rule(11, 'L5/S1')).toMatch(/Caution at L5\/S1/);
    expect(rule(9, 'L4/L5')).not.toMatch(/Caution/);
    expect(rule(14, 'L5/S1')).not.toMatch(/Caution/);
    expect(rule(9, 'L5/S1', 80)).not.toMatch(/Caution/); // the axial area measured the sac there
  });
  it('with an axial area, the area decides stenosis (Bolender < 100 mm²) and the sagittal AP how severe', () => {
    expect(gradeCentralCanal(9, [], 150).value).toBe('none'); // AP alone would say severe
    expect(gradeCentralCanal(9, [], 150).evidence.rule).toMatch(/150 mm² on axial T2 ≥ 100 mm².*axial area measures the sac itself/);
    expect(gradeCentralCanal(15, [], 80).value).toBe('moderate');
    expect(gradeCentralCanal(9, [], 80).value).toBe('severe');
    expect(gradeCentralCanal(null, [], 80, 'x', true).value).toBe('severe');
    expect(gradeCentralCanal(null, [], 99.9).value).toBe('moderate');
    expect(gradeCentralCanal(null, [], 100).value).toBe('none');
    expect(gradeCentralCanal(null, [], 100).evidence.reference).toMatch(/Bolender/);
  });
  it('a thoracolumbar level (T12/L1) is not graded with the lumbar cut-offs, and says why', () => {
    const s = synthSpine({ canalApMm: 8, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const segments = s.segments.map((x) => (x.level === 'L1/L2' ? { ...x, level: 'T12/L1' } : x));
    const { report } = buildSpineReport(s.volume, s.labelmap, segments, opts);
    const [t12, l2] = report.levels;
    expect(t12.level).toBe('T12/L1');
    expect(t12.centralCanalStenosis.value).toBeNull();
    expect(t12.centralCanalStenosis.notAssessableReason).toMatch(/T12\/L1 is above the lumbar canal/);
    expect(t12.centralCanalStenosis.evidence.measurements.some((x) => x.name === 'canalApDiameterMm')).toBe(true);
    expect(l2.centralCanalStenosis.value).toBe('severe');
  });
  it('on a 3D T2 (MRAcquisitionType 3D) the sagittal AP is shown but does not grade, saying why; an axial area still grades', () => {
    const s = synthSpine({ canalApMm: 8, discHeightsMm: [10, 10], nucleus: [200, 200] });
    const levels = (mrAcquisitionType?: string) => buildSpineReport({ ...s.volume, mrAcquisitionType }, s.labelmap, s.segments, opts).report.levels;
    for (const l of levels('3D')) {
      expect(l.centralCanalStenosis.value).toBeNull();
      expect(l.centralCanalStenosis.notAssessableReason).toMatch(/3D T2 .*agreement with the same patients' 2D T2 \(AP difference median −0\.2 mm.*not checked against readers/);
      expect(l.centralCanalStenosis.evidence.measurements.find((x) => x.name === 'canalApDiameterMm')?.value).toBeCloseTo(8, 0);
      expect(l.centralCanalStenosis.evidence.rule).toMatch(/on a 3D T2 only the dural sac area on an axial T2 grades/);
    }
    expect(levels('2D').map((l) => l.centralCanalStenosis.value)).toEqual(['severe', 'severe']);
    expect(gradeCentralCanalOn3d([], 80).value).toBe('moderate');
    expect(gradeCentralCanalOn3d([], 150).value).toBe('none');
  });
  it('on a T1 or a series of unknown weighting no dural sac is sought (CSF is not the bright tissue there): no sac segment, canal not assessable, saying why', () => {
    const s = synthSpine({ canalApMm: 15, discHeightsMm: [10, 10], nucleus: [200, 200] });
    expect(buildSpineReport({ ...s.volume, role: 'sagittal_t2' }, s.labelmap, s.segments, opts).report.levels.map((l) => l.centralCanalStenosis.value)).toEqual(['none', 'none']);
    for (const [role, why] of [['sagittal_t1', /no dural sac sought \(it is found by its bright CSF, which is dark on T1\) on the sagittal T1/], ['other', /no dural sac sought \(it is found by its bright CSF, and this series' weighting is not known\) on a sagittal series the reader chose/]] as const) {
      const { report } = buildSpineReport({ ...s.volume, role }, s.labelmap, s.segments, opts);
      expect(report.segments.some((x) => x.kind === 'dural_sac')).toBe(false);
      for (const l of report.levels) {
        expect(l.centralCanalStenosis.value).toBeNull();
        expect(l.centralCanalStenosis.notAssessableReason).toMatch(why);
        expect(l.measurements.some((x) => x.name === 'canalApDiameterMm')).toBe(false);
      }
    }
  });
  it('no dural sac found → null with a reason', () => {
    const s = synthSpine({ canalApMm: 11, discHeightsMm: [10, 10], nucleus: [200, 200], withCsf: false });
    const { report } = buildSpineReport(s.volume, s.labelmap, s.segments, opts);
    expect(report.segments.some((x) => x.kind === 'dural_sac')).toBe(false);
    for (const l of report.levels) {
      expect(l.centralCanalStenosis.value).toBeNull();
      expect(l.centralCanalStenosis.notAssessableReason).toMatch(/not assessable.*CSF/);
      expect(l.pfirrmannGrade.value).toBeNull();
    }
  });
});

describe('no dural sac behind the sacrum', () => {
  it('paints the sac behind L5 but not behind S1 (the sacral canal holds roots and fat)', () => {
    const s = synthSpine({ canalApMm: 15, discHeightsMm: [10, 10, 10, 10, 10], nucleus: [200, 200, 200, 200, 200] });
    const { labelmap, segments } = buildSpineReport(s.volume, s.labelmap, s.segments, opts);
    const sac = segments.find((x) => x.kind === 'dural_sac')!.segmentNumber;
    const [nx, ny] = labelmap.dims;
    const rowsOf = (segNo: number) => [...new Set(Array.from({ length: nx * ny }, (_, p) => p).filter((p) => s.labelmap.values[p] === segNo).map((p) => Math.floor(p / nx)))];
    const sacInRows = (rows: number[]) => rows.reduce((n, j) => n + Array.from({ length: nx }, (_, i) => labelmap.values[i + j * nx] === sac).filter(Boolean).length, 0);
    const l5 = s.segments.find((x) => x.level === 'L5')!.segmentNumber, s1 = s.segments.find((x) => x.level === 'S1')!.segmentNumber;
    expect(sacInRows(rowsOf(l5))).toBeGreaterThan(0);
    expect(sacInRows(rowsOf(s1).slice(3))).toBe(0); // the first rows may still belong to the L5/S1 disc profile's half-height
  });
});

describe('an axial area that disagrees with the sagittal AP', () => {
  it('grades by the area and says that a normal sagittal AP disagrees with a stenotic area', () => {
    const f = gradeCentralCanal(21, [], 36);
    expect(f.value).toBe('moderate');
    expect(f.evidence.rule).toContain(AREA_AP_DISAGREE);
    expect(gradeCentralCanal(10.5, [], 60).evidence.rule).not.toContain('Caution: the sagittal AP reads normal');
    expect(gradeCentralCanal(21, [], 140).evidence.rule).not.toContain('Caution: the sagittal AP reads normal');
  });
});

describe('an AP from centre profiles that disagree carries a caution (AP_SPREAD_CAUTION_MM)', () => {
  it('says nothing within 3 mm; over it, gives the interquartile range, and the grades it spans when they differ', () => {
    expect(apSpreadCaution(undefined)).toBe('');
    expect(apSpreadCaution([15, 17.5])).toBe('');
    expect(apSpreadCaution([15.9, 22.8])).toMatch(/posterior wall is unclear.*read 15\.9–22\.8 mm \(interquartile range; the AP is their median\): check the AP line/);
    expect(apSpreadCaution([15.9, 22.8])).not.toMatch(/would grade/);
    expect(apSpreadCaution([8, 13])).toMatch(/which would grade severe to none/);
  });
  const inputs = (apQuartilesMm: [number, number], areaMm2: number | null): LevelRuleInputs => ({
    canal: { apMm: 9, apQuartilesMm, areaMm2, csfEffaced: false, notFoundReason: 'n/a', threeD: false },
    listhesis: { reason: 'n/a' }, foramina: { unmeasuredReason: 'n/a' },
  });
  it('on the sagittal AP grade, not where the axial area grades', () => {
    const apOnly = gradeLevelRules('L4/L5', inputs([8, 13], null), []).centralCanalStenosis;
    expect(apOnly.value).toBe('severe'); // the grade is the median's
    expect(apOnly.evidence.rule).toMatch(/^AP diameter 9\.0 mm < 10 mm → absolute stenosis.*Caution: the dural sac's posterior wall is unclear.*severe to none/);
    expect(gradeLevelRules('L4/L5', inputs([8.8, 9.2], null), []).centralCanalStenosis.evidence.rule).not.toMatch(/unclear/);
    expect(gradeLevelRules('L4/L5', inputs([8, 13], 150), []).centralCanalStenosis.evidence.rule).not.toMatch(/unclear/);
  });
});

describe('herniation pointer where the CSF is effaced (EFFACED_HERNIATION_HINT)', () => {
  const effaced = gradeCentralCanal(null, [], null, undefined, true, 'L4/L5');
  it('is said in the canal grade\'s rule where the CSF is effaced (with or without a stenotic axial area), and nowhere else', () => {
    expect(effaced.value).toBe('severe');
    expect(effaced.evidence.rule).toContain(EFFACED_HERNIATION_HINT);
    expect(gradeCentralCanal(null, [], 80, undefined, true).evidence.rule).toContain(EFFACED_HERNIATION_HINT);
    expect(gradeCentralCanal(8, [], null, undefined, false, 'L4/L5').evidence.rule).not.toContain(EFFACED_HERNIATION_HINT);
    expect(gradeCentralCanal(null, [], 150, undefined, true).evidence.rule).not.toContain(EFFACED_HERNIATION_HINT); // the area reads normal
  });
  it('shows in the level\'s herniation line and in the findings text, which says where to look first', () => {
    const f = <T,>(value: T | null) => ({ value, evidence: { measurements: [], rule: '', reference: '' }, readerModified: false });
    const l = {
      level: 'L4/L5', discSegmentNumber: 1, measurements: [], pfirrmannGrade: f(3), centralCanalStenosis: effaced,
      foraminalStenosisLeft: f(0), foraminalStenosisRight: f(0), facetArthropathyLeft: f(null), facetArthropathyRight: f(null),
    } as unknown as LevelReport;
    const html = renderToStaticMarkup(createElement(LevelDetail, { level: l })).replace(/<[^>]+>/g, ' ');
    expect(html).toMatch(/Disc herniation\s+not assessed\s+Disc herniation is not assessed by this software: .*\s+⚠ The CSF is effaced behind this disc: the SPIDER readers saw a disc herniation at 11 of 40/);
    const other = { ...l, level: 'L3/L4', centralCanalStenosis: gradeCentralCanal(14, [], null) } as LevelReport;
    expect(renderToStaticMarkup(createElement(LevelDetail, { level: other }))).not.toContain('finding-herniation-hint');
    const report = { software: { name: 's', version: '1' }, model: { name: 'm', version: '1', sha256: '' }, levelNaming: { anchor: 'sacrum', certain: true, note: '' }, levels: [other, l] } as unknown as SpineReport;
    const lines = findingsText(report).split('\n');
    expect(lines).toContain('Disc herniation not assessed by the software: look for it on the images, first at L4/L5 (CSF effaced).');
    expect(lines).toContain('L4/L5: Pfirrmann III; canal severe stenosis (CSF effaced); foramina Lee L 0 / R 0.');
  });
});
