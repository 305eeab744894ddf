import 'fake-indexeddb/auto';
import { MemoryPendingStore, listPending, type PendingStore } from '../../extension/src/store/pending';
import { IdbPendingStore } from '../../extension/src/store/pending-idb';
import { buildRevision, nextVersion, retryPending, saveRevisionToPacs, saveToPacs, type Stow } from '../../extension/src/store/save';
import { readSr, srSegSeries, srSegmentReferences } from '../../extension/src/dicom/sr-read';
import { latestStoredReport, segReferredTo } from '../../extension/src/store/stored-result';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { shiftLevels, withSoftwareLevels } from '../../extension/src/panel/readerEdits';
import { SaveToPacsError, describeStowError } from '../../extension/src/store/stow-error';
import { fromPart10, newUid } from '../../extension/src/dicom/uids';
import { PATIENT, dciodvfy, dsrdump, hasDciodvfy, hasDsrdump, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

const v = makeVolume();
const lm = makeLabelmap(v);
const report = makeReport(v, lm);
const input = { report, labelmap: lm, sourceVolume: v, patientStudy: PATIENT };

/** A STOW that records what it got and fails on chosen calls. */
function fakeStow(failOn: (call: number, ds: any) => unknown | undefined) {
  const sent: ArrayBuffer[] = [];
  let call = 0;
  const stow: Stow = async (buffers) => {
    call++;
    for (const b of buffers) {
      const err = failOn(call, fromPart10(b));
      if (err) throw err;
      sent.push(b);
    }
  };
  return { stow, sent };
}

for (const [name, make] of [['memory', () => new MemoryPendingStore()], ['IndexedDB (fake-indexeddb)', () => new IdbPendingStore(`t-${Math.random()}`)]] as [string, () => PendingStore][]) {
  describe(`saveToPacs with ${name} pending store`, () => {
    it('keeps the result pending before sending, sends SEG then SR, and removes it on success', async () => {
      const pending = make();
      let pendingWhileSending = -1;
      const order: string[] = [];
      const stow: Stow = async (buffers) => {
        pendingWhileSending = (await listPending(pending, v.studyInstanceUid)).length;
        order.push(...buffers.map((b) => fromPart10(b).Modality));
      };
      const r = await saveToPacs(input, stow, pending, { version: 1 });
      expect(pendingWhileSending).toBe(1);
      expect(order).toEqual(['SEG', 'SR']);
      expect(await pending.list()).toEqual([]);
      expect(fromPart10(r.seg).SeriesDescription).toBe('Spine MRI SEG v1');
    });

    it('on failure says what failed, keeps it pending, and a retry sends the same bytes once', async () => {
      const pending = make();
      const down = fakeStow((_c, ds) => (ds.Modality === 'SR' ? Object.assign(new Error('request failed'), { status: 0 }) : undefined));
      const err = await saveToPacs(input, down.stow, pending).catch((e) => e);
      expect(err).toBeInstanceOf(SaveToPacsError);
      expect(err.message).toMatch(/storing the SR: the PACS is unreachable/);
      expect(down.sent.map((b) => fromPart10(b).Modality)).toEqual(['SEG']);
      const left = await listPending(pending, v.studyInstanceUid);
      expect(left).toHaveLength(1);
      expect(left[0].segStored).toBe(true);
      expect(left[0].lastError).toMatch(/unreachable/);

      const up = fakeStow(() => undefined);
      const done = await retryPending(left[0].id, up.stow, pending);
      expect(up.sent.map((b) => fromPart10(b).Modality)).toEqual(['SR']); // SEG not sent twice
      expect(Buffer.from(up.sent[0]).equals(Buffer.from(left[0].sr))).toBe(true);
      expect(fromPart10(up.sent[0]).SOPInstanceUID).toBe(done.srSopInstanceUid);
      expect(await pending.list()).toEqual([]);
      await expect(retryPending(left[0].id, up.stow, pending)).rejects.toThrow(/no pending result/);
    });

    it('reports the HTTP status and Orthanc\'s message', async () => {
      const pending = make();
      const bad = fakeStow(() => Object.assign(new Error('request failed'), { status: 400, response: '{"HttpError":"Bad Request","Message":"Bad file format"}' }));
      await expect(saveToPacs(input, bad.stow, pending)).rejects.toThrow(/storing the SEG: the PACS answered HTTP 400: Bad file format/);
      expect((await pending.list())[0].segStored).toBe(false);
    });
  });
}

describe('new UIDs', () => {
  it('are 2.25 UIDs from time-ordered UUIDs: one made later sorts after as a string (OHIF lists the newest version first)', () => {
    const at = (iso: string) => newUid(Date.parse(iso));
    for (const t of ['1997-01-01T00:00:00Z', '2026-12-07T03:00:00Z', '2231-12-31T00:00:00Z']) {
      const uid = at(t);
      expect(uid).toMatch(/^2\.25\.[1-9]\d{36}$/); // 37 digits: equal length, so string order is numeric order
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(BigInt(uid.slice(5)) >> 80n).toBe(BigInt(Date.parse(t))); // the time, in ms, in its first 48 bits
    }
    const times = ['2026-12-07T03:00:00.000Z', '2026-12-07T03:00:00.001Z', '2026-12-07T03:05:00Z', '2027-01-01T00:00:00Z'];
    const uids = times.map(at);
    expect([...uids].sort()).toEqual(uids);
    expect(new Set(Array.from({ length: 100 }, () => newUid(0))).size).toBe(100); // the rest random
  });
});

describe('versions', () => {
  it('a save after edits is a new version with new series UIDs', async () => {
    const pending = new MemoryPendingStore();
    const ok: Stow = async () => undefined;
    const a = await saveToPacs(input, ok, pending, { version: 1 });
    const b = await saveToPacs(input, ok, pending, { version: nextVersion(['Spine MRI SEG v1', 'Spine MRI Report v1', 'SAG T2']) });
    expect(b.version).toBe(2);
    expect(b.segSeriesInstanceUid).not.toBe(a.segSeriesInstanceUid);
    expect(b.srSeriesInstanceUid).not.toBe(a.srSeriesInstanceUid);
    expect(fromPart10(b.sr).SeriesDescription).toBe('Spine MRI Report v2');
    expect(fromPart10(b.seg).SeriesNumber).not.toBe(fromPart10(a.seg).SeriesNumber);
    expect(nextVersion([])).toBe(1);
  });

  it('a revision of stored findings whose grades changed: an SR of the changed report referring to the stored SEG as it is, which is not stored again', async () => {
    const v1 = await saveToPacs(input, async () => undefined, new MemoryPendingStore(), { version: 1 });
    // What the viewer holds after reopening the study: the report read back from the stored SR, changed by the reader.
    const stored = readSr(v1.sr);
    const level = stored.levels[0].level;
    const changed = applyReaderEdit(stored, level, 'pfirrmannGrade', 5);
    const sent: string[] = [];
    const pending = new MemoryPendingStore();
    const r = await saveRevisionToPacs({ report: changed, storedSeg: v1.seg }, async (b) => { sent.push(...b.map((x) => fromPart10(x).Modality)); }, pending, { version: 2 });
    expect(sent).toEqual(['SR']);
    expect(await pending.list()).toEqual([]);
    const [seg1, sr2] = [fromPart10(v1.seg), fromPart10(r.sr)];
    expect(r).toMatchObject({ version: 2, segStored: true, reusedSeg: { version: 1 }, segSeriesInstanceUid: seg1.SeriesInstanceUID, segSopInstanceUid: seg1.SOPInstanceUID });
    expect(r.seg.byteLength).toBe(0); // nothing of the SEG is kept pending
    expect(sr2.SeriesDescription).toBe('Spine MRI Report v2');
    expect(sr2.PatientID).toBe(PATIENT.PatientID);
    const evidence = sr2.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence;
    expect(evidence.map((x: any) => x.SeriesInstanceUID)).toEqual(expect.arrayContaining([v.seriesInstanceUid, seg1.SeriesInstanceUID]));
    expect(srSegSeries(r.sr)).toBe(seg1.SeriesInstanceUID);
    // How the loader finds it: version 2 has no SEG of its own, so the SEG its SR refers to, where the study holds it.
    const study = [{ seriesInstanceUid: seg1.SeriesInstanceUID, modality: 'SEG', description: 'Spine MRI SEG v1' }, { seriesInstanceUid: sr2.SeriesInstanceUID, modality: 'SR', description: 'Spine MRI Report v2' }];
    expect(latestStoredReport(study)).toEqual({ version: 2, srSeriesInstanceUid: sr2.SeriesInstanceUID });
    expect(segReferredTo(r.sr, study)).toEqual({ segSeriesInstanceUid: seg1.SeriesInstanceUID, segVersion: 1 });
    expect(segReferredTo(r.sr, study.slice(1))).toEqual({ missingSegSeriesInstanceUid: seg1.SeriesInstanceUID }); // deleted from the PACS: named
    expect(srSegmentReferences(r.sr).every((x) => x.segSopInstanceUid === seg1.SOPInstanceUID)).toBe(true);
    // Version 2 names version 1's SR as its predecessor (PS3.3 C.17.2); version 1, a new analysis, names none.
    const sr1 = fromPart10(v1.sr);
    expect(sr1.PredecessorDocumentsSequence).toBeUndefined();
    const predecessors = sr2.PredecessorDocumentsSequence;
    expect(predecessors).toHaveLength(1);
    expect(predecessors[0]).toMatchObject({
      StudyInstanceUID: sr1.StudyInstanceUID,
      ReferencedSeriesSequence: [{ SeriesInstanceUID: sr1.SeriesInstanceUID, ReferencedSOPSequence: [{ ReferencedSOPClassUID: sr1.SOPClassUID, ReferencedSOPInstanceUID: sr1.SOPInstanceUID }] }],
    });
    const back = readSr(r.sr);
    expect(back.fromStoredSr).toEqual({ studyInstanceUid: sr2.StudyInstanceUID, seriesInstanceUid: sr2.SeriesInstanceUID, sopInstanceUid: sr2.SOPInstanceUID });
    expect(back.levels[0].pfirrmannGrade).toMatchObject({ value: 5, readerModified: true, automaticValue: stored.levels[0].pfirrmannGrade.value });
    expect(back.levels.slice(1)).toEqual(stored.levels.slice(1));
    if (hasDciodvfy) expect(dciodvfy(r.sr).errors).toEqual([]);
    if (hasDsrdump) expect(dsrdump(r.sr)).toEqual({ ok: true, problems: [] }); // DCMTK reads the revision's document, predecessor included
    expect(() => buildRevision({ report: changed, storedSeg: v1.sr })).toThrow(/not a Segmentation/);
  });

  it('a revision with the levels renamed by the reader: a copy of the stored SEG as the new version\'s (new UIDs, same pixels), its segments renamed (label, codes, SEMIAUTOMATIC)', async () => {
    const v1 = await saveToPacs(input, async () => undefined, new MemoryPendingStore(), { version: 1 });
    // The viewer gives the stored report the stored SEG's segments before a shift (StoredResults).
    const stored = { ...readSr(v1.sr), segments: report.segments };
    const shifted = shiftLevels(stored, 1);
    const r = buildRevision({ report: shifted, storedSeg: v1.seg }, { version: 2 });
    const [seg1, seg2] = [fromPart10(v1.seg), fromPart10(r.seg)];
    expect(r.reusedSeg).toBeUndefined();
    expect(seg2.SeriesDescription).toBe('Spine MRI SEG v2');
    expect(seg2.SeriesInstanceUID).not.toBe(seg1.SeriesInstanceUID);
    expect(seg2.SOPInstanceUID).not.toBe(seg1.SOPInstanceUID);
    expect(seg2.ReferencedSeriesSequence).toEqual(seg1.ReferencedSeriesSequence);
    expect([seg2.PatientName, seg2.PatientID, seg2.StudyInstanceUID]).toEqual([seg1.PatientName, seg1.PatientID, seg1.StudyInstanceUID]);
    expect(srSegSeries(r.sr)).toBe(seg2.SeriesInstanceUID);
    const item = (seg: any, n: number) => seg.SegmentSequence.find((x: any) => x.SegmentNumber === n);
    const body = report.segments.find((x) => x.kind === 'vertebral_body')!;
    const renamed = shifted.segments.find((x) => x.segmentNumber === body.segmentNumber)!;
    expect(renamed.level).not.toBe(body.level);
    expect(item(seg2, body.segmentNumber)).toMatchObject({ SegmentLabel: `${renamed.level} vertebral body`, SegmentAlgorithmType: 'SEMIAUTOMATIC', TrackingUID: item(seg1, body.segmentNumber).TrackingUID });
    expect(item(seg2, body.segmentNumber).AnatomicRegionSequence[0].CodeMeaning).not.toBe(item(seg1, body.segmentNumber).AnatomicRegionSequence[0].CodeMeaning);
    expect(new Uint8Array(seg2.PixelData[0] ?? seg2.PixelData)).toEqual(new Uint8Array(seg1.PixelData[0] ?? seg1.PixelData));
    expect(readSr(r.sr).levels.map((l) => l.level)).toEqual(shifted.levels.map((l) => l.level));
    if (hasDciodvfy) expect(dciodvfy(r.seg).errors).toEqual([]);

    // Reopened, version 2 is renamed again (back to the software's names) and saved as version 3: the SR kept the
    // shift, so the software's names are known although the SEG keeps only the reader's (SEMIAUTOMATIC, no automaticLevel).
    const v2 = readSr(r.sr);
    expect(v2.levelNaming.automatic).toEqual({ shift: 1, certain: report.levelNaming.certain, note: report.levelNaming.note });
    const fromSeg = shifted.segments.map(({ automaticLevel: _software, ...s }) => s);
    const segments = withSoftwareLevels(fromSeg, v2.levelNaming);
    expect(segments.map((s) => s.automaticLevel)).toEqual(report.segments.map((s) => (s.level ? s.level : undefined)));
    const back = shiftLevels({ ...v2, segments }, -1);
    expect(back.segments.map((s) => s.level)).toEqual(report.segments.map((s) => s.level));
    expect(back.segments.some((s) => s.readerModified)).toBe(false);
    expect(back.levelNaming).toEqual(report.levelNaming);
    const v3 = buildRevision({ report: back, storedSeg: r.seg }, { version: 3 });
    expect(item(fromPart10(v3.seg), body.segmentNumber)).toMatchObject({ SegmentLabel: body.label, SegmentAlgorithmType: 'AUTOMATIC' });
    expect(readSr(v3.sr).levelNaming).toEqual(report.levelNaming);
    if (hasDciodvfy) expect(dciodvfy(r.sr).errors).toEqual([]); // with the software's naming item
  });

  it('describes network errors from fetch too', () => {
    expect(describeStowError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toMatch(/unreachable \(ECONNREFUSED\)/);
  });
});
