/**
 * Save to PACS against a real Orthanc (Debian orthanc + orthanc-dicomweb): STOW source MR + SEG + SR
 * with dicomweb-client, QIDO lists them, WADO-RS returns the stored objects, and the fault path:
 * Orthanc down → clear error + result pending → Orthanc back on the same storage → retry stores it,
 * a second re-send of the same bytes duplicates nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';
import { dicomwebClient } from '../../scripts/lib/dicomweb';
import { MemoryPendingStore, listPending } from '../../extension/src/store/pending';
import { retryPending, saveToPacs, sendPending } from '../../extension/src/store/save';
import { dicomwebStow } from '../../extension/src/store/stow-dicomweb';
import { SaveToPacsError } from '../../extension/src/store/stow-error';
import { fromPart10 } from '../../extension/src/dicom/uids';
import { readSr } from '../../extension/src/dicom/sr-read';
import { PATIENT, makeLabelmap, makeReport, makeSourceInstances, makeVolume } from '../unit/dicom-fixtures';

const installed = orthancInstalled();
if (!installed.ok) console.log(`stow-orthanc: skipped, Orthanc not installed (missing ${installed.missing.join(', ')})`);
const d = installed.ok ? describe : describe.skip;

const MODALITY = '00080060';
const SERIES_UID = '0020000E';
const SOP_UID = '00080018';

d('STOW SEG + SR to a real Orthanc, with retry', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stow-orthanc-'));
  const user = 'spine';
  const password = randomBytes(12).toString('hex');
  let port = 0;
  let orthanc: RunningOrthanc | undefined;
  const v = makeVolume();
  const lm = makeLabelmap(v);
  const report = makeReport(v, lm);
  const input = { report, labelmap: lm, sourceVolume: v, patientStudy: PATIENT };
  const pending = new MemoryPendingStore();

  const start = async () => {
    orthanc = await startOrthanc({ dataDir, httpPort: port, user, password });
    return dicomwebClient({ url: orthanc.dicomwebUrl, authorization: orthanc.authorization });
  };

  beforeAll(async () => {
    port = await findFreePort();
  });
  afterAll(async () => {
    await orthanc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores, lists and returns the source series, SEG and SR; survives an outage with one retry and no duplicates', async () => {
    let client = await start();
    await client.storeInstances({ datasets: makeSourceInstances(v) });

    // Outage: Orthanc stopped → clear error, result kept pending.
    await orthanc!.stop();
    const err = await saveToPacs(input, dicomwebStow(client), pending, { version: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(SaveToPacsError);
    expect(err.message).toMatch(/storing the SEG: the PACS is unreachable/);
    const left = await listPending(pending, v.studyInstanceUid);
    expect(left).toHaveLength(1);

    // Orthanc back on the same storage → retry stores the same bytes.
    client = await start();
    const saved = await retryPending(left[0].id, dicomwebStow(client), pending);
    expect(await pending.list()).toEqual([]);
    // A second re-send of the very same objects (e.g. a retry after a lost response) must not duplicate.
    await sendPending({ ...saved, segStored: false }, dicomwebStow(client), new MemoryPendingStore());

    const series = (await client.searchForSeries({ studyInstanceUID: v.studyInstanceUid })) as any[];
    const modalities = series.map((s) => s[MODALITY].Value[0]).sort();
    expect(modalities).toEqual(['MR', 'SEG', 'SR']);
    for (const m of ['SEG', 'SR']) {
      const s = series.find((x) => x[MODALITY].Value[0] === m);
      const instances = (await client.searchForInstances({ studyInstanceUID: v.studyInstanceUid, seriesInstanceUID: s[SERIES_UID].Value[0] })) as any[];
      expect(instances).toHaveLength(1);
      expect(instances[0][SOP_UID].Value[0]).toBe(m === 'SEG' ? saved.segSopInstanceUid : saved.srSopInstanceUid);
    }

    // WADO-RS returns the Part 10 objects byte for byte.
    for (const [bytes, seriesUid, sopUid] of [
      [saved.seg, saved.segSeriesInstanceUid, saved.segSopInstanceUid],
      [saved.sr, saved.srSeriesInstanceUid, saved.srSopInstanceUid],
    ] as [ArrayBuffer, string, string][]) {
      const got = (await client.retrieveInstance({ studyInstanceUID: v.studyInstanceUid, seriesInstanceUID: seriesUid, sopInstanceUID: sopUid } as Parameters<typeof client.retrieveInstance>[0])) as ArrayBuffer | ArrayBuffer[];
      const buf = Array.isArray(got) ? got[0] : got;
      expect(Buffer.from(buf).equals(Buffer.from(bytes))).toBe(true);
    }
    const back = readSr(saved.sr);
    expect(back.levels.map((l) => l.level)).toEqual(report.levels.map((l) => l.level));
    expect(fromPart10(saved.seg).SeriesDescription).toBe('Spine MRI SEG v1');
  });
});
