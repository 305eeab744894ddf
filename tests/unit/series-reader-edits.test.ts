/** Reader corrections in the panel: grade overrides keep the software's value; level shifts rename consistently. */
import { applyReaderEdit, confirmLevels, shiftLevelName, shiftLevels, withSoftwareLevels } from '../../extension/src/panel/readerEdits';
import type { Finding, LevelReport, SpineReport } from '../../extension/src/pipeline/report';
import { hasReaderChanges } from '../../extension/src/pipeline/reader-edit';

function finding<T>(value: T | null): Finding<T> {
  return { value, evidence: { measurements: [], rule: 'r', reference: 'ref' }, readerModified: false };
}

function level(name: string, disc: number): LevelReport {
  return {
    level: name,
    discSegmentNumber: disc,
    measurements: [],
    pfirrmannGrade: finding(3),
    discNarrowing: finding(false),
    centralCanalStenosis: finding('mild'),
    foraminalStenosisLeft: finding(null),
    foraminalStenosisRight: finding(1),
    facetArthropathyLeft: finding(0),
    facetArthropathyRight: finding(0),
  } as unknown as LevelReport;
}

const report: SpineReport = {
  schemaVersion: 1,
  studyInstanceUid: '1',
  seriesInstanceUid: '2',
  frameOfReferenceUid: '3',
  sourceSeries: [],
  model: { name: 'm', version: '1', sha256: 'x' },
  software: { name: 's', version: '1' },
  region: 'lumbar',
  levelNaming: { anchor: 'assumed_lowest_is_L5', certain: false, note: 'lowest body assumed L5' },
  segments: [
    { segmentNumber: 1, kind: 'vertebral_body', level: 'L4', label: 'L4 vertebral body', voxelCount: 10, centroidLps: [0, 0, 0] },
    { segmentNumber: 2, kind: 'disc', level: 'L4/L5', label: 'L4/L5 disc', voxelCount: 5, centroidLps: [0, 0, -1] },
    { segmentNumber: 3, kind: 'vertebral_body', level: 'L5', label: 'L5 vertebral body', voxelCount: 10, centroidLps: [0, 0, -2] },
    { segmentNumber: 4, kind: 'dural_sac', label: 'Dural sac', voxelCount: 50, centroidLps: [0, 5, 0] },
  ],
  levels: [level('L4/L5', 2)],
  createdAt: '2026-01-01T00:00:00Z',
};

describe('applyReaderEdit', () => {
  it('stores the reader value and keeps the software value from the first edit on', () => {
    const edited = applyReaderEdit(report, 'L4/L5', 'pfirrmannGrade', 4);
    const f = edited.levels[0].pfirrmannGrade;
    expect(f).toMatchObject({ value: 4, readerModified: true, automaticValue: 3 });
    expect(report.levels[0].pfirrmannGrade.value).toBe(3); // input untouched
    const twice = applyReaderEdit(edited, 'L4/L5', 'pfirrmannGrade', 5);
    expect(twice.levels[0].pfirrmannGrade).toMatchObject({ value: 5, readerModified: true, automaticValue: 3 });
    expect(twice.levels[0].centralCanalStenosis).toBe(report.levels[0].centralCanalStenosis);
  });
  it('lets the reader grade a not-assessable finding (automatic value null is kept)', () => {
    const f = applyReaderEdit(report, 'L4/L5', 'foraminalStenosisLeft', 2).levels[0].foraminalStenosisLeft;
    expect(f).toMatchObject({ value: 2, readerModified: true, automaticValue: null });
  });
  it('undoes a change when the reader chooses the software\'s value again: the finding is the software\'s once more', () => {
    const changed = applyReaderEdit(applyReaderEdit(report, 'L4/L5', 'pfirrmannGrade', 4), 'L4/L5', 'pfirrmannGrade', 5);
    const undone = applyReaderEdit(changed, 'L4/L5', 'pfirrmannGrade', 3);
    expect(undone.levels[0].pfirrmannGrade).toMatchObject({ value: 3, readerModified: false });
    expect(hasReaderChanges(undone)).toBe(false);
    expect(hasReaderChanges(changed)).toBe(true);
  });
  it('lets the reader set any grade to not assessable, and keeps the software\'s reason behind a reader\'s value for an undo', () => {
    const na = applyReaderEdit(report, 'L4/L5', 'pfirrmannGrade', null).levels[0].pfirrmannGrade;
    expect(na).toMatchObject({ value: null, readerModified: true, automaticValue: 3, notAssessableReason: 'not assessable: set by the reader' });
    const why = 'not assessable: left foramen: no slice 14–26 mm to the left of the disc centre';
    const software: SpineReport = { ...report, levels: [{ ...report.levels[0], foraminalStenosisLeft: { ...finding<0 | 1 | 2 | 3>(null), notAssessableReason: why } }] };
    const graded = applyReaderEdit(software, 'L4/L5', 'foraminalStenosisLeft', 2);
    expect(graded.levels[0].foraminalStenosisLeft).toMatchObject({ value: 2, readerModified: true, automaticValue: null, notAssessableReason: why });
    const undone = applyReaderEdit(graded, 'L4/L5', 'foraminalStenosisLeft', null);
    expect(undone.levels[0].foraminalStenosisLeft).toEqual(software.levels[0].foraminalStenosisLeft);
    expect(hasReaderChanges(undone)).toBe(false);
  });
  it('edits disc bulging / Modic change where the level has them, and refuses them on a report from an older version', () => {
    const withFindings: SpineReport = { ...report, levels: [{ ...report.levels[0], discBulging: finding<boolean>(null), modicChange: finding(false) }] };
    const edited = applyReaderEdit(applyReaderEdit(withFindings, 'L4/L5', 'discBulging', true), 'L4/L5', 'modicChange', true);
    expect(edited.levels[0].discBulging).toMatchObject({ value: true, readerModified: true, automaticValue: null });
    expect(edited.levels[0].modicChange).toMatchObject({ value: true, readerModified: true, automaticValue: false });
    expect(() => applyReaderEdit(withFindings, 'L4/L5', 'modicChange', 'yes')).toThrow(/not a valid Modic change/);
    expect(() => applyReaderEdit(report, 'L4/L5', 'discBulging', true)).toThrow(/has no discBulging/);
  });
  it('rejects values outside the grading scale and unknown levels', () => {
    expect(() => applyReaderEdit(report, 'L4/L5', 'pfirrmannGrade', 6)).toThrow(/not a valid Pfirrmann grade/);
    expect(() => applyReaderEdit(report, 'L4/L5', 'centralCanalStenosis', 'huge')).toThrow(/not a valid/);
    expect(() => applyReaderEdit(report, 'L1/L2', 'pfirrmannGrade', 2)).toThrow(/level L1\/L2 is not in the report/);
  });
});

