/**
 * Reader work that lives only in this page: a finished analysis the reader changed (a grade, a level name, names
 * confirmed) and changes to stored findings, whose content is neither in the PACS nor kept as a pending result in
 * IndexedDB. While there is any, the browser asks before the page is closed or reloaded (beforeunload; browsers show
 * their own wording). Leaving the mode inside OHIF loses nothing: results stay in this page's memory.
 */
import { hasReaderChanges } from '../pipeline/reader-edit';
import { finishedAnalysisReports } from './useAnalysis';
import { isKept, storedEditsNotSaved } from './useSave';

/** One line per result whose reader changes would be lost with the page; empty when leaving loses nothing. */
export function unsavedReaderWork(): string[] {
  const analyses = finishedAnalysisReports().filter((r) => hasReaderChanges(r) && !isKept(r))
    .map((r) => `your changes to the analysis of series ${r.seriesInstanceUid}`);
  const stored = storedEditsNotSaved().filter(({ edited }) => !isKept(edited))
    .map(({ studyUid }) => `your changes to the stored findings of study ${studyUid}`);
  return [...analyses, ...stored];
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
