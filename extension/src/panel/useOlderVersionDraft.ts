/**
 * Unsaved changes to an earlier stored version of a study's findings, kept in this browser (store/reader-drafts.ts),
 * offered for the newest version opened now: the reader reloaded to open it after a save was refused because it had
 * been stored since (StoredResults' Open version n), or a page closed before saving while another reader stored it.
 * Only the changes made since the version they were made on are offered (storedReaderChanges.ts changesSince, read
 * from that version's SR in the PACS), so applying them keeps the newer version's own changes.
 */
import { useCallback, useEffect, useState } from 'react';
import { SR_SERIES_DESCRIPTION } from '../dicom/sr';
import { studySeries } from '../ohif/dataSourceStow';
import { readStoredReportSeries, type StoredReport } from '../ohif/loadStoredReport';
import { signedInReader } from '../ohif/readerName';
import type { SpineReport } from '../pipeline/report';
import { dropReaderDraft, storedEditsDraftKey, storedEditsDraftsOf, type ReaderDraft } from '../store/reader-drafts';
import type { EarlierResult } from './CarryOverOffer';
import { changesSince, newerVersionHoldsDraft, newerVersionRefusal } from './storedReaderChanges';
import { keptAtText, whoseChanges } from './useKeptDraft';

interface OlderDraft { key: string; draft: ReaderDraft; version?: number; base?: SpineReport }

/**
 * The newest kept draft of an earlier version of `opened`'s findings (same series), with that version's number and
 * report where the PACS still holds its SR. A draft whose changes `opened` holds already (the reader made them again
 * by hand on a newer version and saved it, or another reader made the same) is dropped instead: it would offer nothing,
 * and would hide an older draft that still has changes to offer.
 * @throws Error when the browser cannot list its drafts or the PACS cannot list the study's series
 */
async function olderDraftOf(opened: StoredReport): Promise<OlderDraft | undefined> {
  const { studyInstanceUid, seriesInstanceUid } = opened.report;
  const openedKey = storedEditsDraftKey(opened.report);
  const found = (await storedEditsDraftsOf(studyInstanceUid))
    .find(({ key, draft }) => key !== openedKey && draft.report.seriesInstanceUid === seriesInstanceUid && draft.report.fromStoredSr);
  if (!found) return undefined;
  const sr = found.draft.report.fromStoredSr!;
  const row = (await studySeries(studyInstanceUid)).find((s) => s.seriesInstanceUid === sr.seriesInstanceUid);
  const version = row && Number(SR_SERIES_DESCRIPTION.exec(row.description ?? '')?.[1]);
  if (!version) return found; // that version is no longer in the PACS
  if (version >= opened.version) return undefined;
  const base = await readStoredReportSeries(studyInstanceUid, sr.seriesInstanceUid, `SR v${version}`).catch((e: Error) => void console.warn(`Spine MRI: ${e.message}`));
  if (base && newerVersionHoldsDraft(opened.report, opened.version, found.draft.report, base, !!found.draft.outlines)) {
    await dropReaderDraft(found.key);
    return undefined;
  }
  return { ...found, version, base: base ?? undefined };
}

/**
 * The offer for `opened` (none while undefined: another version's own changes are offered instead, or changes are
 * being made), ready for CarryOverOffer; Apply and Discard drop the kept draft (once applied, the changes are kept as
 * changes to `opened`).
 */
export function useOlderVersionDraft(opened: StoredReport | undefined): EarlierResult | undefined {
  const [older, setOlder] = useState<OlderDraft>();
  const openedSr = opened?.report.fromStoredSr?.sopInstanceUid;
  useEffect(() => {
    let live = true;
    setOlder(undefined);
    if (opened) olderDraftOf(opened).then((o) => { if (live) setOlder(o); }, (e) => console.error('Spine MRI: could not look for changes kept to an earlier version', e));
    return () => { live = false; };
  }, [openedSr]); // one look per version opened
  const drop = useCallback(() => {
    if (!older) return;
    setOlder(undefined);
    dropReaderDraft(older.key).catch((e) => console.error('Spine MRI: could not discard the kept changes', e));
  }, [older]);
  if (!older || !opened) return undefined;
  const { draft, version, base } = older;
  const which = version ? `version ${version}` : 'an earlier version, no longer in the PACS';
  return {
    report: base ? changesSince(draft.report, base) : draft.report,
    what: `the stored findings (${which}) of ${keptAtText(draft)}, kept in this browser and not saved to the PACS; version ${opened.version} was stored since`,
    whose: whoseChanges(draft, signedInReader()),
    refusal: (base && newerVersionRefusal(opened.report, opened.version, base)) ?? undefined,
    ...(draft.outlines ? { outlinesNotRestored: `they were corrected on the SEG of ${which}` } : {}),
    onTaken: drop,
    onDiscard: drop,
  };
}
