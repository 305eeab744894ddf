/**
 * "Save to PACS" for a finished analysis: the button, the step in progress (building SEG+SR,
 * storing SEG, storing SR), and the outcome — saved (which series), already saved (nothing changed),
 * or the failure in plain words with Retry (the unsaved result is kept in IndexedDB).
 */
import { useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { ViewerAnalysis } from '../ohif/analysisClient';
import { SAVE_STEP_LABEL, useSave, type SaveState } from './useSave';
import { colors, s } from './styles';

/** @param unmeasuredEdits why saving now would lose the reader's outline edits (AnalyzeSection), undefined when it would not. */
export function SaveSection({ displaySet, analysis, unmeasuredEdits }: { displaySet: DisplaySet; analysis: ViewerAnalysis; unmeasuredEdits?: () => string | undefined }) {
  const { state, save, retry } = useSave(displaySet.SeriesInstanceUID);
  const [refused, setRefused] = useState<string>();
  const empty = analysis.segments.length === 0;
  const busy = state.status === 'working';
  const disabled = busy || empty;
  const newer = state.status === 'error' ? state.newerVersion : undefined;
  return (
    <div style={{ margin: '8px 0' }} data-testid="spine-save-section">
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <button
          type="button"
          data-testid="spine-save"
          style={{ ...s.button, ...(disabled ? s.buttonDisabled : {}) }}
          disabled={disabled}
          title={empty ? 'Nothing to save: no structures were segmented' : 'Store a DICOM SEG and a DICOM SR (TID 1500) in the PACS'}
          onClick={() => {
            const why = unmeasuredEdits?.();
            setRefused(why);
            if (!why) void save(displaySet, analysis, newer);
          }}
        >
          {busy ? 'Saving…' : newer ? `Save as version ${newer + 1} anyway` : 'Save to PACS'}
        </button>
        {state.status === 'error' && state.pendingId && (
          <button
            type="button"
            data-testid="spine-save-retry"
            style={s.secondaryButton}
            onClick={() => void retry(displaySet.StudyInstanceUID, state.pendingId!)}
          >
            Retry
          </button>
        )}
      </div>
      {refused && (
        <div style={s.error} data-testid="spine-save-refused">
          {refused}
        </div>
      )}
      {busy && (
        <div style={s.muted} data-testid="spine-save-progress">
          {SAVE_STEP_LABEL[state.step]}
        </div>
      )}
      <SaveOutcome state={state} testIdPrefix="spine-save" />
    </div>
  );
}

/**
 * What a save came to: stored (which series), nothing to store, or the failure in plain words (`<prefix>-status` /
 * `<prefix>-error`). Each outcome is its own element (key), so a new outcome replaces the message rather than editing it.
 */
export function SaveOutcome({ state, testIdPrefix }: { state: SaveState; testIdPrefix: string }) {
  if (state.status === 'saved') {
    return (
      <div key="saved" style={{ ...s.message, color: colors.ok }} data-testid={`${testIdPrefix}-status`}>
        {state.segReused
          ? `Saved: SR ‘${state.srDescription}’ stored in the PACS, referring to ‘${state.segDescription}’ (outlines unchanged).`
          : `Saved: SEG series ‘${state.segDescription}’ and SR ‘${state.srDescription}’ stored in the PACS.`}
      </div>
    );
  }
  if (state.status === 'unchanged') {
    return (
      <div key="unchanged" style={s.message} data-testid={`${testIdPrefix}-status`}>
        Already saved: nothing changed since version {state.version} was stored ({new Date(state.savedAt).toLocaleString()}).
      </div>
    );
  }
  if (state.status === 'error') return <div style={s.error} data-testid={`${testIdPrefix}-error`}>{state.message}</div>;
  return null;
}
