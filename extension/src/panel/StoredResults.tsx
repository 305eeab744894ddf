/**
 * What the PACS and this browser already hold for the study, shown when the panel opens:
 *   - the newest stored result, read from our SR ("Findings loaded from the PACS (SR of <date>,
 *     version n)") with its per-level findings — no re-analysis; OHIF shows the stored SEG;
 *   - unsaved results kept in IndexedDB after a failed save ("Resume unsaved result from <time>"),
 *     each with Show, Retry and Discard;
 *   - the reader's changes to the stored findings that an earlier page kept in this browser and never saved
 *     (store/reader-drafts.ts), with Apply them and Discard them (those with corrected outlines of the stored SEG are
 *     offered beside Measure again: AnalyzeSection.tsx); where there are none, the changes to an earlier version that a
 *     page kept and never saved, those made since that version (useOlderVersionDraft.ts).
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { onStorageRefusals, storageRefusals, storageRefusedFor } from '../store/storage-refusals';
import type { PendingResult } from '../store/pending';
import { LevelNamingLine, LevelsTable } from './ResultsView';
import { CAUTION_LEGEND } from './cautions';
import { FindingsTextBox } from './FindingsTextBox';
import { PriorFindings } from './PriorFindings';
import { SaveOutcome } from './SaveSection';
import { useAnalysis } from './useAnalysis';
import { missingSegText, SAVE_STEP_LABEL, useAllSaveStates, useSave, useStoredEdits, useStudySave } from './useSave';
import { CarryOverOffer, type EarlierResult } from './CarryOverOffer';
import { useOlderVersionDraft } from './useOlderVersionDraft';
import { keptAtText, useKeptDraft, whoseChanges } from './useKeptDraft';
import { storedEditsDraftKey } from '../store/reader-drafts';
import { applyReaderEdit, confirmLevels, shiftLevels, withSoftwareLevels } from './readerEdits';
import { showStoredSegOnViewports, type StoredReport } from '../ohif/loadStoredReport';
import type { SpineReport } from '../pipeline/report';
import { personShown, signedInReader } from '../ohif/readerName';
import { storedOutlinesOf, unmeasuredStoredOutlineEdits } from './outlineCorrection';
import { colors, s } from './styles';

const when = (iso: string) => (iso ? new Date(iso).toLocaleString() : 'an unknown time');

function PendingItem({ p, studyUid, retry, discard }: { p: PendingResult; studyUid: string; retry: (studyUid: string, id: string) => void; discard: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div style={{ border: `1px solid ${colors.border}`, borderRadius: 4, padding: 6, margin: '4px 0' }} data-testid="spine-pending">
      <div style={{ color: colors.warn }}>
        Resume unsaved result from {when(p.createdAt)} (version {p.version}, {p.segStored ? 'SEG stored, SR not yet' : 'not stored yet'})
      </div>
      {p.lastError && <div style={s.muted}>Last attempt: {p.lastError.replace(/^Saving to PACS failed while /, 'failed while ').replace(/ The result is kept as pending.*$/, '')}</div>}
      <div style={{ display: 'flex', gap: 6, marginTop: 4 }}>
        <button type="button" style={s.secondaryButton} data-testid="spine-pending-show" onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'}
        </button>
        <button type="button" style={s.secondaryButton} data-testid="spine-pending-retry" onClick={() => retry(studyUid, p.id)}>
          Retry
        </button>
        <button type="button" style={s.secondaryButton} data-testid="spine-pending-discard" onClick={() => discard(p.id)}>
          Discard
        </button>
      </div>
      {open && (p.report.levels.length ? <LevelsTable levels={p.report.levels} segments={p.report.segments} /> : <div style={s.muted}>{p.report.segments.length} segments, no graded levels.</div>)}
    </div>
  );
}

/** The reader's unsaved changes to the stored findings: Save as the next version, or Discard; progress and outcome. */
function StoredEditsBar({ studyInstanceUid, stored, edited }: { studyInstanceUid: string; stored: StoredReport; edited?: SpineReport }) {
  const { state, save, discard, openNewest } = useStoredEdits(studyInstanceUid);
  const storedState = useStudySave(studyInstanceUid).state.stored;
  const [refused, setRefused] = useState<string>();
  useSyncExternalStore(onStorageRefusals, storageRefusals); // a refusal to keep these changes changes what the bar says of them
  if (state.status === 'saved') {
    return (
      <div style={{ ...s.message, color: colors.ok }} data-testid="spine-stored-save-status">
        {state.segReused
          ? `Saved your changes: SR ‘${state.srDescription}’ stored in the PACS, referring to ‘${state.segDescription}’ (the outlines are unchanged, so they are not stored again).`
          : `Saved your changes: SEG series ‘${state.segDescription}’ (the stored segmentation, carried over) and SR ‘${state.srDescription}’ stored in the PACS.`}
      </div>
    );
  }
  if (!edited) return null;
  const working = state.status === 'working';
  const newer = state.status === 'error' ? state.newerVersion : undefined;
  const segMissing = !stored.segSeriesInstanceUid; // deleted from the PACS (the loader's note says so)
  const draftKey = storedEditsDraftKey(stored.report);
  const keptHere = !!draftKey && !storageRefusedFor(draftKey);
  return (
    <div style={{ border: `1px solid ${colors.border}`, borderRadius: 4, padding: 6, margin: '6px 0' }} data-testid="spine-stored-edits">
      <div style={{ color: colors.warn }}>Your changes to the stored findings (version {stored.version}) are not saved yet.</div>
      {segMissing && (
        <div style={s.muted} data-testid="spine-stored-save-unavailable">
          They cannot be saved as a new version: {missingSegText(stored)}, and each version is stored with the outlines it was
          measured on. Press Analyze to outline the structures again: these changes are offered for the new analysis where it
          can take them, and saving it stores them with a new SEG. Until then they are {keptHere ? 'kept in this browser' : 'in this page only (the warning above says why)'}.
        </div>
      )}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6, marginTop: 4 }}>
        {newer && (
          <button type="button" style={s.button} data-testid="spine-stored-open-newest" onClick={() => void openNewest()} title="Reloads the study with the newest version; your changes, kept in this browser, are offered there">
            Open version {newer}
          </button>
        )}
        {segMissing ? null : <button type="button" style={newer ? s.secondaryButton : s.button} data-testid="spine-stored-save" disabled={working} onClick={() => {
          // The stored SEG is carried over as stored: outline edits not measured yet would be dropped silently.
          const why = unmeasuredStoredOutlineEdits(storedState);
          setRefused(why);
          if (!why) void save(newer);
        }}>
          {newer ? `Save as version ${newer + 1} anyway` : state.status === 'error' ? 'Retry' : 'Save to PACS as a new version'}
        </button>}
        <button type="button" style={s.secondaryButton} data-testid="spine-stored-discard" disabled={working} onClick={discard}>
          Discard changes
        </button>
      </div>
      {refused && (
        <div style={s.error} data-testid="spine-save-refused">
          {refused}
        </div>
      )}
      {working && <div style={s.muted}>{SAVE_STEP_LABEL[state.step]}</div>}
      {state.status === 'error' && (
        <div style={s.error} data-testid="spine-stored-save-error">
          {state.message}
        </div>
      )}
    </div>
  );
}

