/**
 * After analysing again: the reader's changes in an earlier result (this page's previous analysis of the
 * series, the reader's unsaved changes to the stored report, an analysis whose changes an earlier page kept in this
 * browser, or the stored report; the first with changes the new result lacks) offered for the new one, so
 * that re-analysis loses no work (storedReaderChanges.ts); also, for stored findings opened, the unsaved changes to
 * this or an earlier version kept in this browser. Nothing is shown when there is nothing to carry over.
 */
import type { SpineReport } from '../pipeline/report';
import { applyStoredChanges, carryOverRefusal, hasPendingChanges, pendingChangeTexts, pendingStoredChanges } from './storedReaderChanges';
import { s } from './styles';

export interface EarlierResult {
  report: SpineReport;
  /** How the panel names it: 'the previous analysis', 'the stored report (version 2)'. */
  what: string;
  /** The stored version it is (absent for an analysis of this session, which is not in the PACS). */
  storedVersion?: number;
  /** Called once its changes are applied: they live in the new result from then on. */
  onTaken?: () => void;
  /** Drops it, where the reader may (changes kept in this browser): offered beside Apply, and beside a refusal. */
  onDiscard?: () => void;
  /** Whose changes they are, as the sentence begins: 'Your changes' unless said (useKeptDraft.ts whoseChanges). */
  whose?: string;
  /** The segments whose outlines it holds as the reader corrected them ('L3/L4 disc'), where they can be restored. */
  correctedOutlines?: string[];
  /** Why outlines it holds corrected cannot be restored to this result, where they cannot (the grade changes still can). */
  outlinesNotRestored?: string;
  /** Why its changes are not offered, where the caller knows better than carryOverRefusal (storedReaderChanges.ts newerVersionRefusal). */
  refusal?: string;
  /** Applies its changes instead of carrying the grade changes over (with `correctedOutlines`: measures those outlines). */
  apply?: () => void;
}

/**
 * Where reader changes may wait to be carried over to a new analysis, in the order offered: this page's previous
 * analysis, the reader's unsaved changes to the stored findings, analyses whose changes an earlier page kept in this
 * browser, the stored report — the last only where the reader has not changed the stored findings: the unsaved
 * changes hold the stored ones the reader kept, and not those the reader undid, which the stored report would offer
 * again.
 * @param onEditedTaken called once the unsaved changes are applied to the new result (they are its own from then on)
 */
export function analysisCarryOverCandidates({ previous, stored, edited, keptDrafts, onEditedTaken }: {
  previous?: SpineReport; stored?: { version: number; report: SpineReport }; edited?: SpineReport; keptDrafts: EarlierResult[]; onEditedTaken: () => void;
}): EarlierResult[] {
  return [
    ...(previous ? [{ report: previous, what: 'the previous analysis' }] : []),
    ...(stored && edited ? [{ report: edited, what: `the stored report (version ${stored.version}, changed and not saved yet)`, onTaken: onEditedTaken }] : []),
    ...keptDrafts,
    ...(stored && !edited ? [{ report: stored.report, what: `the stored report (version ${stored.version})`, storedVersion: stored.version }] : []),
  ];
}

/** How the sentence begins: whose the changes are. */
const whoseText = (earlier: Pick<EarlierResult, 'whose'>): string => earlier.whose ?? 'Your changes';

export function CarryOverOffer({ report, candidates, onApply }: { report: SpineReport; candidates: EarlierResult[]; onApply: (fn: (r: SpineReport) => SpineReport) => void }) {
  const outlines = (c: EarlierResult) => c.correctedOutlines?.length ? [`outlines corrected: ${c.correctedOutlines.join(', ')}`] : [];
  const earlier = candidates.find((c) => outlines(c).length || hasPendingChanges(pendingStoredChanges(report, c.report))) ?? candidates[0];
  if (!earlier) return null;
  const pending = pendingStoredChanges(report, earlier.report);
  const refusal = earlier.refusal ?? carryOverRefusal(report, earlier.report);
  const unmatched = pending.unmatched.length ? ` Not carried over (level not found now): ${pending.unmatched.join('; ')}.` : '';
  const notRestored = earlier.outlinesNotRestored ? ` Outlines you corrected are not restored: ${earlier.outlinesNotRestored}.` : '';
  if (!hasPendingChanges(pending) && !outlines(earlier).length) {
    return unmatched || notRestored ? <div style={s.muted} data-testid="spine-carry-over">{(unmatched + notRestored).trim()}</div> : null;
  }
  const discard = earlier.onDiscard && (
    <button type="button" style={s.secondaryButton} data-testid="spine-carry-over-discard" onClick={earlier.onDiscard}>Discard them</button>
  );
  if (refusal) return <div style={s.muted} data-testid="spine-carry-over">{refusalText(earlier, refusal)} {discard}</div>;
  const changes = [...outlines(earlier), ...pendingChangeTexts(pending)];
  return (
    <div style={{ ...s.warn, display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' }} data-testid="spine-carry-over">
      <span>
        {whoseText(earlier)} in {earlier.what}: {changes.join('; ')}.{unmatched}{notRestored}
      </span>
      <button type="button" style={s.secondaryButton} data-testid="spine-carry-over-apply" onClick={() => {
        if (earlier.apply) earlier.apply();
        else onApply((r) => applyStoredChanges(r, pendingStoredChanges(r, earlier.report)));
        earlier.onTaken?.();
      }}>
        Apply them
      </button>
      {discard}
    </div>
  );
}

/**
 * Why the earlier result's changes are not offered; for a stored version, also where they stay, since a saved new
 * result becomes the newest version, the one the viewer opens.
 */
export function refusalText(earlier: Pick<EarlierResult, 'what' | 'storedVersion' | 'whose'>, refusal: string): string {
  const stays = earlier.storedVersion === undefined ? ''
    : ` They stay in version ${earlier.storedVersion} in the PACS; saved, this result becomes the newest version, which opens without them: set them again here before saving if they still hold.`;
  return `${whoseText(earlier)} in ${earlier.what} are not carried over: ${refusal}.${stays}`;
}
