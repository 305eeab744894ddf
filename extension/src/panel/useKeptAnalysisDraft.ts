/**
 * Changes to an analysis of this series that an earlier page kept in this browser (a crashed or closed tab's): the
 * draft, and what the carry-over bar offers of it once a new result is shown — its grade changes and level names, and
 * its corrected outlines, measured in place of the new result's (Apply).
 */
import type { DisplaySet } from '../../../types/ohif';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import type { EarlierResult } from './CarryOverOffer';
import type { AnalysisState, Remeasure } from './useAnalysis';
import type { StoredState } from './useSave';
import type { OutlineNote } from './outlineCorrection';
import { keptAtText, useKeptDraft, whoseChanges } from './useKeptDraft';
import { signedInReader } from '../ohif/readerName';
import { analysisDraftKey, type ReaderDraft } from '../store/reader-drafts';
import { keptLabelmap } from '../store/kept-outlines';
import { outlinedSegments } from '../pipeline/edited-outlines';
import { hasPendingChanges, pendingStoredChanges } from './storedReaderChanges';

/**
 * What the carry-over bar offers of a kept draft's corrected outlines: restored by `restore` where the new result's
 * labelmap has the dims they were drawn in (`dims`), else why not.
 */
function keptOutlinesOffer(kept: ReaderDraft, dims: readonly number[] | undefined, restore: () => void): Pick<EarlierResult, 'correctedOutlines' | 'outlinesNotRestored' | 'apply'> {
  const corrected = kept.report.segments.filter((x) => x.outlineCorrected).map((x) => x.label);
  if (!kept.outlines || !corrected.length || !dims) return {};
  if (kept.outlines.dims.join() !== dims.join()) {
    return { outlinesNotRestored: `they were drawn on ${kept.outlines.dims.join('×')} voxels, and the series now has ${dims.join('×')}` };
  }
  return { correctedOutlines: corrected, apply: restore };
}

export function useKeptAnalysisDraft({ displaySet, state, stored, measured, measureOutlines, setOutlineNote }: {
  displaySet?: DisplaySet;
  state: AnalysisState;
  stored: StoredState;
  /** The result shown, its segmentation and series (none before a result). */
  measured?: { result: ViewerAnalysis; ds: DisplaySet };
  /** Measures outlines instead of segmenting, on the series and weighting `result` analysed. */
  measureOutlines: (ds: DisplaySet, result: ViewerAnalysis, remeasure: Remeasure) => void;
  setOutlineNote: (note: OutlineNote) => void;
}): { olderDraft?: ReaderDraft; discardDraft: () => void; offer: EarlierResult[] } {
  const [draft, discardDraft] = useKeptDraft(displaySet && analysisDraftKey(displaySet.SeriesInstanceUID), state.status);
  // A draft made before the result shown (a crashed or closed page's), not this result's own changes, nor changes the
  // PACS holds already (saved, or carried into a stored version; a save drops corrected outlines it stored).
  const olderDraft = draft && (state.status !== 'done' || draft.keptAt < state.result.report.createdAt)
    && !(stored.status === 'loaded' && !draft.outlines && !hasPendingChanges(pendingStoredChanges(stored.stored.report, draft.report))) ? draft : undefined;
  /** Apply: the kept outlines measured (as Measure again measures them) in place of the new result's, with the kept names and grade changes. */
  const restoreKept = (kept: ReaderDraft) => {
    if (!measured || !kept.outlines) return;
    const { result, ds } = measured;
    let labelmap;
    try {
      labelmap = keptLabelmap(kept.outlines);
    } catch (e) {
      setOutlineNote({ text: `Could not restore the outlines kept in this browser: ${(e as Error).message}`, error: true });
      return;
    }
    const outlined = outlinedSegments(kept.report.segments);
    setOutlineNote(undefined);
    measureOutlines(ds, result, {
      outlines: { labelmap, segments: kept.report.segments.filter((x) => outlined.has(x.segmentNumber)), levelNaming: kept.report.levelNaming, run: kept.report.run ?? result.run, model: kept.report.model },
      changesFrom: kept.report,
      from: `the analysis of ${keptAtText(kept)}, kept in this browser`,
    });
  };
  const offer: EarlierResult[] = olderDraft ? [{
    report: olderDraft.report,
    what: `the analysis of ${keptAtText(olderDraft)}, kept in this browser (not saved to the PACS)`,
    onDiscard: discardDraft,
    whose: whoseChanges(olderDraft, signedInReader()),
    ...keptOutlinesOffer(olderDraft, measured?.result.labelmap.dims, () => restoreKept(olderDraft)),
  }] : [];
  return { olderDraft, discardDraft, offer };
}
