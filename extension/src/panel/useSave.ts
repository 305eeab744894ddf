/**
 * React state of "Save to PACS", kept outside React (OHIF unmounts a panel on tab switch):
 *   - per analysed series: idle → working (build SEG+SR, store SEG, store SR) → saved | unchanged | failed;
 *   - per study: the unsaved (pending) results in IndexedDB ("Resume unsaved result") and the
 *     newest stored result read back from the PACS SR ("Findings loaded from the PACS").
 * Saving goes through store/save.ts (saveToPacs / retryPending with the IndexedDB pending store) and
 * OHIF's active data source (ohif/dataSourceStow.ts). A result whose content equals the last saved
 * one is not stored again ("already saved"); a changed one becomes the next version.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { createStore, get as idbGet, set as idbSet, type UseStore } from 'idb-keyval';
import { sameReportContent } from '../pipeline/reader-edit';
import { analysisDraftKey, dropReaderDraft, keepReaderDraft, readerDraft, storedEditsDraftKey } from '../store/reader-drafts';
import type { DisplaySet } from '../../../types/ohif';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { dataSourceStow, studySeries, type QidoSeries } from '../ohif/dataSourceStow';
import { listStoredReportInStudyBrowser, loadStoredReport, retrieveStoredSeg, showStoredSeg, type StoredReport, type StoredSegShown } from '../ohif/loadStoredReport';
import { showEvidenceOverlays } from '../ohif/evidenceOverlays';
import { showLevelLabels } from '../ohif/levelLabels';
import { savedBy, signedInReader } from '../ohif/readerName';
import { patientStudyFrom } from '../dicom/patient-study';
import { segSeriesDescription } from '../dicom/seg';
import { srSeriesDescription } from '../dicom/sr';
import type { SegmentInfo, SpineReport } from '../pipeline/report';
import { listPending, type PendingResult } from '../store/pending';
import { IdbPendingStore } from '../store/pending-idb';
import { PendingStoreWithPageFallback } from '../store/pending-in-page';
import { nextVersion, retryPending, saveRevisionToPacs, saveToPacs, type Stow } from '../store/save';
import { SaveToPacsError } from '../store/stow-error';
import { latestStoredReport, newerStoredReport, type StoredReportRef } from '../store/stored-result';
import { onOutlinesChanged } from '../ohif/outlineEdits';
import { copyLabelmapSlices } from '../ohif/showSegmentation';
import { storedOutlinesOf, storedOutlinesToKeep, type KeptStoredOutlines } from './outlineCorrection';

export type SaveStep = 'build' | 'SEG' | 'SR';
export const SAVE_STEP_LABEL: Record<SaveStep, string> = {
  build: 'Building SEG and SR…',
  SEG: 'Storing SEG in the PACS…',
  SR: 'Storing SR in the PACS…',
};

export type SaveState =
  | { status: 'idle' }
  | { status: 'working'; step: SaveStep }
  /** segReused: the SR refers to an earlier version's SEG, unchanged (segDescription is its), not stored again. */
  | { status: 'saved'; version: number; segDescription: string; srDescription: string; segSeriesInstanceUid: string; srSeriesInstanceUid: string; segReused?: boolean }
  | { status: 'unchanged'; version: number; savedAt: string }
  /** newerVersion: not saved because the PACS holds a newer version than the one changed (or, for an analysis, known). */
  | { status: 'error'; message: string; pendingId?: string; newerVersion?: number };

export type StoredState =
  | { status: 'loading' }
  | { status: 'none' }
  /**
   * segments / segmentationId: the stored SEG as shown in OHIF (a clicked level row jumps to its disc).
   * sourceImageIds: the images the stored SEG lies on (the level names are drawn there).
   * loadedOutlines: the stored SEG's pixels as loaded, per source imageId (the reader's brush edits differ from them).
   * edited: the stored findings as the reader has changed them since, not yet saved (saveStoredEdits).
   * outlinesEdited: the reader changed body or disc outlines of the stored SEG in this page, not measured yet (kept in
   * this browser with the other changes).
   */
  | { status: 'loaded'; stored: StoredReport; segShown?: boolean; segNote?: string; segmentationId?: string; segments?: SegmentInfo[]; sourceImageIds?: string[]; loadedOutlines?: Map<string, Uint8Array>; edited?: SpineReport; outlinesEdited?: boolean }
  | { status: 'error'; message: string };

export interface StudySaveState {
  pending: PendingResult[];
  stored: StoredState;
}

