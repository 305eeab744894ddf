/**
 * The reader's changes not yet saved to the PACS, kept in this browser's IndexedDB as they are made (database
 * 'spine-mri-drafts', object store 'reader-changes'), so that a crashed or closed tab, or a restarted workstation,
 * loses nothing. Two kinds, one entry each:
 *  - the changes to an analysis, under its series (analysisDraftKey): once the series is analysed again the panel
 *    offers them like the changes of a previous analysis (panel/CarryOverOffer.tsx);
 *  - the changes to a stored report, under that SR (storedEditsDraftKey): offered when that version is opened again,
 *    or a newer one stored since (those made since that version: panel/useOlderVersionDraft.ts); with the stored SEG's
 *    outlines where the reader corrected some, measured in its place on request.
 * Replaced at every change; dropped when the changes are undone, saved to the PACS, or discarded by the reader.
 * One entry per result for the whole browser: where another tab of it changes, saves or discards the same result, the
 * tab whose changes that replaced is told (BroadcastChannel 'spine-mri-drafts'), and its panel says they are in that
 * page only (storage-refusals.ts), as when the browser refuses to keep them. Not where the other tab kept the same
 * changes (draftContent: applying the changes this browser offered it, or making the same ones): this page's are kept.
 * In Node tests, fake-indexeddb provides `indexedDB`.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import { sha256Hex } from '../pipeline/model';
import { reportContentText, sameReportContent } from '../pipeline/reader-edit';
import type { SpineReport } from '../pipeline/report';
import type { KeptOutlines } from './kept-outlines';
import { storageKept, storageRefused } from './storage-refusals';

export interface ReaderDraft {
  /** The report with the reader's changes, as it stood at the last change. */
  report: SpineReport;
  /** ISO 8601 time of that change. */
  keptAt: string;
  /** The reader signed in to OHIF who made the changes (DICOM PN), where OHIF knew one: a shared workstation's next reader is told whose they are. */
  reader?: string;
  /**
   * The body and disc outlines as the reader left them, where they corrected some (measured again or not yet). An
   * analysis' are measured in place of a new analysis' outlines; a stored SEG's in place of the SEG as stored.
   */
  outlines?: KeptOutlines;
  /** For a stored SEG's outlines: the source images (OHIF imageIds) of the outlines' slices, in their order. */
  outlineImageIds?: string[];
}

let db: UseStore | undefined;
const drafts = () => (db ??= createStore('spine-mri-drafts', 'reader-changes'));

/** Key of the changes to an analysis of a series (its SeriesInstanceUID). */
export const analysisDraftKey = (seriesInstanceUid: string): string => seriesInstanceUid;
/** Key of the changes to a stored report, under its SR (fromStoredSr's SOPInstanceUID), so bound to that version; none without. */
export const storedEditsDraftKey = (stored: SpineReport): string | undefined =>
  stored.fromStoredSr ? `sr:${stored.fromStoredSr.sopInstanceUid}` : undefined;

/** What the draft under `key` holds, as the panel says it when the browser refuses to keep it. */
const draftWhat = (key: string) => (key.startsWith('sr:') ? 'your changes to the stored findings' : 'your changes to the analysis');

/** The reason the panel gives where another tab replaced or dropped this page's draft. */
const REPLACED_IN_ANOTHER_TAB = 'the same findings were changed, saved or discarded in another tab of this browser since, and it keeps one tab\'s changes only';

/** Keys whose draft this page wrote last, as far as it has heard, with their draftContent: another tab's write of other content, or drop, replaces its changes. */
const ownDrafts = new Map<string, string | undefined>();
let channel: BroadcastChannel | undefined;