describe('shiftLevels', () => {
  it('renames vertebrae and discs down by one (L5 → S1, L4/L5 → L5/S1) and marks them reader-modified', () => {
    const r = shiftLevels(report, 1);
    expect(r.segments.map((s) => s.label)).toEqual(['L5 vertebral body', 'L5/S1 disc', 'S1 vertebral body', 'Dural sac']);
    expect(r.segments.filter((s) => s.level).every((s) => s.readerModified)).toBe(true);
    expect(r.segments[3].readerModified).toBeUndefined();
    expect(r.levels[0].level).toBe('L5/S1');
    expect(r.levelNaming).toMatchObject({ certain: true, anchor: 'assumed_lowest_is_L5' });
    expect(r.levelNaming.note).toMatch(/set by the reader/);
    const back = shiftLevels(r, -1);
    expect(back.segments.map((s) => s.level)).toEqual(['L4', 'L4/L5', 'L5', undefined]);
    // Back at the software's names: no longer reader-modified (names on the image are upright again).
    expect(back.segments.some((s) => s.readerModified)).toBe(false);
    expect(back.levelNaming).toEqual(report.levelNaming); // the software's note and certainty again
    expect(hasReaderChanges(back)).toBe(false); // nothing for the leave-page question to guard
  });
  it('shifts by several vertebrae at once, and the note gives the total offset from the software\'s names', () => {
    const twice = shiftLevels(shiftLevels(report, 1), 1);
    expect(shiftLevels(report, 2).segments.map((s) => s.level)).toEqual(twice.segments.map((s) => s.level));
    expect(twice.levelNaming.note).toBe('Level names set by the reader (2 vertebrae lower than the software named them; topmost now S1); the canal, foramen and slip rules follow these names.');
    expect(twice.levelNaming.automatic?.shift).toBe(2);
    expect(shiftLevels(report, -1).levelNaming.note).toBe('Level names set by the reader (1 vertebra higher than the software named them; topmost now L3); the canal, foramen and slip rules follow these names.');
  });
  it('crosses region boundaries and refuses to leave C1–S5', () => {
    expect(shiftLevelName('L1', -1)).toBe('T12');
    expect(shiftLevelName('T12/L1', 1)).toBe('L1/L2');
    expect(shiftLevelName('C1', -1)).toBeUndefined();
    expect(() => shiftLevels({ ...report, segments: [{ ...report.segments[0], level: 'S5', label: 'S5 vertebral body' }], levels: [] }, 1)).toThrow(/outside C1–S5/);
  });
});

describe('withSoftwareLevels', () => {
  it("gives a stored SEG's renamed segments the software's names from the SR's shift, and leaves them when it is unknown", () => {
    const shifted = shiftLevels(report, -1);
    const fromSeg = shifted.segments.map(({ automaticLevel: _software, ...s }) => s); // what a stored SEG says
    expect(withSoftwareLevels(fromSeg, shifted.levelNaming).map((s) => s.automaticLevel)).toEqual(['L4', 'L4/L5', 'L5', undefined]);
    const { shift: _unknown, ...olderSr } = shifted.levelNaming.automatic!;
    expect(withSoftwareLevels(fromSeg, { ...shifted.levelNaming, automatic: olderSr })).toBe(fromSeg);
    // A segment beyond the range keeps no software name rather than a wrong one.
    const lower = shiftLevels(report, 1).levelNaming; // the software's name one vertebra above C1 does not exist
    expect(withSoftwareLevels([{ ...fromSeg[0], level: 'C1', label: 'C1 vertebral body' }], lower)[0].automaticLevel).toBeUndefined();
  });
});

describe('confirmLevels', () => {
  it('keeps the names, makes the naming certain with the reader named, and keeps the software note for a shift back', () => {
    const r = confirmLevels(report);
    expect(r.segments).toBe(report.segments);
    expect(r.levelNaming).toMatchObject({ anchor: 'assumed_lowest_is_L5', certain: true, automatic: { certain: false, note: 'lowest body assumed L5' } });
    expect(r.levelNaming.note).toMatch(/confirmed by the reader/);
    // Shift down and back: the software's names, note and uncertainty again.
    expect(shiftLevels(shiftLevels(r, 1), -1).levelNaming).toEqual({ anchor: 'assumed_lowest_is_L5', certain: false, note: 'lowest body assumed L5' });
  });
});
