/** Renaming the levels grades the name-dependent findings again (grade/level-rules.ts via readerEdits.ts shiftLevels). */
import { buildSpineReport } from '../../extension/src/pipeline/build-report';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { regradedByRename, shiftLevelName, shiftLevels } from '../../extension/src/panel/readerEdits';
import { LUMBOSACRAL_CAUTION } from '../../extension/src/pipeline/grade/canal';
import type { SpineReport } from '../../extension/src/pipeline/report';
import { writeSeg } from '../../extension/src/dicom/seg';
import { writeSr } from '../../extension/src/dicom/sr';
import { readSr } from '../../extension/src/dicom/sr-read';
import { PATIENT } from './dicom-fixtures';
import { synthSpine } from './measure-synthetic';

const opts = {
  model: { name: 'test', version: '0', sha256: '' }, software: { name: 'test', version: '0' },
  levelNaming: { anchor: 'none' as const, certain: false, note: 'synthetic' },
};

/** Four bodies over three 10 mm discs, a 9 mm canal (absolute stenosis by Verbiest), the second body 8 mm anterior (slips at the 1st and 2nd disc), named `delta` vertebrae from L1…L4. */
function spineNamed(delta: number) {
  const s = synthSpine({ canalApMm: 9, discHeightsMm: [10, 10, 10], nucleus: [200, 200, 200], bodyShiftsMm: [0, -8, 0, 0] });
  const segments = s.segments.map((x) => ({ ...x, level: shiftLevelName(x.level!, delta)!, label: x.label.replace(x.level!, shiftLevelName(x.level!, delta)!) }));
  return { ...s, segments, report: buildSpineReport(s.volume, s.labelmap, segments, opts).report };
}
const at = (r: SpineReport, level: string) => r.levels.find((l) => l.level === level)!;
const noInputs = (r: SpineReport): SpineReport => ({ ...r, levels: r.levels.map(({ levelRuleInputs: _, ...l }) => l) });

