/** The reader's changes kept in the browser's IndexedDB as they are made (fake-indexeddb here; Chromium in the e2e). */
import 'fake-indexeddb/auto';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { analysisDraftKey, dropReaderDraft, keepReaderDraft, readerDraft, storedEditsDraftKey, storedEditsDraftsOf } from '../../extension/src/store/reader-drafts';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { CarryOverOffer } from '../../extension/src/panel/CarryOverOffer';
import { whoseChanges } from '../../extension/src/panel/useKeptDraft';
import { makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';
import { keepOutlines } from '../../extension/src/store/kept-outlines';
import { outlinedSegments } from '../../extension/src/pipeline/edited-outlines';

const v = makeVolume();
const report = makeReport(v, makeLabelmap(v));
const level = report.levels[0].level;
const key = analysisDraftKey(report.seriesInstanceUid);

describe('reader drafts', () => {
  afterEach(() => dropReaderDraft(key));

  it('keeps a report under its key with the time of the change; nothing to keep drops it', async () => {
    const changed = applyReaderEdit(report, level, 'pfirrmannGrade', report.levels[0].pfirrmannGrade.value === 5 ? 4 : 5);
    await keepReaderDraft(key, changed, { now: new Date('2026-12-05T18:42:00Z') });
    expect(await readerDraft(key)).toEqual({ report: changed, keptAt: '2026-12-05T18:42:00.000Z' });
    await keepReaderDraft(key, changed, { reader: 'Doe^Jane' });
    expect((await readerDraft(key))?.reader).toBe('Doe^Jane');
    expect(await readerDraft('sr:1.2.3')).toBeUndefined(); // another key, another draft
    await keepReaderDraft(key, undefined);
    expect(await readerDraft(key)).toBeUndefined();
  });

  it('a save drops the draft only when it says what was saved: a change made while the save was on its way stays', async () => {
    const saved = applyReaderEdit(report, level, 'centralCanalStenosis', 'severe');
    const later = applyReaderEdit(saved, level, 'discNarrowing', true);
    await keepReaderDraft(key, later);
    await dropReaderDraft(key, saved);
    expect((await readerDraft(key))?.report).toEqual(later);
    await keepReaderDraft(key, saved);
    await dropReaderDraft(key, saved);
    expect(await readerDraft(key)).toBeUndefined();
  });

  it('says whose the kept changes are where OHIF knew the reader and another is signed in now (a shared workstation)', () => {
    const d = { report, keptAt: '2026-12-05T18:42:00.000Z' };
    expect(whoseChanges(d, 'Roe^Richard')).toBe('Your changes'); // no reader known: nothing to tell apart
    expect(whoseChanges({ ...d, reader: 'Doe^Jane' }, 'Doe^Jane')).toBe('Your changes');
    expect(whoseChanges({ ...d, reader: 'Doe^Jane' }, 'Roe^Richard')).toBe('Changes by Jane Doe');
    expect(whoseChanges({ ...d, reader: 'Doe^Jane' }, undefined)).toBe('Changes by Jane Doe');
    const offer = renderToStaticMarkup(createElement(CarryOverOffer, {
      report, onApply: () => undefined,
      candidates: [{ report: applyReaderEdit(report, level, 'discNarrowing', true), what: 'the analysis of 5 Dec, kept in this browser', whose: 'Changes by Jane Doe', onDiscard: () => undefined }],
    }));
    expect(offer).toContain('Changes by Jane Doe in the analysis of 5 Dec, kept in this browser: ');
    expect(offer).toContain('Discard them');
  });

  it('keeps the outlines the reader corrected with the changes, and offers to restore them or says why it cannot', async () => {
    const corrected = { ...report, segments: report.segments.map((x) => (x.label === 'L4/L5 disc' ? { ...x, outlineCorrected: true as const } : x)) };
    const outlines = keepOutlines(makeLabelmap(v), outlinedSegments(corrected.segments));
    await keepReaderDraft(key, corrected, { outlines });
    const back = (await readerDraft(key))?.outlines;
    expect(back?.dims).toEqual(outlines.dims);
    expect(Array.from(back?.runs ?? [])).toEqual(Array.from(outlines.runs));
    const offer = (extra: object) => renderToStaticMarkup(createElement(CarryOverOffer, {
      report, onApply: () => undefined, candidates: [{ report: corrected, what: 'the analysis of 5 Dec, kept in this browser', ...extra }],
    }));
    // Outlines alone are worth offering: no grade was changed.
    expect(offer({ correctedOutlines: ['L4/L5 disc'], apply: () => undefined })).toContain('Your changes in the analysis of 5 Dec, kept in this browser: outlines corrected: L4/L5 disc.');
    expect(offer({ outlinesNotRestored: 'they were drawn on 1×1×1 voxels' })).toContain('Outlines you corrected are not restored: they were drawn on 1×1×1 voxels.');
    expect(offer({})).toBe('');
  });

  it('keeps changes to a stored report under that SR, so that they are known as changes to that version', () => {
    const stored = { ...report, fromStoredSr: { studyInstanceUid: '1', seriesInstanceUid: '2', sopInstanceUid: '2.5' } };
    expect(storedEditsDraftKey(stored)).toBe('sr:2.5');
    expect(storedEditsDraftKey(report)).toBeUndefined();
  });

  it('lists the changes kept to any stored version of a study, newest first, for a newer version to offer', async () => {
    const version = (n: number) => ({ ...report, fromStoredSr: { studyInstanceUid: report.studyInstanceUid, seriesInstanceUid: `sr${n}`, sopInstanceUid: `sr${n}.1` } });
    const otherStudy = { ...version(9), studyInstanceUid: 'another study' };
    await keepReaderDraft('sr:sr1.1', version(1), { now: new Date('2026-12-06T10:00:00Z') });
    await keepReaderDraft('sr:sr2.1', version(2), { now: new Date('2026-12-06T11:00:00Z') });
    await keepReaderDraft('sr:sr9.1', otherStudy);
    await keepReaderDraft(key, report); // changes to an analysis of the study's series
    try {
      expect((await storedEditsDraftsOf(report.studyInstanceUid)).map((d) => d.key)).toEqual(['sr:sr2.1', 'sr:sr1.1']); // the analysis draft (key) is not one
      expect(await storedEditsDraftsOf('no such study')).toEqual([]);
    } finally {
      await Promise.all(['sr:sr1.1', 'sr:sr2.1', 'sr:sr9.1'].map((k) => dropReaderDraft(k)));
    }
  });
});
