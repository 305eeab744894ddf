/**
 * Headless batch analysis over DICOMweb, for PACS admins:
 *   npm run analyze:pacs -- (--study <StudyInstanceUID>… | --all [--since YYYYMMDD] [--limit N]) [--store] [--redo]
 *     [--out <dir>] [--url <DICOMweb base URL>] [--user <u>] [--password <p>] [--model models/manifest.json] [--reader Doe^Jane]
 *
 * Per study, as the viewer's panel does it: QIDO-RS lists the study's series; a study that already holds our report
 * ("Spine MRI Report vN") is skipped unless --redo, which writes version N+1. A radiologist's changes in version N (grades,
 * level names) are carried into N+1 as the viewer carries them after Analyze (panel/storedReaderChanges.ts), and N+1
 * names N as its predecessor; where they cannot be carried (another model or software version, a level not found again)
 * the study is skipped, so that a newer version never hides them, unless --discard-reader-changes. The WADO-RS metadata of its MR series
 * picks the series (pipeline/series.ts chooseSeries: sagittal T2, else T1, else STIR; sagittal T1 and axial T2 beside
 * it), and only those series are retrieved (WADO-RS, Explicit VR Little Endian asked for; JPEG Lossless, JPEG-LS and
 * JPEG 2000 are read if the server sends them). The pipeline runs as `npm run analyze` runs it (onnxruntime-node), the
 * SEG and SR are built as the viewer's Save to PACS builds them (store/save.ts buildResult: new UIDs, "Spine MRI SEG vN",
 * "Spine MRI Report vN") and written to <out>/<StudyInstanceUID>/ (seg.dcm, sr.dcm, report.json) before anything is
 * sent. With --store they are then sent over STOW-RS, SEG first; a refused or failed store leaves the files where they
 * are, and `npm run import -- <that folder>` sends the very same objects later (nothing duplicated).
 *
 * Prints one line per study and a summary. Exit code 1 when a study failed; a study with nothing to analyse (no
 * sagittal MR series: a brain MR, an axial-only study) is reported as "not analysed", not as a failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { data as dcmData, type NaturalDataset } from 'dcmjs';
import type { api } from 'dicomweb-client';
import { loadConfig } from './config';
import { TARGET_OPTIONS, defaultTarget } from './import';
import { runPipeline } from './analyze';
import { headersBySeries, readDicomDatasets } from './analyze-input';
import { dicomwebClient, explainDicomwebError, type DicomwebTarget } from './lib/dicomweb';
import { loadPixelCodecs } from './lib/pixel-codecs';
import { storedSegDrawnShifted } from '../extension/src/dicom/seg';
import { fromPart10 } from '../extension/src/dicom/uids';
import { srSeriesDescription } from '../extension/src/dicom/sr';
import { readSr } from '../extension/src/dicom/sr-read';
import { applyStoredChanges, carryOverRefusal, pendingChangeTexts, pendingStoredChanges } from '../extension/src/panel/storedReaderChanges';
import type { SpineReport } from '../extension/src/pipeline/report';
import { chooseSeries } from '../extension/src/pipeline/series';
import { buildResult, nextVersion, sendPending, type Stow } from '../extension/src/store/save';
import { MemoryPendingStore } from '../extension/src/store/pending';
import { latestStoredReport } from '../extension/src/store/stored-result';
import { dicomwebStow } from '../extension/src/store/stow-dicomweb';
import { SaveToPacsError } from '../extension/src/store/stow-error';

/** DICOM JSON tags read from QIDO-RS answers. */
const TAG = { studyUid: '0020000D', seriesUid: '0020000E', modality: '00080060', seriesDescription: '0008103E' };
type DicomJson = Record<string, { Value?: unknown[] }>;
const valueOf = (ds: DicomJson, tag: string): string => String(ds[tag]?.Value?.[0] ?? '');

export interface AnalyzePacsOptions {
  target: DicomwebTarget;
  /** Model manifest.json path (the ONNX files lie beside it). */
  manifestPath: string;
  /** Results are written to <outDir>/<StudyInstanceUID>/ before any store. */
  outDir: string;
  /** Send SEG and SR to the PACS over STOW-RS (else only write them). */
  store?: boolean;
  /** Analyse a study that already holds our report again (as the next version). */
  redo?: boolean;
  /** With redo: store the new version even where the reader's changes in the stored one cannot be carried into it. */
  discardReaderChanges?: boolean;
  threads?: number;
  /** SR observer (DICOM PN, e.g. Doe^Jane). */
  readerName?: string;
  /** STOW used with `store` (default: STOW-RS to `target`). */
  stow?: Stow;
  log?: (line: string) => void;
}