/** Last saved content of a study in this browser (IndexedDB), for "already saved". */
interface SavedRecord {
  fingerprint: string;
  version: number;
  savedAt: string;
}

const IDLE: SaveState = { status: 'idle' };
const NO_STUDY: StudySaveState = { pending: [], stored: { status: 'loading' } };
const saveStates = new Map<string, SaveState>();
const studyStates = new Map<string, StudySaveState>();
const storedRequested = new Set<string>();
const listeners = new Set<() => void>();
let revision = 0;
const notify = () => {
  revision++;
  listeners.forEach((l) => l());
};
function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
function setSave(seriesUid: string, s: SaveState): void {
  saveStates.set(seriesUid, s);
  notify();
}
function setStudy(studyUid: string, patch: Partial<StudySaveState>): void {
  studyStates.set(studyUid, { ...(studyStates.get(studyUid) ?? NO_STUDY), ...patch });
  notify();
}

let pendingStore: PendingStoreWithPageFallback | undefined;
let savedStore: UseStore | undefined;
const pending = () => (pendingStore ??= new PendingStoreWithPageFallback(() => new IdbPendingStore()));
/** saveFailureMessage for `e`, saying where the unsaved result it names is kept. */
const failureMessage = (e: unknown) => saveFailureMessage(e, e instanceof SaveToPacsError && pending().inPageOnly(e.pendingId) ? 'page' : 'browser');
const saved = () => (savedStore ??= createStore('spine-mri-saved', 'saved-results'));

/**
 * Content fingerprint of a report: everything a reader can change or the SEG/SR encode, without the
 * analysis time and run info (re-running the same analysis yields the same fingerprint) and without the person
 * saving it (ohif/readerName.ts savedBy: the same findings saved by another reader are the same findings). cyrb53 hash
 * of the JSON text (not cryptographic; only tells "same content" apart from "changed").
 */
