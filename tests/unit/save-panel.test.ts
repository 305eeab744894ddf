/**
 * Save to PACS, viewer side, without a browser: the STOW over OHIF's data source (FailedSOPSequence is a
 * failure), which stored SR the panel reloads, the "already saved" fingerprint, and the failure text.
 */
import { dataSourceStow, failedInstanceCount, type OhifDicomWebDataSource } from '../../extension/src/ohif/dataSourceStow';
import { latestStoredReport, newerStoredReport } from '../../extension/src/store/stored-result';
import { analysisSupersededMessage, reportFingerprint, saveFailureMessage, supersededMessage } from '../../extension/src/panel/useSave';
import { applyReaderEdit, sameReportContent } from '../../extension/src/pipeline/reader-edit';
import { writeSeg } from '../../extension/src/dicom/seg';
import { writeSr } from '../../extension/src/dicom/sr';
import { readSr } from '../../extension/src/dicom/sr-read';
import { SaveToPacsError, describeStowError } from '../../extension/src/store/stow-error';
import { PATIENT, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

/** Minimal XMLHttpRequest: dataSourceStow creates one and reads responseText after store.dicom. */
class FakeXhr {
  responseText = '';
}

describe('dataSourceStow', () => {
  const g = globalThis as { XMLHttpRequest?: unknown };
  const saved = g.XMLHttpRequest;
  beforeAll(() => {
    g.XMLHttpRequest = FakeXhr;
  });
  afterAll(() => {
    g.XMLHttpRequest = saved;
  });

  function source(answer: (req: FakeXhr, n: number) => void): { ds: OhifDicomWebDataSource; sent: ArrayBuffer[] } {
    const sent: ArrayBuffer[] = [];
    const ds: OhifDicomWebDataSource = {
      store: {
        dicom: async (buf, req) => {
          sent.push(buf);
          answer(req as unknown as FakeXhr, sent.length);
        },
      },
      query: { series: { search: async () => [] } },
    };
    return { ds, sent };
  }

  it('sends each object in its own STOW, in order', async () => {
    const { ds, sent } = source(() => undefined);
    const a = new ArrayBuffer(4);
    const b = new ArrayBuffer(8);
    await dataSourceStow(ds)([a, b]);
    expect(sent).toEqual([a, b]);
  });

  it('treats a response listing FailedSOPSequence as a failure (HTTP 409 with the reason)', async () => {
    const body = JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [272] } }] } });
    const { ds } = source((req) => {
      req.responseText = body;
    });
    const err = await dataSourceStow(ds)([new ArrayBuffer(2)]).catch((e) => e);
    expect(err).toMatchObject({ status: 409 });
    expect(describeStowError(err)).toMatch(/^the PACS answered HTTP 409/);
  });

  it('passes dicomweb-client errors through (status 0 = unreachable)', async () => {
    const ds: OhifDicomWebDataSource = {
      store: { dicom: async () => Promise.reject(Object.assign(new Error('request failed'), { status: 0 })) },
      query: { series: { search: async () => [] } },
    };
    const err = await dataSourceStow(ds)([new ArrayBuffer(2)]).catch((e) => e);
    expect(describeStowError(err)).toMatch(/unreachable/);
  });

  it('counts failed instances only in a JSON body', () => {
    expect(failedInstanceCount('')).toBe(0);
    expect(failedInstanceCount('<html>')).toBe(0);
    expect(failedInstanceCount('{"00081199":{"vr":"SQ","Value":[{}]}}')).toBe(0);
    expect(failedInstanceCount('{"00081198":{"vr":"SQ","Value":[{},{}]}}')).toBe(2);
  });
});

