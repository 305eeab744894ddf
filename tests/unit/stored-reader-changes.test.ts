/** Analysing a study again keeps the reader's stored changes: level names and findings carried over from the stored SR's report. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { analysisCarryOverCandidates, CarryOverOffer } from '../../extension/src/panel/CarryOverOffer';
import { applyReaderEdit, confirmLevels, shiftLevels } from '../../extension/src/panel/readerEdits';
import { applyStoredChanges, carryOverRefusal, changesSince, hasPendingChanges, levelShiftTo, newerVersionHoldsDraft, newerVersionRefusal, pendingChangeTexts, pendingStoredChanges } from '../../extension/src/panel/storedReaderChanges';
import type { Finding, LevelReport, SegmentInfo, SpineReport } from '../../extension/src/pipeline/report';

const finding = <T,>(value: T | null): Finding<T> => ({ value, evidence: { measurements: [], rule: 'r', reference: 'ref' }, readerModified: false });
const NAMES = ['L3/L4', 'L4/L5', 'L5/S1'];
const level = (name: string, disc: number): LevelReport => ({
  level: name, discSegmentNumber: disc, measurements: [],
  pfirrmannGrade: finding(3), discNarrowing: finding(false), centralCanalStenosis: finding('mild'),
  foraminalStenosisLeft: finding(null), foraminalStenosisRight: finding(1), facetArthropathyLeft: finding(null), facetArthropathyRight: finding(null),
}) as unknown as LevelReport;

/** A fresh analysis: discs L3/L4…L5/S1 (segments 1–3), names uncertain. */
const fresh: SpineReport = {
  schemaVersion: 1, studyInstanceUid: '1', seriesInstanceUid: '2', frameOfReferenceUid: '3', sourceSeries: [],
  model: { name: 'm', version: '1', sha256: 'x' }, software: { name: 's', version: '1' }, region: 'lumbar',
  levelNaming: { anchor: 'sacrum', certain: false, note: 'software note' },
  segments: NAMES.map((l, n): SegmentInfo => ({ segmentNumber: n + 1, kind: 'disc', level: l, label: `${l} disc`, voxelCount: 5, centroidLps: [0, 0, -n] })),
  levels: NAMES.map((l, n) => level(l, n + 1)),
} as unknown as SpineReport;