export function reportFingerprint(report: SpineReport): string {
  const { createdAt: _c, run: _r, reader: _p, ...content } = report;
  const text = JSON.stringify(content);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** Plain-language message for a failed save: what failed, why, what to do. */
export function saveFailureMessage(e: unknown, keptIn: 'browser' | 'page' = 'browser'): string {
  if (e instanceof SaveToPacsError) {
    const status = Number(/HTTP (\d{3})/.exec(e.reason)?.[1] ?? NaN);
    const unreachable = /unreachable/i.test(e.reason) || status === 502 || status === 503 || status === 504;
    const todo = unreachable
      ? 'Check that the PACS is running and reachable, then press Retry.'
      : status === 401 || status === 403
        ? 'The PACS refused the gateway’s credentials; ask the PACS administrator, then press Retry.'
        : 'Press Retry; if it fails again, give this message to the PACS administrator.';
    const why = unreachable && status ? `the PACS is unreachable (HTTP ${status} from the gateway)` : e.reason;
    const kept = keptIn === 'browser' ? 'The unsaved result is kept in this browser.' : 'The unsaved result is kept in this page only (this browser refused to store it): press Retry before closing the tab.';
    return `Saving failed while storing the ${e.step}: ${why}. ${todo} ${kept}`;
  }
  return `Could not build the SEG and SR: ${(e as Error)?.message ?? String(e)}`;
}

/** A Stow that reports which object is being stored (steps in call order). */
function withSteps(stow: Stow, steps: SaveStep[], onStep: (s: SaveStep) => void): Stow {
  let i = 0;
  return async (buffers) => {
    onStep(steps[Math.min(i++, steps.length - 1)]);
    await stow(buffers);
  };
}

/**
 * Fingerprints (reportFingerprint) of the results this page saw stored in the PACS or kept as pending results in
 * IndexedDB (not those the browser refused, kept in the page only): leaving the page loses nothing of them (unsavedWork.ts).
 */
const keptFingerprints = new Set<string>();

/** Whether `report`'s content is in the PACS or in this browser's pending results, as far as this page has seen. */
export function isKept(report: SpineReport): boolean {
  return keptFingerprints.has(reportFingerprint(report));
}

/** The stored findings loaded in this page, per study (their SEGs may hold outline edits not measured yet). */
export function loadedStoredFindings(): { studyUid: string; stored: StoredState }[] {
  return [...studyStates].flatMap(([studyUid, st]) => (st.stored.status === 'loaded' ? [{ studyUid, stored: st.stored }] : []));
}

/** The reader's changes to stored findings, per study, not saved yet (each kept pending after a failed save is still listed). */
export function storedEditsNotSaved(): { studyUid: string; edited: SpineReport }[] {
  return [...studyStates].flatMap(([studyUid, st]) => (st.stored.status === 'loaded' && st.stored.edited ? [{ studyUid, edited: st.stored.edited }] : []));
}

async function refreshPending(studyUid: string): Promise<void> {
  const list = await listPending(pending(), studyUid);
  for (const p of list) if (!pending().inPageOnly(p.id)) keptFingerprints.add(reportFingerprint(p.report));
  setStudy(studyUid, { pending: list });
}

/** Which SEG a stored version lacks, as the panel says it: the one of its version, and the one its SR refers to. */
export function missingSegText(stored: StoredReportRef): string {
  const referred = stored.missingSegSeriesInstanceUid ? `, nor the SEG its SR refers to (SeriesInstanceUID ${stored.missingSegSeriesInstanceUid})` : '';
  return `the PACS holds no "${segSeriesDescription(stored.version)}" beside this report${referred}: deleted, or never stored`;
}

async function loadStored(studyUid: string): Promise<void> {
  setStudy(studyUid, { stored: { status: 'loading' } });
  try {
    const stored = await loadStoredReport(studyUid);
    if (!stored) return setStudy(studyUid, { stored: { status: 'none' } });
    setStudy(studyUid, { stored: { status: 'loaded', stored } });
    // The outlines the SR carries, on the images they were measured on (a new analysis replaces them).
    showEvidenceOverlays(stored.report);
    if (stored.segSeriesInstanceUid) {
      await showStoredOutlines(studyUid, stored, stored.segSeriesInstanceUid);
    } else {
      // An SR whose SEG was deleted from the PACS (or never reached it): say so rather than show findings without outlines.
      setStudy(studyUid, { stored: { status: 'loaded', stored, segShown: false, segNote: `${missingSegText(stored)}; press Analyze to outline the structures again` } });
    }
  } catch (e) {
    setStudy(studyUid, { stored: { status: 'error', message: (e as Error).message } });
  }
}

/**
 * The stored SEG on the viewports that show its source series, with the level names beside its bodies; the panel's
 * state of the stored findings then says whether it shows, or why not (its other fields, the reader's changes
 * included, kept).
 */
async function showStoredOutlines(studyUid: string, stored: StoredReport, segSeriesInstanceUid: string): Promise<void> {
  const seg = await showStoredSeg(segSeriesInstanceUid).catch((e: Error): StoredSegShown => ({ shown: false, reason: e.message }));
  if (!seg.shown) console.warn(`Spine MRI: the stored SEG is not shown: ${seg.reason}`);
  // Level names beside the stored bodies, drawn as after an analysis ('L4?' when the SR says they are uncertain).
  else if (seg.segments?.length && seg.sourceImageIds?.length) {
    try { showLevelLabels(seg.sourceImageIds, seg.segments, !stored.report.levelNaming.certain); } catch (e) { console.error(e); }
    showEvidenceOverlays({ ...stored.report, segments: seg.segments }); // again, with the bodies: their labels go between the names
  }
  const now = studyStates.get(studyUid)?.stored;
  if (now?.status !== 'loaded' || now.stored.srSeriesInstanceUid !== stored.srSeriesInstanceUid) return; // another version since
  setStudy(studyUid, { stored: { ...now, segShown: seg.shown, segNote: seg.reason, segmentationId: seg.segmentationId, segments: seg.segments, sourceImageIds: seg.sourceImageIds, loadedOutlines: seg.loadedOutlines } });
  if (seg.loadedOutlines) keepStoredOutlineEditsAsMade();
}

async function recordSaved(studyUid: string, report: SpineReport, version: number): Promise<void> {
  const rec: SavedRecord = { fingerprint: reportFingerprint(report), version, savedAt: new Date().toISOString() };
  keptFingerprints.add(rec.fingerprint);
  await idbSet(studyUid, rec, saved()).catch((e) => console.error('Spine MRI: could not remember the saved result', e));
  // The PACS holds these changes now; a draft with later ones stays.
  await dropReaderDraft(analysisDraftKey(report.seriesInstanceUid), report).catch((e) => console.error('Spine MRI: could not drop the kept changes', e));
}

function savedState(r: PendingResult): SaveState {
  return {
    status: 'saved',
    version: r.version,
    segDescription: r.reusedSeg ? (r.reusedSeg.version ? segSeriesDescription(r.reusedSeg.version) : 'the stored SEG') : segSeriesDescription(r.version),
    srDescription: srSeriesDescription(r.version),
    segSeriesInstanceUid: r.segSeriesInstanceUid,
    srSeriesInstanceUid: r.srSeriesInstanceUid,
    ...(r.reusedSeg ? { segReused: true } : {}),
  };
}

/** Sends a pending result again (same bytes, same UIDs), with step progress on `seriesUid`. */
async function resend(seriesUid: string, studyUid: string, p: PendingResult): Promise<void> {
  setSave(seriesUid, { status: 'working', step: p.segStored ? 'SR' : 'SEG' });
  try {
    const stow = withSteps(dataSourceStow(), p.segStored ? ['SR'] : ['SEG', 'SR'], (step) => setSave(seriesUid, { status: 'working', step }));
    const r = await retryPending(p.id, stow, pending());
    await recordSaved(studyUid, r.report, r.version);
    setSave(seriesUid, savedState(r));
  } catch (e) {
    console.error(e);
    setSave(seriesUid, { status: 'error', message: failureMessage(e), pendingId: e instanceof SaveToPacsError ? e.pendingId : p.id });
  }
  await refreshPending(studyUid);
}

/**
 * Next version from the study's series in the PACS (QIDO-RS). When the PACS cannot be asked (it is
 * down: the save will fail and stay pending anyway), falls back to the stored SR version seen when
 * the panel opened, so the pending result still gets a sensible number.
 * @param series the study's series, where the caller has just listed them
 */
async function versionFromPacs(studyUid: string, series?: QidoSeries[]): Promise<number> {
  try {
    return nextVersion((series ?? (await studySeries(studyUid))).map((s) => s.description ?? ''));
  } catch (e) {
    console.warn('Spine MRI: could not list the study series for the version number', e);
    const stored = studyStates.get(studyUid)?.stored;
    return stored?.status === 'loaded' ? stored.stored.version + 1 : 1;
  }
}

/**
 * The newest version of the study's findings this page knows of: the one it opened (or saved changes to), the last
 * one this browser stored, or one pending here; 0 when none. Undefined while the stored findings load or failed to:
 * then what the page opened is not known.
 */
function versionKnown(studyUid: string, last: SavedRecord | undefined, open: PendingResult[]): number | undefined {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded' && st?.status !== 'none') return undefined;
  return Math.max(st.status === 'loaded' ? st.stored.version : 0, last?.version ?? 0, ...open.map((p) => p.version));
}

/**
 * Why a new analysis is not saved at once: version `newer` of the study's findings was stored since the page learnt
 * of version `known` (0: none), and this analysis, saved, would be the version the viewer opens, without its changes.
 */
export function analysisSupersededMessage(known: number, newer: number): string {
  const opened = known ? `version ${known} was the newest this page knew of` : 'the study held none when this page opened it';
  return `Not saved: version ${newer} of this study's findings was stored since (${opened}): from another page or by another reader, or a batch analysis. Saved now, this analysis becomes version ${newer + 1}, the one the viewer opens, without the changes made in version ${newer}; to compare first, open ‘${srSeriesDescription(newer)}’ from the study list in a viewport.`;
}

/** A save that stores nothing as `newer` was stored since: the state under `key` says why, and its SR is listed in the study browser, where `message` points. */
function refuseForNewer(key: string, studyUid: string, newer: StoredReportRef, message: string): void {
  void listStoredReportInStudyBrowser(studyUid, newer);
  setSave(key, { status: 'error', message, newerVersion: newer.version });
}

/**
 * The stored SEG was deleted from the PACS since the page loaded it: no version can be stored with the outlines its
 * findings were measured on. The stored findings then say so as when a study opens without its SEG (StoredResults:
 * no Save, Analyze instead), and the changes stay on screen and kept in this browser.
 */
function refuseForDeletedSeg(key: string, studyUid: string, segSeriesInstanceUid: string): void {
  const now = studyStates.get(studyUid)?.stored;
  if (now?.status === 'loaded') {
    const { segVersion: _, ...ref } = now.stored;
    setStudy(studyUid, { stored: { ...now, stored: { ...ref, segSeriesInstanceUid: undefined, missingSegSeriesInstanceUid: segSeriesInstanceUid } } });
  }
  setSave(key, { status: 'error', message: 'Not saved: the stored SEG was deleted from the PACS after this page opened it (the outlines on screen are the copy the page loaded).' });
}

/**
 * Saves an analysis of `ds`: "already saved" when its content equals the last saved result and no version was
 * stored after it, a retry of the pending result when an unsaved one with the same content exists, else a new
 * version. Where the PACS holds a version this page did not know of (versionKnown), nothing is stored and the state
 * says so (newerVersion), unless `saveOverVersion` is that version (the reader chose to save anyway).
 */
async function saveAnalysis(ds: DisplaySet, a: ViewerAnalysis, saveOverVersion?: number): Promise<void> {
  const seriesUid = ds.SeriesInstanceUID;
  const studyUid = ds.StudyInstanceUID;
  const fp = reportFingerprint(a.report);
  const last = await idbGet<SavedRecord>(studyUid, saved()).catch(() => undefined);
  // Undefined when the PACS cannot be asked: a save then fails and stays pending.
  const series = await studySeries(studyUid).catch((e) => void console.warn('Spine MRI: could not list the study series', e));
  // Already saved while that version is still the newest: after a version stored since, Save makes this one newest.
  const newest = series ? latestStoredReport(series)?.version ?? 0 : 0;
  if (last?.fingerprint === fp && newest <= last.version) {
    keptFingerprints.add(fp);
    return setSave(seriesUid, { status: 'unchanged', version: last.version, savedAt: last.savedAt });
  }
  const open = await listPending(pending(), studyUid);
  const same = open.find((p) => reportFingerprint(p.report) === fp);
  if (same) return resend(seriesUid, studyUid, same);

  setSave(seriesUid, { status: 'working', step: 'build' });
  await new Promise((r) => setTimeout(r, 0)); // let the panel show "Building…" before the synchronous build
  try {
    const known = versionKnown(studyUid, last, open);
    const newer = series && known !== undefined ? newerStoredReport(series, known) : undefined;
    if (newer && newer.version !== saveOverVersion) return refuseForNewer(seriesUid, studyUid, newer, analysisSupersededMessage(known!, newer.version));
    const version = Math.max(await versionFromPacs(studyUid, series ?? undefined), (last?.version ?? 0) + 1, ...open.map((p) => p.version + 1));
    const stow = withSteps(dataSourceStow(), ['SEG', 'SR'], (step) => setSave(seriesUid, { status: 'working', step }));
    const patientStudy = patientStudyFrom((ds.instances?.[0] ?? {}) as never);
    const r = await saveToPacs({ report: savedBy(a.report, signedInReader()), labelmap: a.labelmap, sourceVolume: a.sourceVolume, patientStudy }, stow, pending(), { version });
    await recordSaved(studyUid, a.report, version);
    setSave(seriesUid, savedState(r));
  } catch (e) {
    console.error(e);
    setSave(seriesUid, { status: 'error', message: failureMessage(e), pendingId: e instanceof SaveToPacsError ? e.pendingId : undefined });
  }
  await refreshPending(studyUid);
}

/** Save-state key of the reader's changes to a study's stored findings (they belong to no analysed series). */
export const storedEditsKey = (studyUid: string) => `stored:${studyUid}`;

/** The level names beside the stored SEG's bodies, as `report` names them ('L4?' while uncertain), and the evidence drawn with its grades. */
function redrawStored(st: Extract<StoredState, { status: 'loaded' }>, report: SpineReport): void {
  const segments = report.segments.length ? report.segments : st.segments;
  showEvidenceOverlays({ ...report, segments: segments ?? [] });
  if (!st.sourceImageIds?.length || !segments?.length) return;
  try { showLevelLabels(st.sourceImageIds, segments, !report.levelNaming.certain); } catch (e) { console.error(e); }
}

/**
 * Keeps the reader's changes to a study's stored findings in this browser (reader-drafts.ts, under the stored SR), with
 * the stored SEG's body and disc outlines where the reader corrected some in this page and has not measured them yet
 * (read only then: a grade change does not read and compare the whole SEG).
 */
function keepStoredChanges(studyUid: string, kept = storedOutlineEditsSeen(studyUid)): void {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded') return;
  const draftKey = storedEditsDraftKey(st.stored.report);
  if (!draftKey) return;
  keepReaderDraft(draftKey, st.edited ?? (kept ? st.stored.report : undefined), { reader: signedInReader(), outlines: kept?.outlines, outlineImageIds: kept?.imageIds })
    .catch((e) => console.error('Spine MRI: could not keep the changes in this browser', e));
}

/**
 * The stored SEG's outlines as the reader corrected them, to keep; undefined where none differs (from the SEG as loaded).
 * @throws Error when the stored SEG shown cannot be read (no longer shown).
 */
function storedOutlineEdits(st: Extract<StoredState, { status: 'loaded' }>): KeptStoredOutlines | undefined {
  const outlines = storedOutlinesOf(st, (st.edited ?? st.stored.report).seriesInstanceUid);
  return outlines && storedOutlinesToKeep(outlines);
}

/** storedOutlineEdits, read only where this page has seen the reader edit the stored SEG; undefined where it cannot be read. */
function storedOutlineEditsSeen(studyUid: string): KeptStoredOutlines | undefined {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded' || !st.outlinesEdited) return undefined;
  try {
    return storedOutlineEdits(st);
  } catch {
    return undefined; // the stored SEG is no longer shown
  }
}

/** The stored SEG's pixels as shown now, per source imageId; undefined where it is not shown. */
function outlinesNow(st: Extract<StoredState, { status: 'loaded' }>): Map<string, Uint8Array> | undefined {
  if (!st.segmentationId || !st.sourceImageIds || !st.loadedOutlines) return undefined;
  try {
    return copyLabelmapSlices(st.segmentationId, st.sourceImageIds, [...st.loadedOutlines.keys()]);
  } catch {
    return undefined;
  }
}

let listeningToStoredSegs = false;

/**
 * Keeps outline edits of a stored SEG not measured yet, a second after the reader's last brush or eraser stroke on
 * it. Only edits: loading the SEG fires the same event, and must not replace the changes an earlier page kept.
 */
function keepStoredOutlineEditsAsMade(): void {
  if (listeningToStoredSegs) return;
  listeningToStoredSegs = true;
  onOutlinesChanged((id) => {
    const [studyUid, study] = [...studyStates].find(([, x]) => x.stored.status === 'loaded' && x.stored.segmentationId === id) ?? [];
    const st = study?.stored;
    if (!studyUid || st?.status !== 'loaded') return;
    let kept: KeptStoredOutlines | undefined;
    try {
      kept = storedOutlineEdits(st); // read once per burst of strokes: decides, and is what is kept
    } catch {
      return; // no longer shown
    }
    if (!kept && !st.outlinesEdited) return;
    setStudy(studyUid, { stored: { ...st, outlinesEdited: !!kept } }); // undone: the draft goes back to the findings' changes
    keepStoredChanges(studyUid, kept);
  });
}

/**
 * Applies a change to the stored findings of a study (kept until saved or discarded; survives the panel closing).
 * A level shift needs the stored SEG's segments in the report (StoredResults puts them there).
 */
export function editStored(studyUid: string, change: (r: SpineReport) => SpineReport): void {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded') return;
  const changed = change(st.edited ?? st.stored.report);
  // Every change undone: nothing left to save.
  const edited = sameReportContent(changed, st.stored.report) ? undefined : changed;
  setStudy(studyUid, { stored: { ...st, edited } });
  keepStoredChanges(studyUid);
  setSave(storedEditsKey(studyUid), IDLE);
  redrawStored(st, changed);
}

/**
 * Drops the unsaved changes to the stored findings.
 * @param redraw false when a new result took them (Measure again of the stored outlines) and is shown instead
 */
export function discardStoredEdits(studyUid: string, redraw = true): void {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status === 'loaded') {
    // Taken by a new result, the stored SEG's outlines as they are now were measured: only later edits are unsaved.
    const taken = redraw ? {} : { outlinesEdited: false, loadedOutlines: outlinesNow(st) ?? st.loadedOutlines };
    setStudy(studyUid, { stored: { ...st, edited: undefined, ...taken } });
    if (st.edited && redraw) redrawStored(st, st.stored.report);
    // Gone from the browser too: discarded by the reader (outline edits not measured stay kept: Discard drops the
    // findings' changes), or taken by a new result, whose own kept changes (under its series) hold them from now on;
    // kept twice, a page opened after a crash would offer them twice.
    const draftKey = storedEditsDraftKey(st.stored.report);
    if (redraw) keepStoredChanges(studyUid);
    else if (draftKey) dropReaderDraft(draftKey).catch((e) => console.error('Spine MRI: could not drop the kept changes', e));
  }
  setSave(storedEditsKey(studyUid), IDLE);
}

