/**
 * A browser that refuses to keep (storage full, IndexedDB disabled): the save still stores, Retry still has the
 * bytes, and the panel is told what lives in the page only (the e2e in save.test.ts does it in Chromium).
 */
import 'fake-indexeddb/auto';
import { MemoryPendingStore, listPending, type PendingStore } from '../../extension/src/store/pending';
import { PendingStoreWithPageFallback } from '../../extension/src/store/pending-in-page';
import { retryPending, saveToPacs, type Stow } from '../../extension/src/store/save';
import { SaveToPacsError } from '../../extension/src/store/stow-error';
import { storageRefusals, storageRefusedFor } from '../../extension/src/store/storage-refusals';
import { storageRefusedText } from '../../extension/src/panel/StorageRefusedWarning';
import { saveFailureMessage } from '../../extension/src/panel/useSave';
import { analysisDraftKey, dropReaderDraft, keepReaderDraft, readerDraft } from '../../extension/src/store/reader-drafts';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { PATIENT, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

const v = makeVolume();
const lm = makeLabelmap(v);
const report = makeReport(v, lm);
const input = { report, labelmap: lm, sourceVolume: v, patientStudy: PATIENT };
const quotaExceeded = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A browser store that holds what it was given before `full` and refuses every write after. */
function fillingStore(): PendingStore & { full: boolean } {
  const inner = new MemoryPendingStore();
  const store = {
    full: false,
    put: (r: Parameters<PendingStore['put']>[0]) => (store.full ? Promise.reject(quotaExceeded()) : inner.put(r)),
    get: (id: string) => inner.get(id),
    delete: (id: string) => inner.delete(id),
    list: () => inner.list(),
  };
  return store;
}
const pacsDown: Stow = async () => {
  throw Object.assign(new Error('request failed'), { status: 0 });
};
const pacsUp: Stow = async () => undefined;

/** A page's pending store over a browser store that is full; and a save that failed with the PACS down, kept there. */
function fullBrowser() {
  const browser = fillingStore();
  browser.full = true;
  const pending = new PendingStoreWithPageFallback(() => browser);
  return { browser, pending, failedSave: (version: number) => saveToPacs(input, pacsDown, pending, { version }).catch((e) => e) };
}

describe('pending results where the browser refuses to keep them', () => {
  it('a save still stores, and nothing is left pending or refused', async () => {
    const { pending } = fullBrowser();
    const sent: ArrayBuffer[] = [];
    await saveToPacs(input, async (b) => { sent.push(...b); }, pending, { version: 1 });
    expect(sent).toHaveLength(2);
    expect(await pending.list()).toEqual([]);
    expect(storageRefusals()).toEqual([]);
  });

  it('a failed save keeps the result in the page, says so, and Retry sends the same bytes', async () => {
    const { browser, pending, failedSave } = fullBrowser();
    const err = await failedSave(2);
    expect(err).toBeInstanceOf(SaveToPacsError);
    expect(pending.inPageOnly(err.pendingId)).toBe(true);
    expect(await browser.list()).toEqual([]);
    const [kept] = await listPending(pending, v.studyInstanceUid);
    expect(kept.id).toBe(err.pendingId);
    expect(storageRefusals()).toEqual([{ what: 'the unsaved result (version 2)', reason: 'QuotaExceededError: The quota has been exceeded' }]);
    expect(saveFailureMessage(err, 'page')).toMatch(/kept in this page only \(this browser refused to store it\): press Retry before closing the tab\.$/);

    const sent: ArrayBuffer[] = [];
    const r = await retryPending(err.pendingId, async (b) => { sent.push(...b); }, pending);
    expect(new Uint8Array(sent[0])).toEqual(new Uint8Array(kept.seg));
    expect(r.id).toBe(err.pendingId);
    expect(await pending.list()).toEqual([]);
    expect(storageRefusals()).toEqual([]);
  });

  it('a result the browser takes again leaves the page (kept across a reload again)', async () => {
    const { browser, pending, failedSave } = fullBrowser();
    const err = await failedSave(1);
    browser.full = false; // space freed
    await retryPending(err.pendingId, pacsDown, pending).catch(() => undefined);
    expect(pending.inPageOnly(err.pendingId)).toBe(false);
    expect((await browser.list()).map((r) => r.id)).toEqual([err.pendingId]);
    expect(storageRefusals()).toEqual([]);
    await retryPending(err.pendingId, pacsUp, pending);
    expect(await browser.list()).toEqual([]);
  });

  it('without IndexedDB at all a save goes on in the page', async () => {
    const pending = new PendingStoreWithPageFallback(() => {
      throw new Error('IndexedDB is not available in this browser (turned off, or a private window).');
    });
    const err = await saveToPacs(input, pacsDown, pending, { version: 1 }).catch((e) => e);
    expect(await listPending(pending, v.studyInstanceUid)).toHaveLength(1);
    expect(storageRefusedText(storageRefusals())).toMatch(/^This browser did not keep the unsaved result \(version 1\) \(IndexedDB is not available in this browser \(turned off, or a private window\)\)\. Until/);
    await retryPending(err.pendingId, pacsUp, pending);
    expect(await pending.list()).toEqual([]);
    expect(storageRefusals()).toEqual([]);
  });
});

describe('reader changes the browser refuses to keep', () => {
  const key = analysisDraftKey(report.seriesInstanceUid);
  const changed = applyReaderEdit(report, report.levels[0].level, 'centralCanalStenosis', 'severe');

  it('are recorded until a later change is kept, or the changes are saved', async () => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = () => { throw quotaExceeded(); };
    try {
      await expect(keepReaderDraft(key, changed)).rejects.toThrow('quota');
      expect(storageRefusals()).toEqual([{ what: 'your changes to the analysis', reason: 'QuotaExceededError: The quota has been exceeded' }]);
      await expect(keepReaderDraft('sr:1.2.3', changed)).rejects.toThrow('quota');
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(storageRefusedText(storageRefusals())).toBe('This browser did not keep your changes to the analysis and your changes to the stored findings '
      + '(QuotaExceededError: The quota has been exceeded). Until saved to the PACS they are in this page only: save before closing the tab.');
    await keepReaderDraft(key, changed);
    expect(storageRefusals().map((r) => r.what)).toEqual(['your changes to the stored findings']);
    await dropReaderDraft('sr:1.2.3', changed);
    expect(storageRefusals()).toEqual([]);
    expect(storageRefusedText(storageRefusals())).toBeNull();
    await dropReaderDraft(key);
  });
});

describe('reader changes replaced in another tab of the same browser (one draft per result)', () => {
  const key = analysisDraftKey(report.seriesInstanceUid);
  const changed = applyReaderEdit(report, report.levels[0].level, 'centralCanalStenosis', 'severe');
  /** Another tab's end of the channel (in Node, channels of one process hear each other as tabs do). */
  let otherTab: BroadcastChannel;
  const heard: unknown[] = [];
  beforeEach(() => {
    otherTab = new BroadcastChannel('spine-mri-drafts');
    otherTab.onmessage = (e) => heard.push(e.data);
  });
  afterEach(() => otherTab.close());
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('are said to be in this page only once another tab replaced them, until this page keeps a change again', async () => {
    await keepReaderDraft(key, changed);
    await settle();
    const told = heard.at(-1) as { key: string; content?: string };
    expect(told).toEqual({ key, content: expect.stringMatching(/^[0-9a-f]{64}$/) }); // the other tabs are told, with a digest of the changes
    expect(storageRefusals()).toEqual([]);
    otherTab.postMessage({ key: 'sr:another.result' }); // another result's draft: nothing of this page's
    await settle();
    expect(storageRefusals()).toEqual([]);
    // The other tab changed the same analysis (and kept its changes in place of this page's): it says so.
    otherTab.postMessage({ key });
    await settle();
    expect(storageRefusedText(storageRefusals())).toBe('This browser did not keep your changes to the analysis (the same findings were changed, saved or discarded in '
      + 'another tab of this browser since, and it keeps one tab\'s changes only). Until saved to the PACS they are in this page only: save before closing the tab.');
    expect(storageRefusedFor(key)).toBe(true);
    // This page changes them again: its changes are the ones kept.
    await keepReaderDraft(key, changed);
    expect(storageRefusals()).toEqual([]);
    expect(storageRefusedFor(key)).toBe(false);
    expect((await readerDraft(key))?.report).toEqual(changed);
    await dropReaderDraft(key);
  });

  it('are not said to be lost where another tab kept the same changes (applied as this browser offered them), only other ones', async () => {
    await keepReaderDraft(key, changed);
    await settle();
    const { content } = heard.at(-1) as { content: string };
    otherTab.postMessage({ key, content }); // the other tab applied this page's kept changes
    await settle();
    expect(storageRefusals()).toEqual([]);
    // The same changes with corrected outlines are other changes, as is a different finding.
    heard.length = 0;
    await keepReaderDraft(key, changed, { outlines: { dims: [1, 1, 2], runs: Uint32Array.of(0, 2) } });
    await settle();
    const withOutlines = (heard.at(-1) as { content: string }).content;
    expect(withOutlines).not.toBe(content);
    otherTab.postMessage({ key, content });
    await settle();
    expect(storageRefusedFor(key)).toBe(true);
    await keepReaderDraft(key, applyReaderEdit(changed, report.levels[0].level, 'centralCanalStenosis', 'moderate'));
    await settle();
    expect(storageRefusedFor(key)).toBe(false);
    otherTab.postMessage({ key, content });
    await settle();
    expect(storageRefusedFor(key)).toBe(true);
    await dropReaderDraft(key);
  });

  it('are not said to be lost where this page holds none under that result (saved, discarded, never changed)', async () => {
    await keepReaderDraft(key, changed);
    await dropReaderDraft(key); // saved or discarded here
    otherTab.postMessage({ key });
    await settle();
    expect(storageRefusals()).toEqual([]);
  });
});