describe('latestStoredReport', () => {
  const row = (modality: string, description: string, uid: string) => ({ studyInstanceUid: '1.2', seriesInstanceUid: uid, modality, description });

  it('picks the highest SR version and the SEG of that same version', () => {
    const ref = latestStoredReport([
      row('MR', 'SAG T2', '1'),
      row('SEG', 'Spine MRI SEG v1', 's1'),
      row('SR', 'Spine MRI Report v1', 'r1'),
      row('SEG', 'Spine MRI SEG v2', 's2'),
      row('SR', 'Spine MRI Report v2', 'r2'),
      row('SEG', 'Spine MRI SEG v3', 's3'), // SEG stored, SR not (yet): not a finished result
    ]);
    expect(ref).toEqual({ version: 2, srSeriesInstanceUid: 'r2', segSeriesInstanceUid: 's2' });
  });

  it('ignores other SRs and returns undefined when the study has none of ours', () => {
    expect(latestStoredReport([row('SR', 'Radiologist report', 'x'), row('MR', 'Spine MRI Report v1', 'y')])).toBeUndefined();
    // analyze:pacs's QIDO rows may lack a Modality: the description decides.
    expect(latestStoredReport([{ seriesInstanceUid: 'r4', description: 'Spine MRI Report v4' }, { seriesInstanceUid: 's4', description: 'Spine MRI SEG v4' }]))
      .toEqual({ version: 4, srSeriesInstanceUid: 'r4', segSeriesInstanceUid: 's4' });
  });

  it('finds a version stored after the one the reader opened, and says what saving over it means', () => {
    const study = [row('SR', 'Spine MRI Report v1', 'r1'), row('SEG', 'Spine MRI SEG v1', 's1'), row('SR', 'Spine MRI Report v2', 'r2'), row('SEG', 'Spine MRI SEG v2', 's2')];
    expect(newerStoredReport(study, 1)).toEqual({ version: 2, srSeriesInstanceUid: 'r2', segSeriesInstanceUid: 's2' });
    expect(newerStoredReport(study, 2)).toBeUndefined();
    expect(newerStoredReport([], 1)).toBeUndefined();
    const text = supersededMessage(1, 2);
    expect(text).toMatch(/^Not saved: version 2 of these findings was stored after you opened version 1 /);
    expect(text).toContain('Saved now instead, your changes to version 1 become version 3, without the changes made in version 2.');
    expect(text).toContain('Open version 2 reloads the study with it and offers your changes, kept in this browser, to apply to it.');
    expect(text).toContain('open ‘Spine MRI Report v2’ from the study list');
    // A new analysis: against the newest version the page knew of, or none.
    expect(analysisSupersededMessage(2, 3)).toMatch(/^Not saved: version 3 of this study's findings was stored since \(version 2 was the newest this page knew of\)/);
    expect(analysisSupersededMessage(0, 1)).toContain('(the study held none when this page opened it)');
    expect(analysisSupersededMessage(0, 1)).toContain('Saved now, this analysis becomes version 2, the one the viewer opens, without the changes made in version 1');
  });
});

describe('reportFingerprint', () => {
  const v = makeVolume();
  const report = makeReport(v, makeLabelmap(v));

  it('ignores analysis time and run info, so the same result is "already saved"', () => {
    const again = { ...report, createdAt: '2030-01-01T00:00:00Z', run: { backend: 'other', seconds: 9 } };
    expect(reportFingerprint(again)).toBe(reportFingerprint(report));
  });

  it('changes when the reader changes a grade or a label', () => {
    const base = reportFingerprint(report);
    const regraded = structuredClone(report);
    regraded.levels[0].pfirrmannGrade = { ...regraded.levels[0].pfirrmannGrade, value: regraded.levels[0].pfirrmannGrade.value === 5 ? 4 : 5, readerModified: true };
    expect(reportFingerprint(regraded)).not.toBe(base);
    const relabelled = structuredClone(report);
    relabelled.segments[0] = { ...relabelled.segments[0], label: 'L3 vertebral body', readerModified: true };
    expect(reportFingerprint(relabelled)).not.toBe(base);
  });
});

describe('sameReportContent', () => {
  it('reads a stored report whose changes the reader undid as unchanged (nothing left to save), and a changed one as changed', () => {
    const v = makeVolume(), lm = makeLabelmap(v);
    const stored = readSr(writeSr(makeReport(v, lm), { seg: writeSeg(makeReport(v, lm), lm, v, { patientStudy: PATIENT }), sourceVolume: v }));
    const level = stored.levels.find((l) => !l.pfirrmannGrade.readerModified)!;
    const software = level.pfirrmannGrade.value!;
    const changed = applyReaderEdit(stored, level.level, 'pfirrmannGrade', software === 5 ? 4 : 5);
    expect(sameReportContent(changed, stored)).toBe(false);
    expect(sameReportContent(applyReaderEdit(changed, level.level, 'pfirrmannGrade', software), stored)).toBe(true);
  });
});

describe('saveFailureMessage', () => {
  it('says which object failed, that the PACS is down (gateway 502), what to do, and that nothing is lost', () => {
    const reason = describeStowError({ status: 502, response: '{"error":"DICOMweb server unreachable at http://127.0.0.1:1/dicom-web: connect ECONNREFUSED"}' });
    const msg = saveFailureMessage(new SaveToPacsError('SEG', reason, 'id-1'));
    expect(msg).toBe(
      'Saving failed while storing the SEG: the PACS is unreachable (HTTP 502 from the gateway). Check that the PACS is running and reachable, then press Retry. The unsaved result is kept in this browser.',
    );
  });

  it('keeps the PACS message for a refusal and points at the administrator', () => {
    const reason = describeStowError({ status: 400, response: '{"Message":"Bad file format"}' });
    const msg = saveFailureMessage(new SaveToPacsError('SR', reason, 'id-2'));
    expect(msg).toMatch(/^Saving failed while storing the SR: the PACS answered HTTP 400: Bad file format\. Press Retry; if it fails again/);
  });

  it('reports a build failure without promising a retry', () => {
    expect(saveFailureMessage(new Error('writeSeg: the labelmap contains none of the report\'s segments'))).toBe(
      "Could not build the SEG and SR: writeSeg: the labelmap contains none of the report's segments",
    );
  });
});