/**
 * Why changes to stored version `opened` are not saved at once: version `newer` was stored since, and a version made
 * from `opened` would not hold its changes. The reader decides: Open version `newer` (openNewestVersion) offers the
 * changes there; supersededMessage's button saves anyway.
 */
export function supersededMessage(opened: number, newer: number): string {
  return `Not saved: version ${newer} of these findings was stored after you opened version ${opened} (from another page or by another reader, or a new analysis). Open version ${newer} reloads the study with it and offers your changes, kept in this browser, to apply to it. Saved now instead, your changes to version ${opened} become version ${newer + 1}, without the changes made in version ${newer}. To compare first, open ‘${srSeriesDescription(newer)}’ from the study list in a viewport.`;
}

/**
 * Reloads the page, so that the study opens with its newest stored version, which offers the reader's changes to the
 * version opened here (useOlderVersionDraft.ts). Only once this browser keeps them as they stand (reader-drafts.ts):
 * otherwise nothing is reloaded and the state says why, the save-anyway button kept.
 */
async function openNewestVersion(studyUid: string): Promise<void> {
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded' || !st.edited) return;
  const key = storedEditsDraftKey(st.stored.report);
  const kept = key ? await readerDraft(key).catch(() => undefined) : undefined;
  if (!kept || !sameReportContent(kept.report, st.edited)) {
    const now = saveStates.get(storedEditsKey(studyUid));
    return setSave(storedEditsKey(studyUid), {
      status: 'error', newerVersion: now?.status === 'error' ? now.newerVersion : undefined,
      message: 'Not reloaded: this browser did not keep your changes, so the page would lose them. Save them as the next version anyway, or note them first.',
    });
  }
  setStudy(studyUid, { stored: { ...st, edited: undefined } }); // kept in this browser: the page closes without asking
  window.location.reload();
}

