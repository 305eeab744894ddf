/**
 * Measure again on reopened findings: the stored SEG's outlines as the reader corrected them in OHIF (or as an earlier
 * page kept those corrections in this browser), measured and graded with the stored level names and grade changes.
 * AnalyzeSection's Measure again button and carry-over bar use it while no analysis of this page is shown.
 */
import { useMemo } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { SpineReport } from '../pipeline/report';
import type { EarlierResult } from './CarryOverOffer';
import type { Remeasure } from './useAnalysis';
import { discardStoredEdits, resetSave, useStoredEdits, type StoredState } from './useSave';
import { keptStoredSlices, leftOutNote, NOTHING_EDITED_STORED, storedCorrectionsIn, storedOutlinesEdited, storedOutlinesOf, storedOutlinesShown, type OutlineNote, type StoredOutlines } from './outlineCorrection';
import { keptAtText, useKeptDraft, whoseChanges } from './useKeptDraft';
import { signedInReader } from '../ohif/readerName';
import { storedEditsDraftKey } from '../store/reader-drafts';

export function useStoredRemeasure({ displaySet, stored, idle, start, setOutlineNote }: {
  displaySet?: DisplaySet;
  stored: StoredState;
  /** No analysis of this page is shown or running: only then are the stored outlines the ones on screen. */
  idle: boolean;
  /** Starts the run on displaySet with the panel's series choice (useAnalysis start). */
  start: (ds: DisplaySet, remeasure: Remeasure) => void;
  setOutlineNote: (note: OutlineNote) => void;
}) {
  // The stored SEG on this series, whose outlines the reader may correct and measure again.
  const storedOutlines = idle ? storedOutlinesOf(stored, displaySet?.SeriesInstanceUID) : undefined;
  /** Measure again: the stored SEG's outlines as corrected on screen; or, with `kept`, as an earlier page kept them. */
  const measureStoredAgain = (kept?: { outlines: StoredOutlines; slices: Map<string, Uint8Array> }) => {
    if (!storedOutlines || !displaySet || stored.status !== 'loaded') return;
    const source = kept?.outlines ?? storedOutlines;
    const storedReport = source.report;
    try {
      if (!kept && !storedOutlinesEdited(storedOutlines)) { setOutlineNote({ text: NOTHING_EDITED_STORED, error: false }); return; }
    } catch (e) {
      setOutlineNote({ text: `Could not read the outlines shown: ${(e as Error).message}`, error: true });
      return;
    }
    setOutlineNote(undefined);
    resetSave(displaySet.SeriesInstanceUID);
    start(displaySet, {
      outlines: (imageIds, volume) => {
        const outlines = storedOutlinesShown(source, imageIds, volume, kept?.slices);
        const leftOut = kept ? undefined : leftOutNote(outlines, storedOutlines.segmentationId);
        if (leftOut) setOutlineNote({ text: leftOut, error: false });
        // The stored SEG's model made these outlines (the reader corrected them): the new report names it, not the one loaded now.
        return { labelmap: outlines.labelmap, segments: outlines.segments, levelNaming: storedReport.levelNaming, run: { backend: 'stored SEG', seconds: 0 }, model: storedReport.model };
      },
      changesFrom: storedReport,
      from: `the stored SEG (version ${stored.stored.version})${kept ? ', kept in this browser' : ''}`,
      // The stored findings' unsaved changes are the new result's now (saved with it, or kept pending with it).
      onMeasured: () => discardStoredEdits(displaySet.StudyInstanceUID, false),
    });
  };
  // Changes to the stored findings that an earlier page kept in this browser with outlines of the stored SEG corrected:
  // offered here, where they can be measured (StoredResults offers those without outlines).
  const [storedDraft, discardStoredDraft] = useKeptDraft(storedOutlines && stored.status === 'loaded' ? storedEditsDraftKey(stored.stored.report) : undefined, stored.status === 'loaded' ? stored.edited : undefined);
  const storedEdits = useStoredEdits(displaySet?.StudyInstanceUID ?? '');
  const keptStored = useMemo(() => {
    if (!storedDraft?.outlines || !storedDraft.outlineImageIds || stored.status !== 'loaded' || stored.edited || stored.outlinesEdited) return undefined;
    const outlines = storedOutlinesOf(stored, displaySet?.SeriesInstanceUID, storedDraft.report);
    if (!outlines) return undefined;
    try {
      const slices = keptStoredSlices({ outlines: storedDraft.outlines, imageIds: storedDraft.outlineImageIds }, outlines);
      return { draft: storedDraft, outlines, slices, corrected: storedCorrectionsIn(slices, outlines) };
    } catch (e) {
      return { draft: storedDraft, outlines, notRestored: (e as Error).message };
    }
  }, [storedDraft, stored, displaySet]);
  const keptStoredOffer: EarlierResult[] = keptStored && stored.status === 'loaded' ? [{
    report: keptStored.draft.report,
    what: `the stored findings (version ${stored.stored.version}) of ${keptAtText(keptStored.draft)}, kept in this browser (not saved to the PACS)`,
    onDiscard: discardStoredDraft,
    whose: whoseChanges(keptStored.draft, signedInReader()),
    ...(keptStored.slices
      ? { correctedOutlines: keptStored.corrected, apply: () => measureStoredAgain({ outlines: keptStored.outlines, slices: keptStored.slices }) }
      : { outlinesNotRestored: keptStored.notRestored }),
  }] : [];
  /** The kept grade changes alone, where the outlines cannot be restored (renaming needs the stored SEG's segments). */
  const applyToStored = (fn: (r: SpineReport) => SpineReport) => {
    try {
      storedEdits.edit((r) => fn(r.segments.length || !keptStored ? r : { ...r, segments: keptStored.outlines.segments }));
    } catch (e) {
      alert((e as Error).message);
    }
  };
  return { storedOutlines, measureStoredAgain, keptStoredOffer, applyToStored };
}