describe('carrying the reader\'s stored changes over to a new analysis', () => {
  it('re-applies a changed grade at the same level, keeping the software\'s value; then nothing is pending', () => {
    const stored = applyReaderEdit(fresh, 'L4/L5', 'pfirrmannGrade', 5);
    const pending = pendingStoredChanges(fresh, stored);
    expect(pending).toEqual({ shift: 0, confirm: false, findings: [{ level: 'L4/L5', key: 'pfirrmannGrade', value: 5, text: 'L4/L5 Pfirrmann grade V' }], unmatched: [] });
    const after = applyStoredChanges(fresh, pending);
    expect(after.levels[1].pfirrmannGrade).toMatchObject({ value: 5, readerModified: true, automaticValue: 3 });
    expect(hasPendingChanges(pendingStoredChanges(after, stored))).toBe(false);
    expect(after.fromStoredSr).toBeUndefined(); // changes of an analysis never stored name no SR
  });

  it('carries a grade the reader set to not assessable (e.g. motion at that level)', () => {
    const stored = applyReaderEdit(fresh, 'L4/L5', 'centralCanalStenosis', null);
    const pending = pendingStoredChanges(fresh, stored);
    expect(pending.findings).toEqual([{ level: 'L4/L5', key: 'centralCanalStenosis', value: null, text: 'L4/L5 Central canal stenosis not assessable' }]);
    expect(applyStoredChanges(fresh, pending).levels[1].centralCanalStenosis).toMatchObject({ value: null, readerModified: true, automaticValue: 'mild' });
  });

  it('says where refused changes stay: a stored version keeps them, and a saved new result opens without them', () => {
    const otherSoftware = { ...applyReaderEdit(fresh, 'L4/L5', 'pfirrmannGrade', 5), software: { name: 's', version: '0.9' } };
    const offer = (storedVersion?: number) => renderToStaticMarkup(createElement(CarryOverOffer, {
      report: fresh, onApply: () => undefined,
      candidates: [{ report: otherSoftware, what: storedVersion ? `the stored report (version ${storedVersion})` : 'the previous analysis', storedVersion }],
    }));
    expect(offer(2)).toContain('Your changes in the stored report (version 2) are not carried over: it was made by another software version (0.9). They stay in version 2 in the PACS; saved, this result becomes the newest version, which opens without them');
    expect(offer()).toContain('Your changes in the previous analysis are not carried over: it was made by another software version (0.9).');
    expect(offer()).not.toContain('PACS');
  });

  it('names the stored SR the changes come from, so that the new result\'s SR names it as its predecessor', () => {
    const sr = { studyInstanceUid: '1', seriesInstanceUid: '9', sopInstanceUid: '9.1' };
    const stored = { ...applyReaderEdit(fresh, 'L4/L5', 'pfirrmannGrade', 5), fromStoredSr: sr };
    expect(applyStoredChanges(fresh, pendingStoredChanges(fresh, stored)).fromStoredSr).toEqual(sr);
    // Nothing to carry over: the new analysis owes the stored SR nothing.
    expect(applyStoredChanges(fresh, pendingStoredChanges(fresh, { ...fresh, fromStoredSr: sr })).fromStoredSr).toBeUndefined();
  });

  it('re-applies a level shift first, so a grade set after the shift lands on the same disc', () => {
    const stored = applyReaderEdit(shiftLevels(fresh, 1), 'L5/S1', 'centralCanalStenosis', 'severe'); // the disc the software calls L4/L5
    expect(levelShiftTo(fresh, stored)).toBe(1);
    const after = applyStoredChanges(fresh, pendingStoredChanges(fresh, stored));
    expect(after.levels.map((l) => l.level)).toEqual(['L4/L5', 'L5/S1', 'S1/S2']);
    const l = after.levels.find((x) => x.level === 'L5/S1')!;
    expect(l.discSegmentNumber).toBe(2);
    expect(l.centralCanalStenosis).toMatchObject({ value: 'severe', readerModified: true });
    expect(after.segments[1]).toMatchObject({ level: 'L5/S1', readerModified: true, automaticLevel: 'L4/L5' });
    expect(hasPendingChanges(pendingStoredChanges(after, stored))).toBe(false);
  });

  it('re-applies the reader\'s confirmation of names the software marks uncertain', () => {
    const pending = pendingStoredChanges(fresh, confirmLevels(fresh));
    expect(pending.confirm).toBe(true);
    expect(applyStoredChanges(fresh, pending).levelNaming).toMatchObject({ certain: true, note: expect.stringMatching(/confirmed by the reader/) });
  });

  it('lists stored changes at levels the new analysis lacks instead of applying them elsewhere', () => {
    const stored = { ...fresh, levels: [...fresh.levels, level('L2/L3', 9)] };
    const edited = applyReaderEdit(stored, 'L2/L3', 'pfirrmannGrade', 4);
    const pending = pendingStoredChanges(fresh, edited);
    expect(pending.findings).toEqual([]);
    expect(pending.unmatched).toEqual(['L2/L3 Pfirrmann grade IV']);
    expect(hasPendingChanges(pending)).toBe(false);
  });

  it('carries over only what the reader did with the names: different names the software gave are refused, not "re-applied"', () => {
    const otherNames = { ...shiftLevels(fresh, 1), levelNaming: fresh.levelNaming }; // names differ, the note is the software's
    expect(pendingStoredChanges(fresh, otherNames).shift).toBe(0);
    expect(carryOverRefusal(fresh, otherNames)).toMatch(/level names differ/);
    expect(pendingStoredChanges(fresh, { ...fresh, levelNaming: { ...fresh.levelNaming, certain: true } }).confirm).toBe(false);
  });

  it('is refused for another series, model or software version (names and grades may then differ)', () => {
    expect(carryOverRefusal(fresh, fresh)).toBeNull();
    expect(carryOverRefusal(fresh, { ...fresh, seriesInstanceUid: '9' })).toMatch(/another series/);
    expect(carryOverRefusal(fresh, { ...fresh, model: { name: 'm', version: '0.9', sha256: 'y' } })).toMatch(/another model \(m 0\.9\)/);
    expect(carryOverRefusal(fresh, { ...fresh, model: { name: 'm', version: '1', sha256: 'y' } })).toMatch(/another model/);
    expect(carryOverRefusal(fresh, { ...fresh, model: { name: 'm', version: '1', sha256: '' } })).toBeNull();
    // Read from an SR, the model's sha256 is its first 32 hex digits: compared as a prefix.
    const own = { ...fresh, model: { name: 'm', version: '1', sha256: 'ab12cd34'.repeat(8) } };
    expect(carryOverRefusal(own, { ...fresh, model: { name: 'm', version: '1', sha256: 'ab12cd34'.repeat(4) } })).toBeNull();
    expect(carryOverRefusal(own, { ...fresh, model: { name: 'm', version: '1', sha256: 'ab12cd35'.repeat(4) } })).toMatch(/another model/);
    expect(carryOverRefusal(fresh, { ...fresh, software: { name: 's', version: '0.0.1' } })).toMatch(/another software version/);
  });
});