describe('renaming the levels grades the canal, foramina and slip under the new names', () => {
  // Named T11…L1 by the software (discs T11/T12, T12/L1, L1/L2); the reader shifts them one lower (T12…L2).
  const software = spineNamed(-2).report;
  const renamed = shiftLevels(software, 1);

  it('the software did not grade the canal at T11/T12 and T12/L1, nor the slip at T11/T12', () => {
    expect(at(software, 'T12/L1').centralCanalStenosis).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/T12\/L1 is above the lumbar canal/) });
    expect(at(software, 'L1/L2').centralCanalStenosis.value).toBe('severe');
    expect(at(software, 'T11/T12').foraminalStenosisLeft.notAssessableReason).toMatch(/T11\/T12 is not a lumbar level/);
    expect(at(software, 'T11/T12').spondylolisthesis).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/T11\/T12 is a thoracic level/) });
  });

  it('renamed L1/L2, the disc the software called T12/L1 gets the lumbar canal grade from its 9 mm AP', () => {
    const f = at(renamed, 'L1/L2').centralCanalStenosis;
    expect(f.value).toBe('severe');
    expect(f.evidence.rule).toMatch(/^AP diameter 9\.\d mm < 10 mm → absolute stenosis/);
  });

  it('renamed T12/L1, the disc the software called T11/T12 gets the lumbar slip and foramen rules, naming the new bodies', () => {
    const l = at(renamed, 'T12/L1');
    expect(l.centralCanalStenosis.notAssessableReason).toMatch(/T12\/L1 is above the lumbar canal/);
    expect(l.foraminalStenosisLeft.notAssessableReason ?? '').not.toMatch(/not a lumbar level/);
    expect(l.spondylolisthesis).toMatchObject({ value: 1, evidence: { rule: expect.stringMatching(/^T12 lies 8\.\d mm .* posterior to L1 → retrolisthesis/) } });
    expect(at(renamed, 'L1/L2').spondylolisthesis!.evidence.rule).toMatch(/^L1 lies 8\.\d mm .* anterior to L2/);
  });

  it('is the analysis a new count would give: the same as the spine analysed under those names', () => {
    const named = spineNamed(-1).report;
    for (const l of named.levels) {
      for (const k of ['centralCanalStenosis', 'foraminalStenosisLeft', 'foraminalStenosisRight', 'spondylolisthesis'] as const) expect(at(renamed, l.level)[k]).toEqual(l[k]);
      expect(at(renamed, l.level).measurements).toEqual(l.measurements);
    }
  });

  it('shifting back gives the software\'s levels again', () => {
    expect(shiftLevels(renamed, -1).levels).toEqual(software.levels);
  });

  it('keeps the reader\'s own grade, with the new automatic one behind it', () => {
    const edited = applyReaderEdit(software, 'T12/L1', 'centralCanalStenosis', 'mild');
    const f = at(shiftLevels(edited, 1), 'L1/L2').centralCanalStenosis;
    expect(f).toMatchObject({ value: 'mild', readerModified: true, automaticValue: 'severe' });
    expect(at(shiftLevels(shiftLevels(edited, 1), -1), 'T12/L1').centralCanalStenosis).toEqual(at(edited, 'T12/L1').centralCanalStenosis);
  });

  it('tells the panel which grades the new names changed, and nothing once the names are the software\'s again', () => {
    expect(regradedByRename(software)).toEqual([]);
    const changes = regradedByRename(renamed);
    expect(changes).toContain('L1/L2 canal: severe (not assessable as T12/L1)');
    expect(changes).toContain('T12/L1 slip: I (not assessable as T11/T12)');
    expect(changes.every((c) => /^(T12\/L1|L1\/L2|L2\/L3) (canal|left foramen|right foramen|slip): .* as (T11\/T12|T12\/L1|L1\/L2)\)$/.test(c))).toBe(true);
    expect(regradedByRename(shiftLevels(renamed, -1))).toEqual([]);
    // A reader's own value is not compared: the software's behind it is.
    expect(regradedByRename(applyReaderEdit(renamed, 'L1/L2', 'centralCanalStenosis', 'none'))).toContain('L1/L2 canal: severe (not assessable as T12/L1)');
  });

  it('moves the L5/S1 caution of an AP-only stenosis grade with the name', () => {
    const low = spineNamed(2).report; // L3/L4, L4/L5, L5/S1
    expect(at(low, 'L5/S1').centralCanalStenosis.evidence.rule).toContain(LUMBOSACRAL_CAUTION);
    const up = shiftLevels(low, -1);
    expect(at(up, 'L4/L5').centralCanalStenosis.evidence.rule).not.toContain('Caution at L5/S1');
    expect(at(up, 'L4/L5').centralCanalStenosis.value).toBe('severe');
  });
});

