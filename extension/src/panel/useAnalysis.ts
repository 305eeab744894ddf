/** React state of one analysis run: idle → running (stage progress) → done | error; cancel. */
import { useCallback, useSyncExternalStore } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { AnalysisStage, ReaderOutlines } from '../ohif/analysisProtocol';
export { overallProgress, STAGE_LABEL } from './progress';
import { startAnalysis, type AnalysisRun, type ViewerAnalysis } from '../ohif/analysisClient';
import { renameSegments, SEGMENTATION_ID_PREFIX, showLabelmap } from '../ohif/showSegmentation';
import { showLevelLabels } from '../ohif/levelLabels';
import { showEvidenceOverlays } from '../ohif/evidenceOverlays';
import { showMidSagittalIfSpineOffScreen } from '../ohif/scrollStacks';
import { showWhereLastShown } from '../ohif/imagesShown';
import type { SourceSeriesRef, SpineReport } from '../pipeline/report';
import type { SeriesRole, SpineVolume } from '../pipeline/volume';
import { applyStoredChanges, pendingStoredChanges } from './storedReaderChanges';
import { analysisDraftKey, keepReaderDraft } from '../store/reader-drafts';
import { hasReaderChanges } from '../pipeline/reader-edit';
import { signedInReader } from '../ohif/readerName';
import { keepOutlines } from '../store/kept-outlines';
import { outlinedSegments, withEditedOutlines, type EditedOutlines } from '../pipeline/edited-outlines';
import { outlinesShown } from './outlineCorrection';
import { getOhifContext } from '../ohif/context';
import { onOutlinesChanged } from '../ohif/outlineEdits';

export type AnalysisState =
  | { status: 'idle' }
  | { status: 'running'; stage: AnalysisStage; done: number; total: number; startedAt: number }
  /** rerunFailed: why the last Analyze again (or Measure again: rerunWhat) did not finish (failed or cancelled); the result shown is the one before it. */
  | { status: 'done'; result: ViewerAnalysis; segmentationId?: string; displayError?: string; rerunFailed?: string; rerunWhat?: 'Analyze again' | 'Measure again' }
  | { status: 'error'; message: string; cancelled: boolean };

const IDLE: AnalysisState = { status: 'idle' };

/** Measure again: the outlines measured instead of segmenting, and the report whose reader changes carry over to the result. */
export interface Remeasure {
  outlines: ReaderOutlines | ((imageIds: string[], volume: SpineVolume) => ReaderOutlines);
  /** The result or stored report the outlines were corrected on: its level names and grade changes are applied at once. */
  changesFrom: SpineReport;
  /** Set when the outlines are a stored SEG's: which ('the stored SEG (version 2)'). */
  from?: string;
  /** Called once the result, with the changes of `changesFrom`, is on screen. */
  onMeasured?: () => void;
}

/** Series whose outlines the reader edited (brush, eraser) since they were last measured, as this page has seen. */
const editedSinceMeasured = new Set<string>();

/**
 * Keeps the reader's changes to the series' result in this browser as they are made, so that a crash or a closed tab
 * before Save to PACS loses nothing: with the body and disc outlines where the reader corrected some, as shown now
 * (edited with the brush or eraser, measured again or not yet).
 */
function keepChanges(seriesInstanceUid: string, edits = outlineEditsSinceMeasured(seriesInstanceUid)): void {
  const st = states.get(seriesInstanceUid);
  if (st?.status !== 'done') return;
  let { report, labelmap } = st.result;
  if (edits?.changed) { report = withEditedOutlines(report, edits); labelmap = edits.labelmap; }
  const outlines = report.segments.some((x) => x.outlineCorrected) ? keepOutlines(labelmap, outlinedSegments(report.segments)) : undefined;
  keepReaderDraft(analysisDraftKey(seriesInstanceUid), hasReaderChanges(report) ? report : undefined, { reader: signedInReader(), outlines })
    .catch((e) => console.error('Spine MRI: could not keep the changes in this browser', e));
}