/**
 * @param studyInstanceUid the study shown
 * @param analysedSeriesUid the series the Analyze button uses: once its new analysis is on screen, that
 *   replaces the stored findings table and the stored SEG on the viewports, and the "loaded from the PACS" line says
 *   only which version the PACS holds
 */
export function StoredResults({ studyInstanceUid, analysedSeriesUid }: { studyInstanceUid: string; analysedSeriesUid?: string }) {
  const showStoredFindings = useAnalysis(analysedSeriesUid ?? '').state.status !== 'done';
  const { state, discard } = useStudySave(studyInstanceUid);
  const resumeKey = `resume:${studyInstanceUid}`;
  const { state: resumeState, retry } = useSave(resumeKey);
  const saveStates = useAllSaveStates();
  // A pending result whose failure a SaveSection shows (with its own Retry) is not listed twice.
  const shownElsewhere = new Set([...saveStates.entries()].filter(([k, v]) => k !== resumeKey && v.status === 'error').map(([, v]) => (v.status === 'error' ? v.pendingId : undefined)));
  const pending = state.pending.filter((p) => !shownElsewhere.has(p.id));
  const { stored } = state;
  const { edit } = useStoredEdits(studyInstanceUid);
  const shownReport = stored.status === 'loaded' ? stored.edited ?? stored.stored.report : undefined;
  // Renaming needs the stored SEG's segments, and their software names: the SEG keeps the reader's names only
  // (SEMIAUTOMATIC), the SR the shift from the software's. An SR stored before it kept the shift cannot say: a
  // second renaming then goes through a new analysis.
  const storedSegments = shownReport && stored.status === 'loaded' && stored.segments ? withSoftwareLevels(stored.segments, shownReport.levelNaming) : [];
  const canRename = !!shownReport && storedSegments.length > 0 && (shownReport.segments.length > 0 || storedSegments.every((x) => !x.readerModified || x.automaticLevel));
  const withSegments = (r: SpineReport): SpineReport => (r.segments.length ? r : { ...r, segments: storedSegments });
  // Changes to this version kept in this browser by an earlier page (closed or crashed before saving): offered until
  // the reader changes anything here.
  const [draft, discardDraft] = useKeptDraft(stored.status === 'loaded' ? storedEditsDraftKey(stored.stored.report) : undefined, stored.status === 'loaded' ? stored.edited : undefined);
  // Those with corrected outlines the Analyze section offers, where it can measure them (the stored SEG on the analysed series).
  const offeredToMeasure = !!draft?.outlines && !!storedOutlinesOf(stored, analysedSeriesUid, draft.report);
  // Else, changes to an earlier version kept here: those made since that version, for this newer one.
  const olderVersionDraft = useOlderVersionDraft(stored.status === 'loaded' ? stored.stored : undefined);
  const keptChange: EarlierResult | undefined = draft ? (offeredToMeasure ? undefined : {
    report: draft.report, what: `the stored findings (version ${stored.status === 'loaded' ? stored.stored.version : ''}) of ${keptAtText(draft)}, kept in this browser (not saved to the PACS)`, onDiscard: discardDraft,
    whose: whoseChanges(draft, signedInReader()),
  }) : olderVersionDraft;
  const keptChanges = stored.status === 'loaded' && !stored.edited && keptChange ? [keptChange] : [];
  const applyKept = (fn: (r: SpineReport) => SpineReport) => {
    try {
      edit((r) => fn(withSegments(r)));
    } catch (e) {
      alert((e as Error).message);
    }
  };
  // The stored SEG leaves the image with the stored findings table: a new analysis' outlines replace it there too.
  const storedSegmentationId = stored.status === 'loaded' && stored.segShown ? stored.segmentationId : undefined;
  const readerName = stored.status === 'loaded' ? stored.stored.report.reader?.name : undefined;
  const storedReader = readerName ? `, reader ${personShown(readerName)}` : '';
  useEffect(() => {
    if (storedSegmentationId) showStoredSegOnViewports(storedSegmentationId, showStoredFindings).catch((e) => console.error(e));
  }, [storedSegmentationId, showStoredFindings]);
  return (
    <div data-testid="spine-stored-results">
      {stored.status === 'loaded' && (
        <div style={{ margin: '6px 0' }}>
          {showStoredFindings ? (
            <div style={{ ...s.message, color: colors.ok }} data-testid="spine-stored-line">
              Findings loaded from the PACS (SR of {when(stored.stored.report.createdAt)}, version {stored.stored.version}{storedReader})
              {stored.segShown ? '; segmentation shown from the stored SEG.' : ''}
              {/* OHIF fetches and decodes the SEG after the images (seconds on reopening): until then no outlines, and a level click moves the sagittal images only to the image of a line measured at its disc. */}
              {stored.segShown === undefined && !stored.segNote && stored.stored.segSeriesInstanceUid ? '; loading the segmentation from the stored SEG…' : ''}
            </div>
          ) : (
            // A new analysis on screen has taken the stored table's and SEG's place: "loaded … shown from the stored SEG"
            // would say the table above and its outlines came from the PACS. True also once that analysis is saved.
            <div style={s.muted} data-testid="spine-stored-line">
              Stored in the PACS: findings version {stored.stored.version} (SR of {when(stored.stored.report.createdAt)}{storedReader}). The table and outlines above are this page's analysis.
            </div>
          )}
          {stored.segNote && showStoredFindings && <div style={s.muted}>The stored SEG is not shown: {stored.segNote}.</div>}
          {showStoredFindings &&
            (shownReport!.levels.length ? (
              <>
                <LevelNamingLine report={shownReport!} testId="spine-stored-level-naming" />
                {!shownReport!.levelNaming.certain && (
                  <button type="button" style={s.secondaryButton} data-testid="spine-stored-confirm-levels" onClick={() => edit(confirmLevels)} title="The names are right: I checked them against the sacrum or a localiser">
                    Names are right
                  </button>
                )}
                <LevelsTable
                  levels={shownReport!.levels}
                  segments={shownReport!.segments.length ? shownReport!.segments : storedSegments}
                  segmentationId={stored.segmentationId}
                  axialSeriesUid={shownReport!.sourceSeries.find((x) => x.role === 'axial_t2')?.seriesInstanceUid}
                  onEdit={(level, k, v) => edit((r) => applyReaderEdit(r, level, k, v))}
                  onShiftLevels={canRename ? (delta) => edit((r) => shiftLevels(withSegments(r), delta)) : undefined}
                />
                <div style={s.muted}>
                  Click a level for the evidence, to correct a grade{canRename ? ' or the level name' : ''} (saved as a new version)
                  {canRename ? '' : storedSegments.length ? '; to rename the levels again, analyse again' : '; to rename the levels, analyse again'}. * = changed by the reader; {CAUTION_LEGEND}.
                </div>
                <StoredEditsBar studyInstanceUid={studyInstanceUid} stored={stored.stored} edited={stored.edited} />
                <CarryOverOffer report={shownReport!} candidates={keptChanges} onApply={applyKept} />
                <PriorFindings report={shownReport!} />
                <FindingsTextBox report={shownReport!} />
              </>
            ) : (
              <div style={s.muted} data-testid="spine-stored-nolevels">
                The stored report has no graded levels.
              </div>
            ))}
        </div>
      )}
      {stored.status === 'error' && (
        <div style={s.error} data-testid="spine-stored-error">
          Could not load the stored result: {stored.message}
        </div>
      )}
      {pending.map((p) => (
        <PendingItem key={p.id} p={p} studyUid={studyInstanceUid} retry={(st, id) => void retry(st, id)} discard={(id) => void discard(id)} />
      ))}
      {resumeState.status === 'working' && <div style={s.muted}>{SAVE_STEP_LABEL[resumeState.step]}</div>}
      <SaveOutcome state={resumeState} testIdPrefix="spine-resume" />
    </div>
  );
}
