/** Analyze button, stage progress bar with Cancel, then the results. */
import { useEffect, useMemo, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { SourceSeriesRef, SpineReport } from '../pipeline/report';
import type { SeriesRole } from '../pipeline/volume';
import { ResultsView } from './ResultsView';
import { applyReaderEdit, confirmLevels, shiftLevels } from './readerEdits';
import { SaveSection } from './SaveSection';
import { discardStoredEdits, resetSave, useStoredEdits, useStudySave } from './useSave';
import { CarryOverOffer, type EarlierResult } from './CarryOverOffer';
import { overallProgress, STAGE_LABEL, useAnalysis, type Remeasure } from './useAnalysis';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { prepareAnalysis } from '../ohif/analysisClient';
import type { EditedOutlines } from '../pipeline/edited-outlines';
import { keptStoredSlices, leftOutNote, NOTHING_EDITED, NOTHING_EDITED_STORED, outlinesShown, REPLACE_CORRECTED_OUTLINES, storedCorrectionsIn, storedOutlinesEdited, storedOutlinesOf, storedOutlinesShown, unmeasuredOutlineEdits, type StoredOutlines } from './outlineCorrection';
import { colors, s } from './styles';
import { keptAtText, useKeptDraft, whoseChanges } from './useKeptDraft';
import { signedInReader } from '../ohif/readerName';
import { analysisDraftKey, storedEditsDraftKey, type ReaderDraft } from '../store/reader-drafts';
import { keptLabelmap } from '../store/kept-outlines';
import { outlinedSegments } from '../pipeline/edited-outlines';
import { hasPendingChanges, pendingStoredChanges } from './storedReaderChanges';

/** How an analysis took its series' weighting, in words ('T2', 'T2 (as you stated)', 'unknown weighting'). */
function analysedAs(v: { role?: SeriesRole; weightingStatedByReader?: boolean }): string {
  const words = v.role === 'sagittal_t1' ? 'T1' : v.role === 'sagittal_stir' ? 'STIR' : v.role === 'other' ? 'unknown weighting' : 'T2';
  return v.weightingStatedByReader ? `${words} (as you stated)` : words;
}

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

export function AnalyzeSection({
  displaySet,
  role,
  weightingStatedByReader = false,
  otherSeries = [],
  axialT2,
  sagittalT1,
  disabledReason,
}: {
  displaySet?: DisplaySet;
  role: SeriesRole;
  /** The reader stated the weighting `role` names (the headers do not say). */
  weightingStatedByReader?: boolean;
  /** The study's sagittal T1 / axial T2, for the grading's "not assessable" decisions. */
  otherSeries?: SourceSeriesRef[];
  /** The study's axial T2 display set: its images give the dural sac area. */
  axialT2?: DisplaySet;
  /** The study's sagittal T1 display set (not the analysed one): the foramina are measured on it. */
  sagittalT1?: DisplaySet;
  disabledReason?: string;
}) {
  const { state, start, cancel, edit, previousReport } = useAnalysis(displaySet?.SeriesInstanceUID ?? '');
  const { stored } = useStudySave(displaySet?.StudyInstanceUID).state;
  const [draft, discardDraft] = useKeptDraft(displaySet && analysisDraftKey(displaySet.SeriesInstanceUID), state.status);
  // A draft made before the result shown (a crashed or closed page's), not this result's own changes, nor changes the
  // PACS holds already (saved, or carried into a stored version; a save drops corrected outlines it stored).
  const olderDraft = draft && (state.status !== 'done' || draft.keptAt < state.result.report.createdAt)
    && !(stored.status === 'loaded' && !draft.outlines && !hasPendingChanges(pendingStoredChanges(stored.stored.report, draft.report))) ? draft : undefined;
  const [outlineNote, setOutlineNote] = useState<{ text: string; error: boolean }>();
  const running = state.status === 'running';
  const measured = state.status === 'done' && state.segmentationId && displaySet ? { result: state.result, segmentationId: state.segmentationId, ds: displaySet } : undefined;
  /** Measures outlines instead of segmenting, on the series and weighting `result` analysed (Measure again, kept outlines). */
  const measureOutlines = (ds: DisplaySet, result: ViewerAnalysis, remeasure: Remeasure) => {
    resetSave(ds.SeriesInstanceUID);
    const v = result.sourceVolume;
    start(ds, v.role ?? role, otherSeries, axialT2, sagittalT1, !!v.weightingStatedByReader, remeasure);
  };
  /**
   * Apply for kept changes that hold corrected outlines: those outlines are measured (as Measure again measures them)
   * in place of the new result's, with the kept level names and grade changes.
   */
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
  // Where reader changes may wait to be carried over to a new result: this page's previous analysis, the reader's
  // unsaved changes to the stored findings, the changes an earlier page kept in this browser, the stored report.
  const earlier: EarlierResult[] = [
    ...(previousReport ? [{ report: previousReport, what: 'the previous analysis' }] : []),
    ...(stored.status === 'loaded' && stored.edited && displaySet ? [{
      report: stored.edited,
      what: `the stored report (version ${stored.stored.version}, changed and not saved yet)`,
      // Applied, they are the new result's (saved with it), no longer unsaved changes of the stored findings.
      onTaken: () => discardStoredEdits(displaySet.StudyInstanceUID, false),
    }] : []),
    ...(olderDraft ? [{
      report: olderDraft.report,
      what: `the analysis of ${keptAtText(olderDraft)}, kept in this browser (not saved to the PACS)`,
      onDiscard: discardDraft,
      whose: whoseChanges(olderDraft, signedInReader()),
      ...keptOutlinesOffer(olderDraft, measured?.result.labelmap.dims, () => restoreKept(olderDraft)),
    }] : []),
    ...(stored.status === 'loaded' ? [{ report: stored.stored.report, what: `the stored report (version ${stored.stored.version})`, storedVersion: stored.stored.version }] : []),
  ];
  /** Measure again: the outlines shown, as the reader corrected them, measured and graded with the same series and names. */
  const measureAgain = () => {
    if (!measured) return;
    const { result, segmentationId, ds } = measured;
    let outlines: EditedOutlines;
    try {
      outlines = outlinesShown(ds, result, segmentationId);
    } catch (e) {
      setOutlineNote({ text: `Could not read the outlines shown: ${(e as Error).message}`, error: true });
      return;
    }
    const leftOut = leftOutNote(outlines, segmentationId);
    if (!outlines.changed) { setOutlineNote({ text: [NOTHING_EDITED, leftOut].filter(Boolean).join(' '), error: false }); return; }
    setOutlineNote(leftOut ? { text: leftOut, error: false } : undefined);
    measureOutlines(ds, result, {
      outlines: { labelmap: outlines.labelmap, segments: outlines.segments, levelNaming: result.report.levelNaming, run: result.run, model: result.report.model },
      changesFrom: result.report,
      from: result.remeasuredFrom, // outlines first taken from a stored SEG still are
    });
  };
  // Reopened findings: the stored SEG on this series, whose outlines the reader may correct and measure again.
  const storedOutlines = state.status !== 'done' && !running ? storedOutlinesOf(stored, displaySet?.SeriesInstanceUID) : undefined;
  /**
   * Measure again on reopened findings: the stored SEG's outlines as the reader corrected them, with the stored names
   * and grade changes; or, with `kept`, as an earlier page kept them in this browser, with its changes.
   */
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
    start(displaySet, role, otherSeries, axialT2, sagittalT1, weightingStatedByReader, {
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
  const disabled = !displaySet || running || !!disabledReason;
  // Load the models while the reader looks at the images, so that Analyze starts at once (again after a failed or
  // cancelled run; not after a result, when Analyze again is rare and the worker would hold its memory for nothing).
  useEffect(() => { if (!disabled && (state.status === 'idle' || state.status === 'error')) prepareAnalysis(); }, [disabled, state.status]);
  return (
    <div>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '6px 0' }}>
        <button
          type="button"
          data-testid="spine-analyze"
          style={{ ...s.button, ...(disabled ? s.buttonDisabled : {}) }}
          disabled={disabled}
          title={disabledReason ?? (state.status === 'done' ? 'Segment the series again (outlines you corrected are replaced; your grade changes are offered again)' : undefined)}
          onClick={() => {
            if (!displaySet) return;
            // Segmenting afresh replaces the outlines: ask before corrected ones (measured or not) are lost.
            const corrected = measured && (measured.result.report.segments.some((x) => x.outlineCorrected) || unmeasuredOutlineEdits(measured.ds, measured.result, measured.segmentationId));
            if (corrected && !window.confirm(REPLACE_CORRECTED_OUTLINES)) return;
            resetSave(displaySet.SeriesInstanceUID);
            setOutlineNote(undefined);
            start(displaySet, role, otherSeries, axialT2, sagittalT1, weightingStatedByReader);
          }}
        >
          {state.status === 'done' ? 'Analyze again' : 'Analyze'}
        </button>
        {(measured || storedOutlines) && (
          <button
            type="button"
            data-testid="spine-measure-again"
            style={s.secondaryButton}
            title={measured
              ? 'Measure and grade the outlines as you corrected them in the segmentation panel (brush, eraser), without segmenting again'
              : 'Measure and grade the stored outlines as you corrected them in the segmentation panel (brush, eraser), with the stored level names and grade changes, without segmenting again'}
            onClick={measured ? measureAgain : () => measureStoredAgain()}
          >
            Measure again
          </button>
        )}
        {running && (
          <button type="button" data-testid="spine-cancel" style={s.secondaryButton} onClick={cancel}>
            Cancel
          </button>
        )}
      </div>
      {running && (
        <div data-testid="spine-progress">
          <div style={{ height: 6, background: colors.border, borderRadius: 3, overflow: 'hidden' }}>
            <div style={{ width: `${Math.round(100 * overallProgress(state.stage, state.done, state.total))}%`, height: '100%', background: colors.accent }} />
          </div>
          <div style={s.muted}>
            {STAGE_LABEL[state.stage]} {state.total > 1 ? `${state.done}/${state.total}` : ''} · {((Date.now() - state.startedAt) / 1000).toFixed(0)} s
          </div>
        </div>
      )}
      {outlineNote && (
        <div style={outlineNote.error ? s.error : s.muted} data-testid="spine-outline-note">
          {outlineNote.text}
        </div>
      )}
      {state.status === 'error' && (
        <div style={state.cancelled ? s.warn : s.error} data-testid="spine-error">
          {state.message}
        </div>
      )}
      {state.status === 'done' && state.rerunFailed && (
        <div style={/cancel/i.test(state.rerunFailed) ? s.warn : s.error} data-testid="spine-rerun-failed">
          {state.rerunWhat ?? 'Analyze again'} did not finish: {state.rerunFailed} Shown below: the result before it, with your changes.
        </div>
      )}
      {state.status === 'done' && analysedAs(state.result.sourceVolume) !== analysedAs({ role, weightingStatedByReader }) && (
        <div style={s.warn} data-testid="spine-result-other-weighting">
          ⚠ This result analysed the series as {analysedAs(state.result.sourceVolume)}; the series is now chosen as {analysedAs({ role, weightingStatedByReader })}: press Analyze again to use that.
        </div>
      )}
      {state.status === 'done' && displaySet && <SaveSection displaySet={displaySet} analysis={state.result} unmeasuredEdits={() => (measured ? unmeasuredOutlineEdits(measured.ds, measured.result, measured.segmentationId) : undefined)} />}
      {state.status === 'done' && <CarryOverOffer report={state.result.report} candidates={earlier} onApply={edit} />}
      {state.status !== 'done' && !running && stored.status === 'loaded' && keptStoredOffer.length > 0 && (
        <CarryOverOffer report={stored.stored.report} candidates={keptStoredOffer} onApply={applyToStored} />
      )}
      {state.status !== 'done' && !running && olderDraft && (
        <div style={{ ...s.warn, display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' }} data-testid="spine-kept-draft">
          <span>{whoseChanges(olderDraft, signedInReader())} to an analysis of this series ({keptAtText(olderDraft)}){olderDraft.outlines ? ', outlines corrected among them' : ''}, not saved to the PACS, are kept in this browser: press Analyze to apply them again.</span>
          <button type="button" style={s.secondaryButton} data-testid="spine-kept-draft-discard" onClick={discardDraft}>Discard them</button>
        </div>
      )}
      {state.status === 'done' && (
        <ResultsView
          result={state.result}
          segmentationId={state.segmentationId}
          displayError={state.displayError}
          onEdit={(level, k, v) => edit((r) => applyReaderEdit(r, level, k, v))}
          onConfirmLevels={() => edit(confirmLevels)}
          onShiftLevels={(delta) => {
            try {
              edit((r) => shiftLevels(r, delta));
            } catch (e) {
              alert((e as Error).message);
            }
          }}
        />
      )}
    </div>
  );
}
