/** Analyze button, stage progress bar with Cancel, then the results. */
import { useEffect, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { SourceSeriesRef } from '../pipeline/report';
import type { SeriesRole } from '../pipeline/volume';
import { ResultsView } from './ResultsView';
import { applyReaderEdit, confirmLevels, shiftLevels } from './readerEdits';
import { SaveSection } from './SaveSection';
import { discardStoredEdits, resetSave, useStudySave } from './useSave';
import { useStoredRemeasure } from './useStoredRemeasure';
import { analysisCarryOverCandidates, CarryOverOffer } from './CarryOverOffer';
import { overallProgress, STAGE_LABEL, useAnalysis, type Remeasure } from './useAnalysis';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { prepareAnalysis } from '../ohif/analysisClient';
import type { EditedOutlines } from '../pipeline/edited-outlines';
import { leftOutNote, NOTHING_EDITED, outlinesShown, REPLACE_CORRECTED_OUTLINES, unmeasuredOutlineEdits, type OutlineNote } from './outlineCorrection';
import { colors, s } from './styles';
import { keptAtText, whoseChanges } from './useKeptDraft';
import { useKeptAnalysisDraft } from './useKeptAnalysisDraft';
import { signedInReader } from '../ohif/readerName';

/** How an analysis took its series' weighting, in words ('T2', 'T2 (as you stated)', 'unknown weighting'). */
function analysedAs(v: { role?: SeriesRole; weightingStatedByReader?: boolean }): string {
  const words = v.role === 'sagittal_t1' ? 'T1' : v.role === 'sagittal_stir' ? 'STIR' : v.role === 'other' ? 'unknown weighting' : 'T2';
  return v.weightingStatedByReader ? `${words} (as you stated)` : words;
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
  const [outlineNote, setOutlineNote] = useState<OutlineNote>();
  const running = state.status === 'running';
  const measured = state.status === 'done' && state.segmentationId && displaySet ? { result: state.result, segmentationId: state.segmentationId, ds: displaySet } : undefined;
  /** Measures outlines instead of segmenting, on the series and weighting `result` analysed (Measure again, kept outlines). */
  const measureOutlines = (ds: DisplaySet, result: ViewerAnalysis, remeasure: Remeasure) => {
    resetSave(ds.SeriesInstanceUID);
    const v = result.sourceVolume;
    start(ds, v.role ?? role, otherSeries, axialT2, sagittalT1, !!v.weightingStatedByReader, remeasure);
  };
  const { olderDraft, discardDraft, offer: keptDraftOffer } = useKeptAnalysisDraft({ displaySet, state, stored, measured, measureOutlines, setOutlineNote });
  // Applied, unsaved changes to the stored findings are the new result's (saved with it), no longer the stored findings'.
  const earlier = analysisCarryOverCandidates({
    previous: previousReport, keptDrafts: keptDraftOffer,
    ...(stored.status === 'loaded' ? { stored: stored.stored, edited: stored.edited } : {}),
    onEditedTaken: () => displaySet && discardStoredEdits(displaySet.StudyInstanceUID, false),
  });
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
  const { storedOutlines, measureStoredAgain, keptStoredOffer, applyToStored } = useStoredRemeasure({
    displaySet,
    stored,
    idle: state.status !== 'done' && !running,
    start: (ds, remeasure) => start(ds, role, otherSeries, axialT2, sagittalT1, weightingStatedByReader, remeasure),
    setOutlineNote,
  });
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
