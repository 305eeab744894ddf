/**
 * Reader work that lives only in this page: a finished analysis the reader changed (a grade, a level name, names
 * confirmed), changes to stored findings, whose content is neither in the PACS nor kept as a pending result in
 * IndexedDB, outlines edited with the brush or eraser and not measured yet (of an analysis or a stored SEG), and
 * measurements drawn with OHIF's tools not stored as an SR (ohif/readerMeasurements.ts). While there is any, the
 * browser asks before the page is closed or reloaded (beforeunload; browsers show
 * their own wording). Leaving the mode inside OHIF loses no result or change of ours (they stay in this page's memory);
 * OHIF clears its measurements then, as in every mode: those in no stored SR are kept in this browser and offered back
 * (ohif/keptReaderMeasurements.ts).
 */
import { hasReaderChanges } from '../pipeline/reader-edit';
import { getOhifContext } from '../ohif/context';
import { unstoredReaderMeasurements } from '../ohif/readerMeasurements';
import { unmeasuredOutlineEdits, unmeasuredStoredOutlineEdits } from './outlineCorrection';
import { finishedAnalysisReports, shownAnalyses } from './useAnalysis';
import { isKept, loadedStoredFindings, storedEditsNotSaved } from './useSave';

/** One line per result whose reader changes would be lost with the page; empty when leaving loses nothing. */
export function unsavedReaderWork(): string[] {
  const analyses = finishedAnalysisReports().filter((r) => hasReaderChanges(r) && !isKept(r))
    .map((r) => `your changes to the analysis of series ${r.seriesInstanceUid}`);
  const stored = storedEditsNotSaved().filter(({ edited }) => !isKept(edited))
    .map(({ studyUid }) => `your changes to the stored findings of study ${studyUid}`);
  return [...analyses, ...stored, ...unmeasuredOutlines(), ...unstoredReaderMeasurements()];
}

/** One line per segmentation shown whose body or disc outlines the reader edited and has not measured yet. */
function unmeasuredOutlines(): string[] {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const shown = shownAnalyses();
  const live = shown.filter(({ seriesInstanceUid, result, segmentationId }) => {
    const ds = displaySetService.getActiveDisplaySets().find((d) => d.SeriesInstanceUID === seriesInstanceUid);
    return !!ds && !!unmeasuredOutlineEdits(ds, result, segmentationId);
  }).map(({ seriesInstanceUid }) => `your outline corrections on series ${seriesInstanceUid}, not measured yet`);
  // A stored SEG is replaced by an analysis of its series (Analyze, or Measure again of its outlines, which took the edits).
  const analysed = new Set(shown.map((a) => a.seriesInstanceUid));
  const stored = loadedStoredFindings().filter(({ stored: st }) => st.status === 'loaded'
    && !analysed.has((st.edited ?? st.stored.report).seriesInstanceUid) && !!unmeasuredStoredOutlineEdits(st)).map(({ studyUid }) => `your outline corrections on the stored SEG of study ${studyUid}, not measured yet`);
  return [...live, ...stored];
}

/** Makes the browser ask before the page is closed or reloaded while unsavedReaderWork() lists anything. Call once. */
export function askBeforeLeavingUnsavedWork(): void {
  window.addEventListener('beforeunload', (event) => {
    const unsaved = unsavedReaderWork();
    if (!unsaved.length) return;
    console.warn(`Spine MRI: not saved to the PACS: ${unsaved.join('; ')}`);
    event.preventDefault();
    event.returnValue = ''; // older Chromium needs it set to show the dialog
  });
}