/** The channel on which the tabs of this browser (same origin) say which drafts they replaced or dropped; undefined where there is none. */
function draftsChannel(): BroadcastChannel | undefined {
  if (channel || typeof BroadcastChannel === 'undefined') return channel;
  channel = new BroadcastChannel('spine-mri-drafts');
  (channel as { unref?: () => void }).unref?.(); // Node: the channel does not hold the process open
  channel.onmessage = (e: MessageEvent<{ key?: unknown; content?: unknown }>) => {
    const { key, content } = e.data ?? {};
    if (typeof key !== 'string' || !ownDrafts.has(key)) return;
    const own = ownDrafts.get(key);
    if (own !== undefined && content === own) return; // the same changes, kept by the other tab: this page's are kept
    ownDrafts.delete(key);
    storageRefused(key, draftWhat(key), new Error(REPLACED_IN_ANOTHER_TAB));
  };
  return channel;
}

/**
 * SHA-256 (hex) of what a draft keeps: the report's content (reportContentText) and the corrected outlines; undefined
 * where WebCrypto is missing (an insecure context), and then any other tab's write counts as other changes.
 */
async function draftContent(report: SpineReport, outlines: KeptOutlines | undefined): Promise<string | undefined> {
  const text = new TextEncoder().encode(`${reportContentText(report)}\n${outlines ? `outlines ${outlines.dims.join('x')}` : 'no outlines'}\n`);
  const runs = outlines ? new Uint8Array(outlines.runs.buffer, outlines.runs.byteOffset, outlines.runs.byteLength) : new Uint8Array(0);
  const bytes = new Uint8Array(text.length + runs.length);
  bytes.set(text);
  bytes.set(runs, text.length);
  return sha256Hex(bytes).catch(() => undefined);
}

/** Tells the other tabs that the draft under `key` is this page's now, with `content` (draftContent), or gone (`own` false). */
function announce(key: string, own: boolean, content?: string): void {
  if (own) ownDrafts.set(key, content);
  else ownDrafts.delete(key);
  draftsChannel()?.postMessage({ key, ...(own && content ? { content } : {}) });
}

/**
 * Keeps `report` under `key`, by `reader` where known, with the corrected `outlines` it was measured from where there
 * are any; undefined drops the entry (no change left to keep). A refusal by the browser is recorded for the panel
 * (storage-refusals.ts) and rejects; the next write that succeeds clears it.
 */
export async function keepReaderDraft(key: string, report: SpineReport | undefined, { reader, outlines, outlineImageIds, now = new Date() }: { reader?: string; outlines?: KeptOutlines; outlineImageIds?: string[]; now?: Date } = {}): Promise<void> {
  try {
    if (report) await set(key, { report, keptAt: now.toISOString(), ...(reader ? { reader } : {}), ...(outlines ? { outlines } : {}), ...(outlineImageIds ? { outlineImageIds } : {}) } satisfies ReaderDraft, drafts());
    else await del(key, drafts());
  } catch (e) {
    if (report) storageRefused(key, draftWhat(key), e);
    else storageKept(key); // every change undone: the page holds nothing to keep
    throw e;
  }
  storageKept(key);
  announce(key, !!report, report && await draftContent(report, outlines));
}

/** The draft kept under `key`, if any. Rejects (never throws) where the browser has no IndexedDB. */
export async function readerDraft(key: string): Promise<ReaderDraft | undefined> {
  return get<ReaderDraft>(key, drafts());
}

/** The changes to stored reports of study `studyInstanceUid` kept in this browser (any version), newest change first. */
export async function storedEditsDraftsOf(studyInstanceUid: string): Promise<{ key: string; draft: ReaderDraft }[]> {
  const all = await entries<string, ReaderDraft>(drafts());
  return all.filter(([key, d]) => key.startsWith('sr:') && d.report.studyInstanceUid === studyInstanceUid)
    .map(([key, draft]) => ({ key, draft })).sort((a, b) => b.draft.keptAt.localeCompare(a.draft.keptAt));
}

/** Drops a draft; with `saved`, only when the draft says the same (a change made while a save was on its way stays kept). */
export async function dropReaderDraft(key: string, saved?: SpineReport): Promise<void> {
  storageKept(key); // saved or discarded: what the page held needs no keeping
  if (saved) {
    const draft = await readerDraft(key);
    if (draft && !sameReportContent(draft.report, saved)) return;
  }
  await del(key, drafts());
  announce(key, false);
}
