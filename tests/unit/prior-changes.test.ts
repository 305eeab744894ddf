import { writeSeg } from '../../extension/src/dicom/seg';
import { writeSr } from '../../extension/src/dicom/sr';
import { readSr } from '../../extension/src/dicom/sr-read';
import { priorCandidates } from '../../extension/src/ohif/priorReport';
import { comparePrior, dicomDate, priorChangesText } from '../../extension/src/panel/priorChanges';
import { applyReaderEdit } from '../../extension/src/panel/readerEdits';
import type { SpineReport } from '../../extension/src/pipeline/report';
import { PATIENT, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

const v = makeVolume();
const lm = makeLabelmap(v);
const now = makeReport(v, lm);
/** The report as a prior study's SR holds it: written and read back, as the panel gets it from the PACS. */
const storedAs = (r: SpineReport) => readSr(writeSr(r, { seg: writeSeg(r, lm, v, { patientStudy: PATIENT }), sourceVolume: v, patientStudy: PATIENT, version: 1 }));
const level = now.levels[0].level;

describe('comparePrior', () => {
  it('finds nothing to report between a report and the same findings read back from its SR', () => {
    const c = comparePrior(now, storedAs(now));
    expect(c.levelsCompared).toEqual(now.levels.map((l) => l.level));
    expect(c.changes).toEqual([]);
    expect(priorChangesText(c, '20200102')).toBe(`No graded finding differs from the prior study of 2020-01-02 at the ${now.levels.length} levels both name (stored findings, levels matched by name).`);
  });

  it('lists each grade that differs, with both values, the current one marked when the reader set it', () => {
    const prior = storedAs(applyReaderEdit(now, level, 'centralCanalStenosis', 'mild'));
    const current = applyReaderEdit(applyReaderEdit(now, level, 'centralCanalStenosis', 'severe'), level, 'pfirrmannGrade', 5);
    const c = comparePrior(current, prior);
    const before = prior.levels[0].pfirrmannGrade.value;
    expect(c.changes).toEqual([
      ...(before !== 5 ? [{ level, key: 'pfirrmannGrade', label: 'Pfirrmann grade', prior: ['', 'I', 'II', 'III', 'IV', 'V'][before!], now: 'V*' }] : []),
      { level, key: 'centralCanalStenosis', label: 'Central canal stenosis', prior: 'mild*', now: 'severe*' },
    ]);
    expect(priorChangesText(c, '20200102')).toContain(`${level} Central canal stenosis mild* → severe*`);
  });

  it('compares levels by name only, and not a finding either report left not assessable', () => {
    const second = now.levels[1].level;
    const prior = storedAs(applyReaderEdit(now, second, 'centralCanalStenosis', 'mild'));
    prior.levels[0] = { ...prior.levels[0], level: 'T9/T10' };
    const notAssessed = { ...now, levels: now.levels.map((l) => (l.level === second ? { ...l, centralCanalStenosis: { ...l.centralCanalStenosis, value: null, notAssessableReason: 'x' } } : l)) };
    const c = comparePrior(notAssessed, prior);
    expect(c.levelsCompared).not.toContain(level);
    expect(c.changes).toEqual([]);
    // Once the reader grades it, it is compared.
    expect(comparePrior(applyReaderEdit(notAssessed, second, 'centralCanalStenosis', 'severe'), prior).changes).toEqual([
      { level: second, key: 'centralCanalStenosis', label: 'Central canal stenosis', prior: 'mild*', now: 'severe*' },
    ]);
  });

  it('says when no level name is shared', () => {
    expect(priorChangesText(comparePrior(now, { ...now, levels: [] }), '20200102')).toBe('No level of the prior study of 2020-01-02 has the same name as a level here: nothing compared.');
  });
});

describe('priorCandidates', () => {
  const current = { studyInstanceUid: '1.2.3', patientId: 'P1', studyDate: '20240301', studyTime: '101500' };
  it('keeps the same patient\'s other studies dated on or before this one, newest first', () => {
    const got = priorCandidates([
      { studyInstanceUid: '1.2.3', date: '20240301', mrn: 'P1' }, // this study
      { studyInstanceUid: 'a', date: '20200101', mrn: 'P1' },
      { studyInstanceUid: 'b', date: '20240301', time: '0900', mrn: 'P1' }, // same day, earlier
      { studyInstanceUid: 'c', date: '20240301', time: '120000', mrn: 'P1' }, // same day, later
      { studyInstanceUid: 'd', date: '20250101', mrn: 'P1' }, // a later study
      { studyInstanceUid: 'e', date: '20230101', mrn: 'P10' }, // another patient
      { studyInstanceUid: 'f', mrn: 'P1' }, // no date: cannot be ordered
      { studyInstanceUid: 'g', date: '20221231', mrn: 'P1' },
    ], current).map((s) => s.studyInstanceUid);
    expect(got).toEqual(['b', 'g', 'a']);
  });
  it('formats a DICOM date for the reader', () => {
    expect(dicomDate('20200102')).toBe('2020-01-02');
    expect(dicomDate('')).toBe('');
  });
});
