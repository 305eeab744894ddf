/**
 * A PendingStore that keeps results in the browser (IndexedDB) and, where the browser refuses (storage full, IndexedDB
 * disabled), in this page's memory instead: Save to PACS never fails for want of browser storage, and Retry still
 * has the very bytes. Results kept in the page only are recorded in storage-refusals.ts (the panel says so) and
 * listed by inPageOnly() (they are not "kept": the page asks before closing).
 */
import { MemoryPendingStore, type PendingResult, type PendingStore } from './pending';
import { storageKept, storageRefused } from './storage-refusals';

const refusalKey = (id: string) => `pending:${id}`;

export class PendingStoreWithPageFallback implements PendingStore {
  private readonly page = new MemoryPendingStore();
  private readonly pageOnly = new Set<string>();
  private browserStore: PendingStore | undefined;

  /** @param openBrowserStore opens the browser's store (IdbPendingStore); may throw where there is no IndexedDB. */
  constructor(private readonly openBrowserStore: () => PendingStore) {}

  private browser(): PendingStore {
    return (this.browserStore ??= this.openBrowserStore());
  }

  async put(result: PendingResult): Promise<void> {
    try {
      await this.browser().put(result);
    } catch (e) {
      await this.page.put(result);
      this.pageOnly.add(result.id);
      storageRefused(refusalKey(result.id), `the unsaved result (version ${result.version})`, e);
      console.error('Spine MRI: this browser did not keep the unsaved result; it is kept in this page', e);
      return;
    }
    if (this.pageOnly.delete(result.id)) await this.page.delete(result.id);
    storageKept(refusalKey(result.id));
  }

  async get(id: string): Promise<PendingResult | undefined> {
    if (this.pageOnly.has(id)) return this.page.get(id);
    return this.browser().get(id);
  }

  async delete(id: string): Promise<void> {
    const pageOnly = this.pageOnly.delete(id);
    storageKept(refusalKey(id));
    await this.page.delete(id);
    try {
      await this.browser().delete(id); // an older state of it may be there
    } catch (e) {
      if (!pageOnly) throw e;
    }
  }

  /**
   * The browser's results, with the page's in place of any the browser holds an older state of; the page's alone
   * where the browser cannot be read (logged: a save goes on without the browser's list).
   */
  async list(): Promise<PendingResult[]> {
    let inBrowser: PendingResult[] = [];
    try {
      inBrowser = await this.browser().list();
    } catch (e) {
      console.error('Spine MRI: could not read unsaved results kept in this browser', e);
    }
    return [...inBrowser.filter((r) => !this.pageOnly.has(r.id)), ...(await this.page.list())];
  }

  /** Whether the result `id` lives in this page only (the browser refused it). */
  inPageOnly(id: string): boolean {
    return this.pageOnly.has(id);
  }
}