/**
 * Saves the reader's changes to the stored findings as the next version: an SR of the changed report referring to
 * the stored SEG, carried over as a copy only where the reader renamed the levels (store/save.ts saveRevisionToPacs).
 * On success the changed report is the stored one; on a failed STOW it stays pending in IndexedDB ("Resume unsaved result", Retry) and the changes stay on screen.
 * Where the PACS holds a newer version than the one changed, nothing is stored and the state says so (newerVersion),
 * unless `saveOverVersion` is that version (the reader chose to save anyway).
 */
async function saveStoredEdits(studyUid: string, saveOverVersion?: number): Promise<void> {
  const key = storedEditsKey(studyUid);
  const st = studyStates.get(studyUid)?.stored;
  if (st?.status !== 'loaded' || !st.edited) return;
  const edited = st.edited;
  setSave(key, { status: 'working', step: 'build' });
  try {
    const open = await listPending(pending(), studyUid);
    // After a failed STOW the same changes are pending: send those bytes again (no duplicate version).
    const same = open.find((p) => reportFingerprint(p.report) === reportFingerprint(edited));
    let r: PendingResult;
    if (same) {
      const stow = withSteps(dataSourceStow(), same.segStored ? ['SR'] : ['SEG', 'SR'], (step) => setSave(key, { status: 'working', step }));
      r = await retryPending(same.id, stow, pending());
    } else {
      // Undefined when the PACS cannot be asked: the save then fails and stays pending.
      const series = await studySeries(studyUid).catch((e) => void console.warn('Spine MRI: could not list the study series', e));
      const newer = series && newerStoredReport(series, st.stored.version);
      if (newer && newer.version !== saveOverVersion) return refuseForNewer(key, studyUid, newer, supersededMessage(st.stored.version, newer.version));
      const segUid = st.stored.segSeriesInstanceUid;
      if (series && segUid && !series.some((row) => row.seriesInstanceUid === segUid)) return refuseForDeletedSeg(key, studyUid, segUid);
      const storedSeg = await retrieveStoredSeg(studyUid, st.stored);
      const version = Math.max(await versionFromPacs(studyUid, series), st.stored.version + 1, ...open.map((p) => p.version + 1));
      const stow = withSteps(dataSourceStow(), ['SEG', 'SR'], (step) => setSave(key, { status: 'working', step }));
      r = await saveRevisionToPacs({ report: savedBy(edited, signedInReader()), storedSeg }, stow, pending(), { version });
    }
    const version = r.version;
    const draftKey = storedEditsDraftKey(st.stored.report);
    if (draftKey) await dropReaderDraft(draftKey, edited).catch((e) => console.error('Spine MRI: could not drop the kept changes', e));
    const now = studyStates.get(studyUid)?.stored;
    if (now?.status === 'loaded') {
      // The report as stored now: a further change revises this version's SR.
      const fromStoredSr = { studyInstanceUid: studyUid, seriesInstanceUid: r.srSeriesInstanceUid, sopInstanceUid: r.srSopInstanceUid };
      const stored = { version, srSeriesInstanceUid: r.srSeriesInstanceUid, segSeriesInstanceUid: r.segSeriesInstanceUid, ...(r.reusedSeg?.version ? { segVersion: r.reusedSeg.version } : {}), report: { ...r.report, createdAt: r.createdAt, fromStoredSr } };
      const segments = edited.segments.length ? edited.segments : now.segments; // renamed when the reader shifted the levels
      setStudy(studyUid, { stored: { ...now, stored, segments, edited: now.edited === edited ? undefined : now.edited } });
      // A stored SEG the viewer did not show (an earlier build's, drawn shifted) is carried over in a form it shows.
      if (!now.segShown) void showStoredOutlines(studyUid, stored, r.segSeriesInstanceUid);
    }
    setSave(key, savedState(r));
  } catch (e) {
    console.error(e);
    const message = e instanceof SaveToPacsError ? failureMessage(e) : `Could not save the changed findings: ${(e as Error)?.message ?? String(e)}. Your changes are still on screen; press Retry.`;
    setSave(key, { status: 'error', message, pendingId: e instanceof SaveToPacsError ? e.pendingId : undefined });
  }
  await refreshPending(studyUid);
}