describe('a new analysis of a study whose stored findings the reader changed and not saved', () => {
  const v1 = applyReaderEdit(fresh, 'L3/L4', 'pfirrmannGrade', 5);
  const offered = (edited?: SpineReport) => renderToStaticMarkup(createElement(CarryOverOffer, {
    report: fresh, onApply: () => undefined,
    candidates: analysisCarryOverCandidates({ stored: { version: 1, report: v1 }, edited, keptDrafts: [], onEditedTaken: () => undefined }),
  }));

  it('offers the stored findings as the reader left them: a stored change the reader undid is not offered again', () => {
    expect(offered()).toContain('Your changes in the stored report (version 1): L3/L4 Pfirrmann grade V.');
    const undone = applyReaderEdit(v1, 'L3/L4', 'pfirrmannGrade', 3);
    expect(offered(undone)).toBe('');
    expect(offered(applyReaderEdit(undone, 'L4/L5', 'pfirrmannGrade', 4))).toContain('Your changes in the stored report (version 1, changed and not saved yet): L4/L5 Pfirrmann grade IV.');
    expect(offered(applyReaderEdit(undone, 'L4/L5', 'pfirrmannGrade', 4))).not.toContain('L3/L4');
  });
});

describe('unsaved changes to an earlier stored version, offered for a newer version stored since', () => {
  const sr1 = { studyInstanceUid: '1', seriesInstanceUid: 'sr1', sopInstanceUid: 'sr1.1' };
  // Version 1 as stored: the reader had set L3/L4 to V. The unsaved draft adds L4/L5 IV on top of it.
  const v1 = { ...applyReaderEdit(fresh, 'L3/L4', 'pfirrmannGrade', 5), fromStoredSr: sr1 };
  const draft = applyReaderEdit(v1, 'L4/L5', 'pfirrmannGrade', 4);

  it('offers only the changes made since that version, so the newer version\'s own choices stay, and names no SR', () => {
    // Version 2 (another reader) set L3/L4 back to II on purpose.
    const v2 = applyReaderEdit(fresh, 'L3/L4', 'pfirrmannGrade', 2);
    const since = changesSince(draft, v1);
    expect(since.fromStoredSr).toBeUndefined();
    const pending = pendingStoredChanges(v2, since);
    expect(pendingChangeTexts(pending)).toEqual(['L4/L5 Pfirrmann grade IV']);
    const after = applyStoredChanges(v2, pending);
    expect(after.levels.map((l) => l.pfirrmannGrade.value)).toEqual([2, 4, 3]);
    expect(after.fromStoredSr).toBeUndefined();
    // Offered as the whole draft, the old L3/L4 V would undo version 2's change.
    expect(pendingChangeTexts(pendingStoredChanges(v2, draft))).toEqual(['L3/L4 Pfirrmann grade V', 'L4/L5 Pfirrmann grade IV']);
  });

  it('carries a renaming made since that version, with the grade set after it on the same disc', () => {
    const renamed = applyReaderEdit(shiftLevels(v1, 1), 'L5/S1', 'centralCanalStenosis', 'severe'); // the disc v1 calls L4/L5
    const pending = pendingStoredChanges(fresh, changesSince(renamed, v1));
    expect(pending.shift).toBe(1);
    // L3/L4 V was v1's own change (now named L4/L5): not offered again.
    expect(pendingChangeTexts(pending)).toEqual(['level names shifted down by 1', 'L5/S1 Central canal stenosis severe']);
    // Names as version 1 had them, set by a reader there, count as given: no shift offered.
    const namedInV1 = shiftLevels(fresh, 1);
    expect(pendingStoredChanges(namedInV1, changesSince(applyReaderEdit(namedInV1, 'L5/S1', 'pfirrmannGrade', 2), namedInV1)).shift).toBe(0);
  });

  it('carries a change of that version the reader undid: the software\'s value set again, and names set back', () => {
    // The draft sets v1's L3/L4 V back to the software's III; version 2 holds v1's changes and one of its own.
    const v2 = applyReaderEdit(applyReaderEdit(fresh, 'L3/L4', 'pfirrmannGrade', 5), 'L5/S1', 'discNarrowing', true);
    const pending = pendingStoredChanges(v2, changesSince(applyReaderEdit(v1, 'L3/L4', 'pfirrmannGrade', 3), v1));
    expect(pendingChangeTexts(pending)).toEqual(['L3/L4 Pfirrmann grade III (the software\'s value again)']);
    const after = applyStoredChanges(v2, pending);
    expect(after.levels[0].pfirrmannGrade).toMatchObject({ value: 3, readerModified: false });
    expect(after.levels[2].discNarrowing).toMatchObject({ value: true, readerModified: true });
    expect(hasPendingChanges(pendingStoredChanges(after, changesSince(applyReaderEdit(v1, 'L3/L4', 'pfirrmannGrade', 3), v1)))).toBe(false);

    // Version 1 had the names one lower; the draft sets them back and grades the middle disc (software's L4/L5) V.
    const named = { ...shiftLevels(fresh, 1), fromStoredSr: sr1 };
    const since = changesSince(applyReaderEdit(shiftLevels(named, -1), 'L4/L5', 'pfirrmannGrade', 5), named);
    const v2Named = shiftLevels(fresh, 1);
    expect(carryOverRefusal(v2Named, since)).toBeNull();
    const back = pendingStoredChanges(v2Named, since);
    expect(pendingChangeTexts(back)).toEqual(['level names set back to the software\'s, shifted up by 1', 'L4/L5 Pfirrmann grade V']);
    const applied = applyStoredChanges(v2Named, back);
    expect(applied.levels.map((l) => `${l.level} ${l.pfirrmannGrade.value}`)).toEqual(['L3/L4 3', 'L4/L5 5', 'L5/S1 3']);
    expect(applied.levels[1].discSegmentNumber).toBe(2); // the disc the reader graded
    expect(applied.levelNaming.note).toBe('software note');
    expect(hasPendingChanges(pendingStoredChanges(applied, since))).toBe(false);
  });

  it('is dropped only where the newer version holds every change made since that version (nothing left to offer)', () => {
    // Version 2 holds v1's L3/L4 V and the draft's L4/L5 IV (made again by hand, or by another reader).
    const v2Same = applyReaderEdit(v1, 'L4/L5', 'pfirrmannGrade', 4);
    expect(newerVersionHoldsDraft(v2Same, 2, draft, v1, false)).toBe(true);
    // Another reader set L3/L4 back on version 2: the draft's own change L4/L5 IV is still held, so nothing to offer.
    expect(newerVersionHoldsDraft(applyReaderEdit(v2Same, 'L3/L4', 'pfirrmannGrade', 2), 2, draft, v1, false)).toBe(true);
    // Kept where something is left to offer, or said: L4/L5 not IV on version 2, outlines the draft corrected, names that differ.
    expect(newerVersionHoldsDraft(v1, 2, draft, v1, false)).toBe(false);
    expect(newerVersionHoldsDraft(v2Same, 2, draft, v1, true)).toBe(false);
    expect(newerVersionHoldsDraft(shiftLevels(v2Same, 1), 2, draft, v1, false)).toBe(false);
  });

  it('is refused where the newer version names the levels otherwise, and the offer says why', () => {
    expect(newerVersionRefusal(fresh, 2, v1)).toBeNull();
    const refusal = newerVersionRefusal(shiftLevels(fresh, 1), 2, v1);
    expect(refusal).toBe('version 2 names the levels otherwise, so a level name in them may not mean the same disc');
    const html = renderToStaticMarkup(createElement(CarryOverOffer, {
      report: shiftLevels(fresh, 1), onApply: () => undefined,
      candidates: [{ report: changesSince(draft, v1), what: 'the stored findings (version 1)', refusal: refusal!, onDiscard: () => undefined }],
    }));
    expect(html).toContain('Your changes in the stored findings (version 1) are not carried over: version 2 names the levels otherwise');
    expect(html).toContain('Discard them');
    expect(html).not.toContain('Apply them');
  });
});