export type StudyStatus = 'stored' | 'written' | 'skipped' | 'not analysed' | 'failed';

export interface StudyOutcome {
  studyInstanceUid: string;
  status: StudyStatus;
  /** What was analysed and found, or why not. */
  detail: string;
  /** Folder holding seg.dcm, sr.dcm and report.json, when written. */
  dir?: string;
  /** Version of the written result (1 for a study without one). */
  version?: number;
}

/**
 * StudyInstanceUIDs of the MR studies on the server, in the order the server lists them.
 * @param since StudyDate lower bound, YYYYMMDD (inclusive). @param limit at most this many studies.
 * @throws Error when the server cannot be reached or refuses the query (explainDicomwebError).
 */
export async function listMrStudies(target: DicomwebTarget, opts: { since?: string; limit?: number } = {}): Promise<string[]> {
  const queryParams: Record<string, string> = { ModalitiesInStudy: 'MR' };
  if (opts.since) queryParams.StudyDate = `${opts.since}-`;
  if (opts.limit) queryParams.limit = String(opts.limit);
  try {
    const studies = (await dicomwebClient(target).searchForStudies({ queryParams })) as DicomJson[];
    return studies.map((s) => valueOf(s, TAG.studyUid)).filter(Boolean);
  } catch (e) {
    throw explainDicomwebError(e, target, 'Listing the MR studies');
  }
}

async function naturalMetadata(client: api.DICOMwebClient, studyInstanceUID: string, seriesInstanceUID: string): Promise<NaturalDataset[]> {
  const json = (await client.retrieveSeriesMetadata({ studyInstanceUID, seriesInstanceUID, request: {} })) as Parameters<typeof dcmData.DicomMetaDictionary.naturalizeDataset>[0][];
  return json.map((ds) => dcmData.DicomMetaDictionary.naturalizeDataset(ds) as NaturalDataset);
}

/**
 * A new analysis of a study whose stored report (`storedVersion`) a reader may have changed: the reader's changes
 * carried into it as the viewer carries them after Analyze (panel/storedReaderChanges.ts; the report then names the
 * stored SR as its predecessor), with a note for the log line. Refused, with why, where a change cannot be carried
 * (another model or software version, level names that differ, a level not found again) — a newer version would hide it
 * from the viewer, which opens the newest — unless `discard`, which stores the analysis as it is and says so.
 */
export function carryReaderChanges(report: SpineReport, stored: SpineReport, storedVersion: number, discard: boolean): { report: SpineReport; note: string } | { refused: string } {
  const changes = pendingStoredChanges(report, stored);
  const lost = [...pendingChangeTexts(changes), ...changes.unmatched];
  if (!lost.length) return { report, note: '' };
  const why = carryOverRefusal(report, stored) ?? (changes.unmatched.length ? `${changes.unmatched.join('; ')}: level not found by this analysis` : null);
  if (!why) return { report: applyStoredChanges(report, changes), note: `; the reader's changes in v${storedVersion} carried over (${lost.join('; ')})` };
  if (discard) return { report, note: `; the reader's changes in v${storedVersion} not carried over (${lost.join('; ')}): --discard-reader-changes` };
  return { refused: `not analysed again: v${storedVersion} holds a reader's changes (${lost.join('; ')}) that cannot be carried into a new analysis — ${why} — and a new version would hide them from the viewer. Review the study in the viewer, or pass --discard-reader-changes` };
}