/** The reader's changes to a study's stored findings: their save state, and change / save / discard. */
export function useStoredEdits(studyUid: string) {
  const state = useSyncExternalStore(subscribe, () => saveStates.get(storedEditsKey(studyUid)) ?? IDLE);
  return {
    state,
    edit: useCallback((change: (r: SpineReport) => SpineReport) => editStored(studyUid, change), [studyUid]),
    /** @param saveOverVersion the newer stored version the reader chose to save over (state.newerVersion) */
    save: useCallback((saveOverVersion?: number) => saveStoredEdits(studyUid, saveOverVersion), [studyUid]),
    discard: useCallback(() => discardStoredEdits(studyUid), [studyUid]),
    /** After a save refused for a newer version (state.newerVersion): reload with it, the changes kept. */
    openNewest: useCallback(() => openNewestVersion(studyUid), [studyUid]),
  };
}

/** Forget the save state of a series (a new analysis is a new result). */
export function resetSave(seriesUid: string): void {
  setSave(seriesUid, IDLE);
}

/** Save state of one analysed series (SeriesInstanceUID), with save and retry. */
export function useSave(seriesUid: string) {
  const state = useSyncExternalStore(subscribe, () => saveStates.get(seriesUid) ?? IDLE);
  /** @param saveOverVersion the newer stored version the reader chose to save over (state.newerVersion) */
  const save = useCallback((ds: DisplaySet, a: ViewerAnalysis, saveOverVersion?: number) => saveAnalysis(ds, a, saveOverVersion), []);
  const retry = useCallback(
    async (studyUid: string, pendingId: string) => {
      const p = await pending().get(pendingId);
      if (!p) {
        setSave(seriesUid, { status: 'error', message: 'This unsaved result is no longer in this browser (already saved or discarded).' });
        return refreshPending(studyUid);
      }
      return resend(seriesUid, studyUid, p);
    },
    [seriesUid],
  );
  return { state, save, retry };
}

/**
 * Pending (unsaved) results and the stored result of a study; loads both when first used for the study
 * (the stored SR once per page load, the pending list on every mount).
 */
export function useStudySave(studyUid: string | undefined) {
  const state = useSyncExternalStore(subscribe, () => (studyUid && studyStates.get(studyUid)) || NO_STUDY);
  useEffect(() => {
    if (!studyUid) return;
    void refreshPending(studyUid);
    if (!storedRequested.has(studyUid)) {
      storedRequested.add(studyUid);
      void loadStored(studyUid);
    }
  }, [studyUid]);
  const discard = useCallback(
    async (id: string) => {
      await pending().delete(id);
      if (studyUid) await refreshPending(studyUid);
    },
    [studyUid],
  );
  return { state, discard };
}

/** The save state of every series (StoredResults hides a pending result that SaveSection already shows). */
export function useAllSaveStates(): Map<string, SaveState> {
  useSyncExternalStore(subscribe, () => revision);
  return saveStates;
}