/**
 * The outlines shown on the series' segmentation against those measured, where the reader edited them since
 * (reading and counting a 512×512×20 labelmap takes a while: not at every grade change).
 */
function outlineEditsSinceMeasured(seriesInstanceUid: string): EditedOutlines | undefined {
  const st = states.get(seriesInstanceUid);
  return st?.status === 'done' && st.segmentationId && editedSinceMeasured.has(seriesInstanceUid) ? outlineEditsShown(seriesInstanceUid, st.result, st.segmentationId) : undefined;
}

/** The outlines shown on the series' segmentation against those measured; undefined where they cannot be read. */
function outlineEditsShown(seriesInstanceUid: string, result: ViewerAnalysis, segmentationId: string): EditedOutlines | undefined {
  const ds = getOhifContext().servicesManager.services.displaySetService.getActiveDisplaySets().find((d: DisplaySet) => d.SeriesInstanceUID === seriesInstanceUid);
  try {
    return ds ? outlinesShown(ds, result, segmentationId) : undefined;
  } catch {
    return undefined; // the segmentation is no longer shown (removed in OHIF's panel)
  }
}

let listening = false;

/**
 * Keeps outline edits not measured yet too, a second after the reader's last brush or eraser stroke on an analysis'
 * segmentation. Only edits: showing a new result, which fires the same event, must not replace the changes an earlier
 * page kept.
 */
function keepOutlineEditsAsMade(): void {
  if (listening) return;
  listening = true;
  onOutlinesChanged((id) => {
    if (!id.startsWith(SEGMENTATION_ID_PREFIX)) return;
    const series = id.slice(SEGMENTATION_ID_PREFIX.length);
    const st = states.get(series);
    if (st?.status !== 'done' || st.segmentationId !== id) return;
    const edits = outlineEditsShown(series, st.result, id);
    if (!edits?.changed && !editedSinceMeasured.has(series)) return;
    keepChanges(series, edits); // undone: the draft goes back to what was measured
    if (edits?.changed) editedSinceMeasured.add(series);
    else editedSinceMeasured.delete(series);
  });
}

/** Each series' previous analysis report in this session, kept when Analyze is pressed again (its reader changes can be carried over). */
const previousReports = new Map<string, SpineReport>();

/**
 * Analysis state per series, outside React: OHIF unmounts a panel when the user switches tabs, and
 * a running or finished analysis must survive that.
 */
const states = new Map<string, AnalysisState>();
const runs = new Map<string, AnalysisRun>();
const listeners = new Set<() => void>();
function setState(key: string, s: AnalysisState): void {
  states.set(key, s);
  listeners.forEach((l) => l());
}
function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The finished analyses of this page shown as a segmentation (the reader may have edited its outlines), for unsavedWork.ts. */
export function shownAnalyses(): { seriesInstanceUid: string; result: ViewerAnalysis; segmentationId: string }[] {
  return [...states].flatMap(([seriesInstanceUid, s]) => (s.status === 'done' && s.segmentationId ? [{ seriesInstanceUid, result: s.result, segmentationId: s.segmentationId }] : []));
}

/** The reports of the finished analyses of this page (with the reader's changes), for unsavedWork.ts. */
export function finishedAnalysisReports(): SpineReport[] {
  return [...states.values()].flatMap((s) => (s.status === 'done' ? [s.result.report] : []));
}