/** Analyses one study (see module docstring). Never throws: a failure is an outcome. */
export async function analyzePacsStudy(studyInstanceUid: string, o: AnalyzePacsOptions): Promise<StudyOutcome> {
  const outcome = (status: StudyStatus, detail: string, more: Partial<StudyOutcome> = {}): StudyOutcome => ({ studyInstanceUid, status, detail, ...more });
  const client = dicomwebClient(o.target);
  let series: DicomJson[];
  let chosen: string[];
  let version: number;
  let datasets: NaturalDataset[];
  let stored: { report: SpineReport; version: number } | undefined;
  try {
    series = (await client.searchForSeries({ studyInstanceUID: studyInstanceUid, queryParams: { includefield: TAG.seriesDescription } })) as DicomJson[];
    if (!series.length) return outcome('failed', `no such study on ${o.target.url}`);
    version = nextVersion(series.map((s) => valueOf(s, TAG.seriesDescription)));
    const newest = latestStoredReport(series.map((s) => ({ seriesInstanceUid: valueOf(s, TAG.seriesUid), modality: valueOf(s, TAG.modality), description: valueOf(s, TAG.seriesDescription) })));
    if (newest && !o.redo) {
      // A SEG of an earlier build that the viewer would draw shifted, and so leaves off: say so, as --redo mends it.
      const seg = newest.segSeriesInstanceUid;
      const shifted = seg && storedSegDrawnShifted((await naturalMetadata(client, studyInstanceUid, seg).catch(() => []))[0] ?? {});
      const why = shifted ? `; its SEG is not shown in the viewer: ${shifted}` : '';
      return outcome('skipped', `already analysed ('${srSeriesDescription(newest.version)}' is on the PACS${why}; --redo stores v${version})`);
    }
    if (newest) {
      const [sr] = await client.retrieveSeries({ studyInstanceUID: studyInstanceUid, seriesInstanceUID: newest.srSeriesInstanceUid, request: {} });
      stored = { report: readSr(sr), version: newest.version };
    }
    const mr = series.filter((s) => valueOf(s, TAG.modality) === 'MR').map((s) => valueOf(s, TAG.seriesUid));
    if (!mr.length) return outcome('not analysed', 'the study has no MR series');
    const metadata = new Map<string, NaturalDataset[]>();
    for (const uid of mr) metadata.set(uid, await naturalMetadata(client, studyInstanceUid, uid));
    const choice = chooseSeries(headersBySeries(metadata));
    if (!choice.suitable || !choice.analysisSeries) return outcome('not analysed', choice.message);
    chosen = [...new Set([choice.analysisSeries, choice.sagittalT1, choice.axialT2].filter((s) => s !== undefined).map((s) => s.SeriesInstanceUID))];
    datasets = [];
    for (const uid of chosen) {
      for (const part10 of await client.retrieveSeries({ studyInstanceUID: studyInstanceUid, seriesInstanceUID: uid, request: {} })) datasets.push(fromPart10(part10));
    }
  } catch (e) {
    return outcome('failed', explainDicomwebError(e, o.target, `Reading the study`).message);
  }

  const dir = join(o.outDir, studyInstanceUid);
  let written: ReturnType<typeof buildResult>;
  let summary: string;
  try {
    const input = readDicomDatasets(datasets, `study ${studyInstanceUid}`);
    const analysed = await runPipeline(input.volume, {
      manifestPath: o.manifestPath, threads: o.threads, readerName: o.readerName,
      otherSeries: input.otherSeries, axialT2: input.axialT2, axialT2Unavailable: input.axialT2Unavailable, sagittalT1: input.sagittalT1,
    });
    const labelmap = analysed.labelmap;
    if (analysed.report.segments.length === 0) return outcome('failed', `no spine structures were found on '${input.volume.seriesDescription}' (${chosen.length} series read)`);
    const carried = stored ? carryReaderChanges(analysed.report, stored.report, stored.version, !!o.discardReaderChanges) : { report: analysed.report, note: '' };
    if ('refused' in carried) return outcome('skipped', carried.refused);
    const report = carried.report;
    written = buildResult({ report, labelmap, sourceVolume: input.volume, patientStudy: input.patientStudy }, { version });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(dir, 'seg.dcm'), Buffer.from(written.seg));
    writeFileSync(join(dir, 'sr.dcm'), Buffer.from(written.sr));
    const levels = report.levels.map((l) => l.level);
    const who = [input.patientStudy.PatientID && `patient ${input.patientStudy.PatientID}`, input.patientStudy.StudyDate && `study of ${input.patientStudy.StudyDate}`].filter(Boolean).join(', ');
    summary = `${who ? `${who}: ` : ''}${input.volume.dims[2]} ${input.volume.dims[2] === 1 ? 'slice' : 'slices'} of '${input.volume.seriesDescription}'${input.warnings?.length ? ` (${input.warnings.join(' ')})` : ''}, ${levels.length} levels (${levels[0] ?? '–'} … ${levels[levels.length - 1] ?? '–'}${report.levelNaming.certain ? '' : '; names uncertain: a reader should confirm them'})${carried.note}`;
  } catch (e) {
    return outcome('failed', `analysis: ${(e as Error).message}`);
  }
  if (!o.store) return outcome('written', `${summary}; v${version} written, not stored (no --store)`, { dir, version });
  try {
    await sendPending(written, o.stow ?? dicomwebStow(client), new MemoryPendingStore());
  } catch (e) {
    const why = e instanceof SaveToPacsError ? `storing the ${e.step}: ${e.reason}` : (e as Error).message;
    return outcome('failed', `${summary}; ${why}. Kept in ${dir}: \`npm run import -- ${dir}\` stores it`, { dir, version });
  }
  return outcome('stored', `${summary}; SEG + SR v${version} stored`, { dir, version });
}

