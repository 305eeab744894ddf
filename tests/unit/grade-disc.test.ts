import type { Measurement } from '../../extension/src/pipeline/report';
import { buildSpineReport, gradeSpine } from '../../extension/src/pipeline/build-report';
import type { DiscClassifier, PfirrmannClassifierManifest } from '../../extension/src/pipeline/disc-classifier';
import { applyReaderEdit, hasReaderChanges } from '../../extension/src/pipeline/reader-edit';
import { confirmLevels, shiftLevels } from '../../extension/src/panel/readerEdits';
import { gradeFacet } from '../../extension/src/pipeline/grade/facet';
import { gradeNarrowing } from '../../extension/src/pipeline/grade/narrowing';
import { calibratedPfirrmannScore, gradePfirrmann, type PfirrmannCalibration, type PfirrmannFeatures } from '../../extension/src/pipeline/grade/pfirrmann';
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
  it('endplate defects above and below each disc come from the classifier\'s two endplate probabilities, with its AUC; without them not assessable', () => {
    const probs = new Map(report.levels.map((l, n) => [l.discSegmentNumber!, { pfirrmann: [0, 1, 0, 0, 0], findings: { upperEndplate: n === 1 ? 0.72 : 0.2, lowerEndplate: n === 2 ? 0.5 : 0.49 } }]));
    const r = buildSpineReport(s.volume, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: probs, classifier: { name: 'test-cnn', cvAuc: { upperEndplate: 0.81 } } } }).report;
    expect(r.levels.map((l) => l.upperEndplateDefect?.value)).toEqual([false, true, false]);
    expect(r.levels.map((l) => l.lowerEndplateDefect?.value)).toEqual([false, false, true]);
    expect(r.levels[1].upperEndplateDefect!.evidence.rule).toBe('disc-patch classifier (test-cnn): P(defect of the endplate above the disc) 0.72 ≥ 0.5 → present; AUC 0.81 against the readers, cross-validated');
    expect(r.levels[1].upperEndplateDefect!.evidence.reference).toMatch(/Jamaludin A\. et al\., Eur Spine J 2017/);
    // A classifier without endplate columns (v1.4.0 and older): said, not guessed.
    const older = new Map(report.levels.map((l) => [l.discSegmentNumber!, { pfirrmann: [0, 1, 0, 0, 0], findings: { modic: 0.1 } }]));
    const o = buildSpineReport(s.volume, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: older, classifier: { name: 'old-cnn' } } }).report;
    expect(o.levels[0].lowerEndplateDefect).toMatchObject({ value: null, notAssessableReason: 'not assessable: the disc-patch classifier gave no defect of the endplate below the disc probability' });
  });
  it('on a 3D series (MRAcquisitionType 3D) the evidence shows the agreement measured on 3D T2, with a caution; on 2D the 2D one', async () => {
    const classifier: DiscClassifier = { name: 'test-cnn', classify: async (patches) => patches.map(() => ({ pfirrmann: [0, 0, 1, 0, 0], findings: {} })), release: async () => {} };
    const info = { file: 'x.onnx', sha256: '0'.repeat(64), version: '1', input: {}, output: {}, cvLinearKappa: 0.62, cvLinearKappa3d: 0.45 } as unknown as PfirrmannClassifierManifest;
    const rule = async (mrAcquisitionType?: string) =>
      (await gradeSpine({ ...s.volume, mrAcquisitionType }, s.labelmap, s.segments, opts, classifier, info, 'none')).report.levels[0].pfirrmannGrade.evidence.rule;
    expect(await rule('3D')).toMatch(/kappa 0\.45, cross-validated.*Caution: a 3D T2 series.*kappa 0\.45 against 0\.62/);
    const refused = { ...info, calibration: { intercept: 0, weights: { meanGrade: 1 }, featureMeans: {}, classifierSha256: '1'.repeat(64) } } as PfirrmannClassifierManifest;
    const r = (await gradeSpine({ ...s.volume, mrAcquisitionType: '3D' }, s.labelmap, s.segments, opts, classifier, refused, 'none')).report.levels[0].pfirrmannGrade.evidence.rule;
    expect(r).toMatch(/Caution: a 3D T2 series/);
    expect(r).not.toMatch(/kappa 0\.45/); // measured with a calibration this file refuses
    for (const twoD of ['2D', undefined]) {
      expect(await rule(twoD)).toMatch(/kappa 0\.62, cross-validated/);
      expect(await rule(twoD)).not.toMatch(/3D|reader stated/);
    }
    // A series the reader called T2 in the panel (its headers do not say): every grade says so, beside any 3D caution.
    for (const mrAcquisitionType of ['2D', '3D']) {
      const stated = (await gradeSpine({ ...s.volume, mrAcquisitionType, role: 'sagittal_t2', weightingStatedByReader: true }, s.labelmap, s.segments, opts, classifier, info, 'none')).report.levels;
      for (const l of stated) expect(l.pfirrmannGrade.evidence.rule.includes('Caution: a 3D T2 series')).toBe(mrAcquisitionType === '3D');
      for (const l of stated) expect(l.pfirrmannGrade.evidence.rule).toMatch(/Caution: the reader stated that this series is T2-weighted \(its DICOM headers do not say\)/);
    }
  });
  it('on a fat-suppressed T2 (T2 FS, SPAIR, Dixon water) every classifier grade carries a caution, and the foramina are not graded without a T1', async () => {
    const classifier: DiscClassifier = { name: 'test-cnn', classify: async (patches) => patches.map(() => ({ pfirrmann: [0, 0, 1, 0, 0], findings: { bulging: 0.9 } })), release: async () => {} };
    const info = { file: 'x.onnx', sha256: '0'.repeat(64), version: '1', input: {}, output: {}, cvLinearKappa: 0.62 } as unknown as PfirrmannClassifierManifest;
    const fs = (await gradeSpine({ ...s.volume, role: 'sagittal_t2', fatSuppression: 'ScanOptions FS, fat saturation' }, s.labelmap, s.segments, opts, classifier, info, 'none')).report.levels;
    expect(fs.length).toBeGreaterThan(0);
    for (const l of fs) {
      expect(l.pfirrmannGrade.value).toBe(3);
      expect(l.pfirrmannGrade.evidence.rule).toMatch(/Caution: this T2 suppresses fat \(ScanOptions FS, fat saturation\); the classifier learned T2 without fat suppression/);
      for (const f of [l.foraminalStenosisLeft, l.foraminalStenosisRight]) {
        expect(f.value).toBeNull();
        expect(f.notAssessableReason).toMatch(/Lee grades the fat around the exiting root, and this analysis ran on the sagittal T2, which suppresses fat \(ScanOptions FS, fat saturation\) with no sagittal T1/);
      }
    }
    // A fat-suppressed T1 beside it (T1 FS, often after contrast) is no help: the fat is dark there too.
    const t1fs = { ...s.volume, role: 'sagittal_t1' as const, fatSuppression: '"SAG T1 FS +C" names fat suppression' };
    const withT1fs = (await gradeSpine({ ...s.volume, role: 'sagittal_t2', fatSuppression: 'ScanOptions FS, fat saturation' }, s.labelmap, s.segments, { ...opts, sagittalT1: t1fs }, classifier, info, 'none')).report.levels;
    for (const l of withT1fs) expect(l.foraminalStenosisLeft.notAssessableReason).toMatch(/which suppresses fat .* with no sagittal T1 that keeps the fat bright \(the study's suppresses it: "SAG T1 FS \+C" names fat suppression\)/);
    const plain = (await gradeSpine({ ...s.volume, role: 'sagittal_t2' }, s.labelmap, s.segments, opts, classifier, info, 'none')).report.levels;
    expect(plain.every((l) => !/suppresses fat/.test(`${l.foraminalStenosisLeft.notAssessableReason} ${l.foraminalStenosisRight.notAssessableReason}`))).toBe(true);
    expect(plain.every((l) => !/suppresses fat/.test(l.pfirrmannGrade.evidence.rule))).toBe(true);
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

describe('Pfirrmann calibration (models/training/pfirrmann_calibration.py)', () => {
  const calibration: PfirrmannCalibration = {
    intercept: -1, weights: { meanGrade: 1.5, nucleusCsfSignalRatio: -1 }, featureMeans: { nucleusCsfSignalRatio: 0.5 }, classifierSha256: 'a'.repeat(64),
  };
  const features = (nucleusCsfSignalRatio: number): PfirrmannFeatures => ({ nucleusCsfSignalRatio, nucleusAnnulusContrast: 0, heightIndex: 1, nucleusVertebralBodySignalRatio: 1, nucleusBrightestDiscRatio: 1 });
  const c = { name: 'cnn', calibration };
  const meanIV = [0, 0, 0, 1, 0]; // mean grade 4

  it('a disc whose outline is under half the median disc of the spine keeps its grade with a caution in the evidence', () => {
    const probs = [0.05, 0.1, 0.7, 0.1, 0.05];
    const outline = (value: number): Measurement => ({ name: 'discOutlineFraction', value, unit: '{ratio}', method: 'test' });
    const small = gradePfirrmann(probs, [outline(0.3)], { name: 'test-cnn' });
    expect(small.value).toBe(3);
    expect(small.evidence.rule).toMatch(/Caution: the disc outline covers 30 % of this spine's median disc/);
    expect(gradePfirrmann(probs, [outline(0.5)], { name: 'test-cnn' }).evidence.rule).not.toMatch(/Caution/);
    expect(gradePfirrmann(probs, [], { name: 'test-cnn' }).evidence.rule).not.toMatch(/Caution/);
  });

  it('score = intercept + weights × (mean grade, measured criteria); a criterion not measured takes its cohort mean', () => {
    expect(calibratedPfirrmannScore(4, features(0.2), calibration)).toBeCloseTo(-1 + 6 - 0.2);
    expect(calibratedPfirrmannScore(4, features(NaN), calibration)).toBeCloseTo(-1 + 6 - 0.5);
    expect(calibratedPfirrmannScore(4, null, calibration)).toBeCloseTo(-1 + 6 - 0.5);
  });
  it('stretches the scale: a mean grade of IV with a dark nucleus is graded V, with a bright one still IV; clamped to I..V', () => {
    expect(gradePfirrmann(meanIV, [], c, undefined, features(0.2)).value).toBe(5); // score 4.8
    expect(gradePfirrmann(meanIV, [], c, undefined, features(1.0)).value).toBe(4); // score 4.0
    expect(gradePfirrmann(meanIV, [], { name: 'cnn' }, undefined, features(0.2)).value).toBe(4); // uncalibrated: the rounded mean
    expect(gradePfirrmann([0, 0, 0, 0, 1], [], c, undefined, features(0)).value).toBe(5); // score 6.5
    expect(gradePfirrmann([1, 0, 0, 0, 0], [], c, undefined, features(1.5)).value).toBe(1); // score -1
  });
  it('buildSpineReport grades with the disc\'s own measured criteria', () => {
    const probs = new Map(report.levels.map((l) => [l.discSegmentNumber!, { pfirrmann: [0, 0, 1, 0, 0], findings: {} }]));
    const steep = { ...calibration, weights: { meanGrade: 1.5, nucleusCsfSignalRatio: -3 } };
    const r = buildSpineReport(s.volume, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: probs, classifier: { name: 'test-cnn', calibration: steep } } }).report;
    for (const l of r.levels) {
      const ratio = l.measurements.find((m) => m.name === 'nucleusCsfSignalRatio')!.value;
      expect(l.pfirrmannGrade.evidence.rule).toContain(`nucleus/CSF signal ratio ${ratio.toFixed(2)} = ${(-1 + 4.5 - 3 * ratio).toFixed(2)}`);
    }
    expect(r.levels[1].pfirrmannGrade.value).toBeGreaterThan(r.levels[0].pfirrmannGrade.value!); // the dark nucleus grades higher
  });
  it('a refused calibration (fitted for another classifier file) leaves the rounded mean grade and says why', () => {
    const r = gradePfirrmann(meanIV, [], { name: 'cnn', calibrationRefused: 'fitted for another classifier file' }, undefined, features(0.2));
    expect(r.value).toBe(4);
    expect(r.evidence.rule).toMatch(/mean grade 4\.00 \(uncalibrated: fitted for another classifier file\) → grade IV/);
  });
  it('the evidence gives the calibration formula with the values used, and says when a cohort mean stood in', () => {
    expect(gradePfirrmann(meanIV, [], c, undefined, features(0.2)).evidence.rule)
      .toMatch(/mean grade 4\.00 → calibrated to the readers' grades with the measured criteria: -1\.00 \+ 1\.50 × mean grade 4\.00 − 1\.00 × nucleus\/CSF signal ratio 0\.20 = 4\.80 → grade V/);
    expect(gradePfirrmann(meanIV, [], c, undefined, null).evidence.rule).toMatch(/nucleus\/CSF signal ratio 0\.50 \(not measured: cohort mean\) = 4\.50 → grade V/);
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
    expect(report.levels[0].facetArthropathyLeft.evidence.rule).toBe('Pathria/Fujiwara grade needs axial images of the facet joints');
  });

  it('with an axial T2 facets are null, saying the software does not grade them, not that an axial series is needed', () => {
    const withAxial = gradeFacet('left', true);
    expect(withAxial.value).toBeNull();
    expect(withAxial.notAssessableReason).toBe('not assessable: left facet grading on the axial T2 is not implemented');
    expect(withAxial.evidence.rule).toMatch(/this software does not grade them; read them on the axial T2$/);
    expect(withAxial.evidence.rule).not.toMatch(/needs/);
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
  it('hasReaderChanges: none in the software\'s report; a changed grade, a level shift, confirmed names or a corrected outline are changes', () => {
    expect(hasReaderChanges(report)).toBe(false);
    expect(hasReaderChanges(applyReaderEdit(report, 'L2/L3', 'pfirrmannGrade', 5))).toBe(true);
    expect(hasReaderChanges(shiftLevels(report, 1))).toBe(true);
    expect(hasReaderChanges(confirmLevels(report))).toBe(true);
    expect(hasReaderChanges({ ...report, segments: report.segments.map((s, n) => (n === 0 ? { ...s, outlineCorrected: true as const } : s)) })).toBe(true);
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

  it.each([
    ['sagittal_stir', 'the sagittal STIR', /on the sagittal STIR, which suppresses fat with no sagittal T1/],
    ['other', 'a sagittal series the reader chose whose weighting is not T2, T1 or STIR', /on a sagittal series the reader chose .* with no sagittal T1/],
  ] as const)('on a volume of role %s, Pfirrmann and the foramina (Lee reads perineural fat) are not assessable, saying why', (role, words, foramenWhy) => {
    const probs = new Map(report.levels.map((l) => [l.discSegmentNumber!, { pfirrmann: [1, 0, 0, 0, 0], findings: { bulging: 0.9, modic: 0.9, narrowing: 0.9 } }]));
    const r = buildSpineReport({ ...s.volume, role }, s.labelmap, s.segments, { ...opts, discPredictions: { predictions: probs, classifier: { name: 'cnn' } } }).report;
    expect(r.levels.length).toBeGreaterThan(0);
    for (const l of r.levels) {
      expect(l.pfirrmannGrade.notAssessableReason).toBe(`not assessable: the disc classifier reads sagittal T2, and this analysis ran on ${words}`);
      for (const f of [l.foraminalStenosisLeft, l.foraminalStenosisRight]) {
        expect(f.value).toBeNull();
        expect(f.notAssessableReason).toMatch(foramenWhy);
      }
    }
  });
});
