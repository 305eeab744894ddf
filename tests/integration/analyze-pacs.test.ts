/** @jest-environment ./tests/helpers/ort-node-environment.cjs */
/**
 * `npm run analyze:pacs` against a real Orthanc (Debian orthanc + orthanc-dicomweb) holding real research volumes:
 * a study with a sagittal T2 and an axial T2 is analysed headless and its SEG + SR stored as the viewer stores them;
 * a study with only an axial series is reported "not analysed"; the next run skips the analysed study and fails an
 * unknown one (the CLI's exit code); --redo writes v2, and when the PACS refuses it the files stay on disk and
 * `npm run import` stores them later; --redo carries a reader's changes in the stored version into the next, and skips
 * a study whose changes it cannot carry (unless --discard-reader-changes). Skips with a message when Orthanc or ../shared/data is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { analyzePacs, listMrStudies, summarize } from '../../scripts/analyze-pacs';
import { importPaths, storeInstances } from '../../scripts/import';
import { dicomwebClient } from '../../scripts/lib/dicomweb';
import { niftiAxialReformatSeries } from '../../scripts/lib/sources';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';
import { readSr, srSegSeries } from '../../extension/src/dicom/sr-read';
import type { SpineReport } from '../../extension/src/pipeline/report';
import { MEASUREMENT } from '../../extension/src/dicom/codes';
import { buildSegDataset } from '../../extension/src/dicom/seg';
import { patientStudyElements, patientStudyFrom } from '../../extension/src/dicom/patient-study';
import { fromPart10, newUid, toPart10 } from '../../extension/src/dicom/uids';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { MemoryPendingStore } from '../../extension/src/store/pending';
import { saveRevisionToPacs } from '../../extension/src/store/save';
import { dicomwebStow } from '../../extension/src/store/stow-dicomweb';
import { dciodvfy, dsrdump, earlierBuildsBinarySeg, hasDciodvfy, hasDsrdump, makeLabelmap, makeReport, makeVolume } from '../unit/dicom-fixtures';

const root = resolve(__dirname, '../..');
const data = resolve(root, '../shared/data');
const hasOrthanc = orthancInstalled().ok;
const hasData = existsSync(join(data, 'segmentation'));
if (!hasOrthanc) console.warn(`analyze-pacs skipped: ${orthancInstalled().missing.join(', ')} missing (apt-get install orthanc orthanc-dicomweb)`);
else if (!hasData) console.warn(`analyze-pacs skipped: ${data}/segmentation is absent (real research data is not in the repository)`);
const d = hasOrthanc && hasData ? describe : describe.skip;

type Json = Record<string, { Value?: unknown[] }>;
const val = (ds: Json, tag: string) => String(ds[tag]?.Value?.[0] ?? '');

d('headless analysis of PACS studies over DICOMweb', () => {
  let orthanc: RunningOrthanc;
  let tmp: string;
  const target = () => ({ url: orthanc.dicomwebUrl, authorization: orthanc.authorization });
  const password = `pw-${Date.now()}`;
  let spineStudy = '';
  let axialOnlyStudy = '';

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'analyze-pacs-'));
    orthanc = await startOrthanc({ dataDir: join(tmp, 'orthanc'), httpPort: await findFreePort(), user: 'admin', password });
    const log = () => undefined;
    spineStudy = (await importPaths([join(data, 'segmentation/vb2_02_image.nii.gz')], target(), { axialReformat: true, log })).studyInstanceUids[0];
    const axial = niftiAxialReformatSeries(join(data, 'segmentation/vb2_05_image.nii.gz'));
    await storeInstances(target(), axial.instances, axial.source);
    axialOnlyStudy = axial.studyInstanceUid;
  }, 120_000);
  afterAll(async () => {
    await orthanc?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const seriesOf = async (study: string) => (await dicomwebClient(target()).searchForSeries({ studyInstanceUID: study, queryParams: { includefield: '0008103E' } })) as Json[];

  it('analyses every MR study: stores SEG + SR for the spine study, reports the axial-only one as not analysed', async () => {
    const studies = await listMrStudies(target());
    expect(studies.sort()).toEqual([spineStudy, axialOnlyStudy].sort());
    expect(await listMrStudies(target(), { limit: 1 })).toHaveLength(1);
    // The research studies carry no StudyDate, so a date range leaves them out (and the server took the range query).
    expect(await listMrStudies(target(), { since: '19000101' })).toEqual([]);
    const lines: string[] = [];
    const outDir = join(tmp, 'out');
    const outcomes = await analyzePacs([spineStudy, axialOnlyStudy], { target: target(), manifestPath: join(root, 'models/manifest.json'), outDir, store: true, log: (s) => lines.push(s) });
    expect(lines).toHaveLength(2);
    const [spine, axialOnly] = outcomes;
    expect(spine).toMatchObject({ studyInstanceUid: spineStudy, status: 'stored', version: 1 });
    expect(spine.detail).toMatch(/^patient fcs-vb2_02: 75 slices of 'SAG T2.*', \d+ levels \(.*L5\/S1\); SEG \+ SR v1 stored/);
    expect(axialOnly.status).toBe('not analysed');
    expect(axialOnly.detail).toMatch(/sagittal/i);
    expect(summarize(outcomes)).toBe('2 studies: 1 stored, 1 not analysed');

    // What the PACS now holds is what the viewer's Save to PACS stores: SEG v1 and Report v1 beside the source series.
    const series = await seriesOf(spineStudy);
    expect(series.map((s) => `${val(s, '00080060')} ${val(s, '0008103E')}`).filter((s) => !s.startsWith('MR')).sort()).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
    // The axial T2 was retrieved and read with the sagittal one (the report names it), and the SR read back has the report's levels.
    const report = JSON.parse(readFileSync(join(spine.dir!, 'report.json'), 'utf8')) as SpineReport;
    // The log line says when the level names need a reader's confirmation.
    expect(spine.detail.includes('names uncertain: a reader should confirm them')).toBe(!report.levelNaming.certain);
    expect(report.sourceSeries.map((s) => s.role)).toEqual(expect.arrayContaining(['sagittal_t2', 'axial_t2']));
    const srSeries = series.find((s) => val(s, '00080060') === 'SR')!;
    const client = dicomwebClient(target());
    const [sr] = await client.retrieveSeries({ studyInstanceUID: spineStudy, seriesInstanceUID: val(srSeries, '0020000E'), request: {} });
    expect(readFileSync(join(spine.dir!, 'sr.dcm')).equals(Buffer.from(sr))).toBe(true);
    expect(readSr(sr).levels.map((l) => l.level)).toEqual(report.levels.map((l) => l.level));
    // Every measurement of a real report has a worded code (an SR read elsewhere shows 'Nucleus pulposus mean signal
    // intensity', not a derived 'M-' code meaning 'nucleusSignalMean').
    const names = new Set(report.levels.flatMap((l) => l.measurements).map((m) => m.name));
    expect(names.size).toBeGreaterThan(8);
    expect([...names].filter((n) => !(n in MEASUREMENT))).toEqual([]);
    // Sizes are coded with standard concepts told apart by their modifiers (codes.ts measurementCoding): each reads back as itself.
    const back = readSr(sr).levels;
    report.levels.forEach((l, i) => expect(back[i].measurements.map((m) => m.name)).toEqual(expect.arrayContaining(l.measurements.map((m) => m.name))));
    expect(back.flatMap((l) => l.measurements).filter((m) => !(m.name in MEASUREMENT))).toEqual([]);
    if (hasDciodvfy) for (const f of ['seg.dcm', 'sr.dcm']) expect(dciodvfy(new Uint8Array(readFileSync(join(spine.dir!, f))).buffer).errors).toEqual([]);
    if (hasDsrdump) expect(dsrdump(new Uint8Array(sr).buffer)).toEqual({ ok: true, problems: [] });
  }, 300_000);

  it('the CLI skips an analysed study and fails an unknown one (exit code 1)', async () => {
    const cli = promisify(execFile)('npx', ['tsx', 'scripts/analyze-pacs.ts', '--url', orthanc.dicomwebUrl, '--user', 'admin', '--password', password,
      '--study', `${spineStudy},1.2.3.999`, '--store', '--out', join(tmp, 'cli')], { cwd: root });
    const err = (await cli.then(() => undefined, (e: { code: number; stdout: string }) => e))!;
    expect(err?.code).toBe(1);
    expect(err.stdout).toContain(`${spineStudy}: skipped — already analysed ('Spine MRI Report v1' is on the PACS; --redo stores v2)`);
    expect(err.stdout).toContain(`1.2.3.999: failed — no such study on ${orthanc.dicomwebUrl}`);
    expect(err.stdout).toContain('2 studies: 1 skipped, 1 failed');
  }, 120_000);

  it('--redo writes v2; a refused store keeps it on disk and `npm run import` stores it later', async () => {
    const refuse = async () => { throw Object.assign(new Error('refused'), { status: 409, response: 'no space left' }); };
    const [r] = await analyzePacs([spineStudy], { target: target(), manifestPath: join(root, 'models/manifest.json'), outDir: join(tmp, 'redo'), store: true, redo: true, stow: refuse, log: () => undefined });
    expect(r).toMatchObject({ status: 'failed', version: 2 });
    expect(r.detail).toMatch(/storing the SEG: the PACS answered HTTP 409: no space left\. Kept in .*: `npm run import -- .*` stores it/);
    expect((await seriesOf(spineStudy)).some((s) => val(s, '0008103E') === 'Spine MRI Report v2')).toBe(false);
    await importPaths([r.dir!], target(), { log: () => undefined });
    expect((await seriesOf(spineStudy)).map((s) => val(s, '0008103E'))).toEqual(expect.arrayContaining(['Spine MRI SEG v2', 'Spine MRI Report v2']));
  }, 300_000);

  it('--redo carries a radiologist\'s changes in the stored version into the next, and does not hide changes it cannot carry', async () => {
    const client = dicomwebClient(target());
    const stow = dicomwebStow(client);
    const redo = (outDir: string, discardReaderChanges = false) => analyzePacs([spineStudy], { target: target(), manifestPath: join(root, 'models/manifest.json'), outDir: join(tmp, outDir), store: true, redo: true, discardReaderChanges, log: () => undefined });
    const stored = async (v: number) => {
      const series = (await seriesOf(spineStudy)).find((s) => val(s, '0008103E') === `Spine MRI Report v${v}`)!;
      const [sr] = await client.retrieveSeries({ studyInstanceUID: spineStudy, seriesInstanceUID: val(series, '0020000E'), request: {} });
      // The SEG the SR refers to: its own version's, or an earlier one where the reader changed only grades.
      const [segBytes] = await client.retrieveSeries({ studyInstanceUID: spineStudy, seriesInstanceUID: srSegSeries(sr)!, request: {} });
      return { sr, seg: segBytes, report: readSr(sr), sop: fromPart10(sr).SOPInstanceUID as string };
    };
    // v3: the radiologist corrected a grade of v2 in the viewer (Save to PACS as a new version builds it so).
    const v2 = await stored(2);
    const level = v2.report.levels.find((l) => l.pfirrmannGrade.value !== null && l.pfirrmannGrade.value !== 5)!.level;
    await saveRevisionToPacs({ report: applyReaderEdit(v2.report, level, 'pfirrmannGrade', 5), storedSeg: v2.seg }, stow, new MemoryPendingStore(), { version: 3 });
    // A grade changed, not the outlines: v3 is an SR referring to v2's SEG, with no copy of it.
    expect((await seriesOf(spineStudy)).some((s) => val(s, '0008103E') === 'Spine MRI SEG v3')).toBe(false);

    const [carried] = await redo('carried');
    expect(carried).toMatchObject({ status: 'stored', version: 4 });
    expect(carried.detail).toContain(`; the reader's changes in v3 carried over (${level} Pfirrmann grade V); SEG + SR v4 stored`);
    const v3 = await stored(3), v4 = await stored(4);
    expect(v4.report.levels.find((l) => l.level === level)!.pfirrmannGrade).toMatchObject({ value: 5, readerModified: true });
    const predecessor = fromPart10(v4.sr).PredecessorDocumentsSequence?.[0]?.ReferencedSeriesSequence?.[0]?.ReferencedSOPSequence?.[0]?.ReferencedSOPInstanceUID;
    expect(predecessor).toBe(v3.sop);

    // v5: changes made under another software version cannot be mapped onto a new analysis: no v6 hides them ...
    const older = { ...applyReaderEdit(v4.report, level, 'pfirrmannGrade', 4), software: { ...v4.report.software, version: '0.0.1' } };
    await saveRevisionToPacs({ report: older, storedSeg: v4.seg }, stow, new MemoryPendingStore(), { version: 5 });
    const [refused] = await redo('refused');
    expect(refused.status).toBe('skipped');
    expect(refused.detail).toContain(`not analysed again: v5 holds a reader's changes (${level} Pfirrmann grade IV) that cannot be carried into a new analysis — it was made by another software version (0.0.1) — `);
    expect(refused.detail).toMatch(/--discard-reader-changes$/);
    expect((await seriesOf(spineStudy)).some((s) => val(s, '0008103E') === 'Spine MRI Report v6')).toBe(false);
    // ... unless the admin says so, and the log line says what was left behind.
    const [discarded] = await redo('discarded', true);
    expect(discarded).toMatchObject({ status: 'stored', version: 6 });
    expect(discarded.detail).toContain(`; the reader's changes in v5 not carried over (${level} Pfirrmann grade IV): --discard-reader-changes`);
    expect(fromPart10((await stored(6)).sr).PredecessorDocumentsSequence).toBeUndefined();
  }, 300_000);

  it('names a stored SEG the viewer would draw shifted (an earlier build\'s binary SEG whose frames start mid-byte) when it skips the study', async () => {
    // v7: v6's SR, and a SEG as builds before 2026-12-06 wrote images of 41 × 21 pixels: BINARY, frames packed bit to bit.
    const client = dicomwebClient(target());
    const stow = dicomwebStow(client);
    const seriesUid = async (v: number, kind: string) => val((await seriesOf(spineStudy)).find((s) => val(s, '0008103E') === `Spine MRI ${kind} v${v}`)!, '0020000E');
    const [v6sr] = await client.retrieveSeries({ studyInstanceUID: spineStudy, seriesInstanceUID: await seriesUid(6, 'Report'), request: {} });
    const { _meta: _sr, ...sr } = fromPart10(v6sr);
    const vol = { ...makeVolume(), dims: [21, 41, 5] as [number, number, number], voxels: new Float32Array(21 * 41 * 5) };
    const lm = makeLabelmap(vol);
    const binary = earlierBuildsBinarySeg(buildSegDataset(makeReport(vol, lm), lm, vol));
    await stow([toPart10({ ...binary, ...patientStudyElements(patientStudyFrom(sr)), StudyInstanceUID: spineStudy, SeriesDescription: 'Spine MRI SEG v7' })]);
    await stow([toPart10({ ...sr, SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), SeriesDescription: 'Spine MRI Report v7' })]);
    const [r] = await analyzePacs([spineStudy], { target: target(), manifestPath: join(root, 'models/manifest.json'), outDir: join(tmp, 'old-seg'), store: true, log: () => undefined });
    expect(r.status).toBe('skipped');
    expect(r.detail).toBe("already analysed ('Spine MRI Report v7' is on the PACS; its SEG is not shown in the viewer: it is a binary SEG of 41 × 21-pixel images, whose frames start mid-byte (as earlier builds of this software stored them), and the viewer would draw its outlines shifted; --redo stores v8)");
  }, 120_000);

  it('says so when the DICOMweb server is down', async () => {
    const down = { url: `http://127.0.0.1:${await findFreePort()}/dicom-web` };
    await expect(listMrStudies(down)).rejects.toThrow(/Listing the MR studies: the DICOMweb server at .* is unreachable/);
    const [r] = await analyzePacs(['1.2.3'], { target: down, manifestPath: join(root, 'models/manifest.json'), outDir: join(tmp, 'down'), log: () => undefined });
    expect(r.status).toBe('failed');
    expect(r.detail).toMatch(/unreachable/);
  });
});