/** @param key the analysed series' SeriesInstanceUID (one state per series). */
export function useAnalysis(key: string) {
  const state = useSyncExternalStore(subscribe, () => states.get(key) ?? IDLE);

  /**
   * Runs an analysis of `ds`; with `remeasure` (Measure again) it measures the reader's corrected outlines instead
   * of segmenting, and the reader's grade changes in the result or stored report they were corrected on are applied
   * to the new one at once.
   */
  const start = useCallback(
    (ds: DisplaySet, role: SeriesRole, otherSeries: SourceSeriesRef[] = [], axialT2?: DisplaySet, sagittalT1?: DisplaySet, weightingStatedByReader = false, remeasure?: Remeasure) => {
      const startedAt = Date.now();
      const prev = states.get(key);
      const previousBefore = previousReports.get(key);
      if (prev?.status === 'done') previousReports.set(key, prev.result.report);
      setState(key, { status: 'running', stage: 'read', done: 0, total: 1, startedAt });
      // Its outlines are drawn where the series is shown: put it back on screen if something took its place.
      try { showWhereLastShown(ds); } catch (e) { console.error(e); }
      const r = startAnalysis(ds, role, otherSeries, (stage, done, total) => setState(key, { status: 'running', stage, done, total, startedAt }), axialT2, sagittalT1, weightingStatedByReader, remeasure?.outlines);
      runs.set(key, r);
      r.promise.then(
        async (measured) => {
          // The same outlines and names, measured again: the reader's grades carry over without asking.
          const result = remeasure
            ? { ...measured, report: applyStoredChanges(measured.report, pendingStoredChanges(measured.report, remeasure.changesFrom)), ...(remeasure.from ? { remeasuredFrom: remeasure.from } : {}) }
            : measured;
          let segmentationId: string | undefined;
          let displayError: string | undefined;
          try {
            if (result.segments.length) {
              segmentationId = await showLabelmap(ds, result.imageIds, result.labelmap, result.segments);
              showMidSagittalIfSpineOffScreen(result.imageIds, result.labelmap, result.segments);
            }
            try { showLevelLabels(result.imageIds, result.segments, !result.report.levelNaming.certain); } catch (e) { console.error(e); } // names on the image are a help, not the result
            showEvidenceOverlays(result.report);
          } catch (e) {
            displayError = `Could not show the segmentation: ${(e as Error).message}`;
            console.error(e);
          }
          if (runs.get(key) !== r) return;
          setState(key, { status: 'done', result, segmentationId, displayError });
          editedSinceMeasured.delete(key);
          if (remeasure) keepChanges(key); // the corrected outlines and what was measured from them
          try { keepOutlineEditsAsMade(); } catch (e) { console.error(e); }
          remeasure?.onMeasured?.();
        },
        (e: unknown) => {
          // Never an empty message: some libraries reject with something other than an Error.
          const message = e instanceof Error && e.message ? e.message : `The analysis failed (${String(e)}); press Analyze to try again.`;
          if (runs.get(key) !== r) return;
          if (prev?.status === 'done') {
            // A failed or cancelled Analyze again keeps the result it would have replaced, with the reader's changes
            // (still unsaved work, still saveable); the labelmap shown was never replaced.
            if (previousBefore) previousReports.set(key, previousBefore);
            else previousReports.delete(key);
            setState(key, { ...prev, rerunFailed: message, rerunWhat: remeasure ? 'Measure again' : 'Analyze again' });
          } else {
            setState(key, { status: 'error', message, cancelled: /cancel/i.test(message) });
          }
        },
      );
    },
    [key],
  );

  const cancel = useCallback(() => runs.get(key)?.cancel(), [key]);

  /** Applies a reader correction to the finished result (the saved SEG/SR then carry it). */
  const edit = useCallback(
    (fn: (r: SpineReport) => SpineReport) => {
      const st = states.get(key);
      if (st?.status !== 'done') return;
      const report = fn(st.result.report);
      setState(key, { ...st, rerunFailed: undefined, result: { ...st.result, report, segments: report.segments } });
      keepChanges(key);
      if (st.segmentationId && report.segments !== st.result.report.segments) renameSegments(st.segmentationId, report.segments);
      if (report.segments !== st.result.report.segments || report.levelNaming.certain !== st.result.report.levelNaming.certain) {
        try { showLevelLabels(st.result.imageIds, report.segments, !report.levelNaming.certain); } catch (e) { console.error(e); }
      }
      // Names and grades on the outlines may have changed.
      showEvidenceOverlays(report);
    },
    [key],
  );
  return { state, start, cancel, edit, previousReport: previousReports.get(key) };
}