describe('renaming the levels of a report read back from its SR (no grading inputs stored)', () => {
  const { volume, labelmap, report } = spineNamed(-2);
  const seg = writeSeg(report, labelmap, volume, { patientStudy: PATIENT });
  const stored = readSr(writeSr(report, { seg, sourceVolume: volume, patientStudy: PATIENT, version: 1 }));

  it('holds no grading inputs, as the SR does not store them', () => {
    expect(stored.levels.some((l) => l.levelRuleInputs)).toBe(false);
  });

  it('grades the slip again from its stored measurements, naming the new bodies', () => {
    const fresh = at(shiftLevels(report, 1), 'T12/L1').spondylolisthesis!;
    const f = at(shiftLevels({ ...stored, segments: report.segments }, 1), 'T12/L1').spondylolisthesis!;
    expect(fresh.value).toBe(1);
    expect(f.value).toBe(fresh.value);
    expect(f.evidence.rule).toBe(fresh.evidence.rule);
  });

  it('says "press Analyze" where the new name asks for a grade the analysis did not make, and applies the thoracic rules itself', () => {
    const r = shiftLevels({ ...stored, segments: report.segments }, 1);
    expect(at(r, 'L1/L2').centralCanalStenosis).toMatchObject({ value: null, notAssessableReason: expect.stringMatching(/named this level T12\/L1.*press Analyze/) });
    expect(at(r, 'T12/L1').centralCanalStenosis.notAssessableReason).toMatch(/T12\/L1 is above the lumbar canal/);
    expect(at(r, 'T12/L1').foraminalStenosisRight.notAssessableReason).toMatch(/named this level T11\/T12.*press Analyze/);
    expect(at(r, 'L2/L3').centralCanalStenosis.value).toBe('severe');
    const down = shiftLevels({ ...stored, segments: report.segments }, -1);
    expect(at(down, 'T11/T12').foraminalStenosisLeft.notAssessableReason).toMatch(/T11\/T12 is not a lumbar level/);
    expect(at(down, 'T11/T12').measurements.some((m) => m.name.startsWith('foramen'))).toBe(false);
    expect(at(down, 'T10/T11').foraminalStenosisLeft.notAssessableReason).toMatch(/T10\/T11 is not a lumbar level/);
    expect(at(down, 'T10/T11').centralCanalStenosis.notAssessableReason).toMatch(/T10\/T11 is above the lumbar canal/);
  });

  it('shifted and shifted back, is the stored report again (the foramen grades of a level once named thoracic included)', () => {
    const withSegs = { ...stored, segments: report.segments };
    const up = shiftLevels(withSegs, -1);
    expect(at(up, 'T11/T12').foraminalStenosisLeft.notAssessableReason).toMatch(/T11\/T12 is not a lumbar level/);
    expect(shiftLevels(up, 1).levels).toEqual(withSegs.levels);
    expect(shiftLevels(shiftLevels(withSegs, 2), -2).levels).toEqual(withSegs.levels);
  });

  it('keeps a stored reader\'s grade, with the software\'s value behind it', () => {
    const edited = applyReaderEdit(report, 'L1/L2', 'centralCanalStenosis', 'mild');
    const back = readSr(writeSr(edited, { seg, sourceVolume: volume, patientStudy: PATIENT, version: 2 }));
    const f = at(shiftLevels({ ...back, segments: report.segments }, 1), 'L2/L3').centralCanalStenosis;
    expect(f).toMatchObject({ value: 'mild', readerModified: true, automaticValue: 'severe' });
  });

  it('tells the panel what the new names changed against the stored grades', () => {
    const r = shiftLevels({ ...stored, segments: report.segments }, 1);
    expect(regradedByRename(r)).toContain('T12/L1 slip: I (not assessable as T11/T12)');
    expect(regradedByRename(r).some((c) => c.startsWith('L1/L2 canal'))).toBe(false); // not assessable before and after ("press Analyze")
    expect(regradedByRename(shiftLevels(r, -1))).toEqual([]);
  });

  it('removes the L5/S1 caution from a level renamed away from L5/S1, and adds it back', () => {
    const low = spineNamed(2);
    const back = readSr(writeSr(low.report, { seg: writeSeg(low.report, low.labelmap, low.volume, { patientStudy: PATIENT }), sourceVolume: low.volume, patientStudy: PATIENT, version: 1 }));
    const withSegs = { ...noInputs(back), segments: low.report.segments };
    const up = shiftLevels(withSegs, -1);
    expect(at(up, 'L4/L5').centralCanalStenosis.evidence.rule).not.toContain('Caution at L5/S1');
    expect(at(up, 'L4/L5').centralCanalStenosis.value).toBe('severe');
    expect(at(shiftLevels(up, 1), 'L5/S1').centralCanalStenosis.evidence).toEqual(at(back, 'L5/S1').centralCanalStenosis.evidence);
  });
});