/** analyzePacsStudy over each study in turn, one log line per study. */
export async function analyzePacs(studies: string[], o: AnalyzePacsOptions): Promise<StudyOutcome[]> {
  const log = o.log ?? ((s: string) => console.log(s));
  await loadPixelCodecs(); // a server may send compressed images despite the Accept header
  const outcomes: StudyOutcome[] = [];
  for (const [i, uid] of studies.entries()) {
    const t0 = Date.now();
    const r = await analyzePacsStudy(uid, o);
    outcomes.push(r);
    log(`[${i + 1}/${studies.length}] ${uid}: ${r.status} — ${r.detail} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return outcomes;
}

/** "3 studies: 2 stored, 1 skipped" */
export function summarize(outcomes: StudyOutcome[]): string {
  const counts = new Map<StudyStatus, number>();
  for (const r of outcomes) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return `${outcomes.length} ${outcomes.length === 1 ? 'study' : 'studies'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to do'}`;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('npm run analyze:pacs --')
    .description('Analyse spine MR studies on a DICOMweb server (headless, as the viewer does) and write — with --store, store — DICOM SEG + SR per study.')
    .option('--study <uid...>', 'StudyInstanceUID(s) to analyse (space- or comma-separated)')
    .option('--all', 'every MR study on the server (QIDO-RS ModalitiesInStudy=MR)')
    .option('--since <YYYYMMDD>', 'with --all: studies from this StudyDate on')
    .option('--limit <n>', 'with --all: at most this many studies')
    .option('--store', 'store SEG + SR in the PACS over STOW-RS (else only write them to --out)')
    .option('--redo', 'analyse studies that already hold a Spine MRI report again (stored as the next version, with the reader\'s changes in the stored one carried over)')
    .option('--discard-reader-changes', 'with --redo: store the new version even where the reader\'s changes in the stored one cannot be carried over (they stay in the older version)')
    .option('--out <dir>', 'results folder, one sub-folder per study (default <dataDir>/analyze-pacs)')
    .addOption(TARGET_OPTIONS.url).addOption(TARGET_OPTIONS.user).addOption(TARGET_OPTIONS.password)
    .option('--model <manifest>', 'model manifest.json', 'models/manifest.json')
    .option('--threads <n>', 'onnxruntime CPU threads', '2')
    .option('--reader <name>', 'reader name for the SR observer context (DICOM PN, e.g. Doe^Jane)')
    .parse(argv);
  const o = program.opts<{ study?: string[]; all?: boolean; since?: string; limit?: string; store?: boolean; redo?: boolean; discardReaderChanges?: boolean; out?: string; url?: string; user?: string; password?: string; model: string; threads: string; reader?: string }>();
  if (!o.study === !o.all) program.error('name the studies with --study <uid…>, or take every MR study with --all (not both)');
  if ((o.since || o.limit) && !o.all) program.error('--since and --limit go with --all');
  if (o.discardReaderChanges && !o.redo) program.error('--discard-reader-changes goes with --redo');
  if (o.since && !/^\d{8}$/.test(o.since)) program.error(`--since ${o.since}: a StudyDate is YYYYMMDD`);
  if (o.limit && !(Number(o.limit) >= 1)) program.error(`--limit ${o.limit}: a number ≥ 1`);
  const cfg = loadConfig();
  const target = defaultTarget(cfg, o);
  const studies = o.study ? o.study.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : await listMrStudies(target, { since: o.since, limit: o.limit ? Number(o.limit) : undefined });
  const outDir = resolve(o.out ?? join(cfg.dataDir, 'analyze-pacs'));
  console.log(`${studies.length} ${studies.length === 1 ? 'study' : 'studies'} on ${target.url}; results in ${outDir}${o.store ? ', stored in the PACS' : ' (not stored: no --store)'}`);
  const outcomes = await analyzePacs(studies, { target, manifestPath: resolve(o.model), outDir, store: o.store, redo: o.redo, discardReaderChanges: o.discardReaderChanges, threads: Number(o.threads), readerName: o.reader });
  console.log(summarize(outcomes));
  if (outcomes.some((r) => r.status === 'failed')) process.exitCode = 1;
}

if (require.main === module) {
  main(process.argv).catch((e: Error) => {
    console.error(`analyze:pacs: ${e.message}`);
    process.exit(1);
  });
}
