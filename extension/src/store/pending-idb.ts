/**
 * PendingStore in the browser's IndexedDB (via idb-keyval), database 'spine-mri', object store
 * 'pending-results'. ArrayBuffers are stored by structured clone. In Node tests, fake-indexeddb
 * provides `indexedDB`.
 */
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { PendingResult, PendingStore } from './pending';

export class IdbPendingStore implements PendingStore {
  private readonly db: UseStore;
  constructor(dbName = 'spine-mri', storeName = 'pending-results') {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser (turned off, or a private window)');
    this.db = createStore(dbName, storeName);
  }
  put(result: PendingResult): Promise<void> {
    return set(result.id, result, this.db);
  }
  get(id: string): Promise<PendingResult | undefined> {
    return get<PendingResult>(id, this.db);
  }
  delete(id: string): Promise<void> {
    return del(id, this.db);
  }
  list(): Promise<PendingResult[]> {
    return values<PendingResult>(this.db);
  }
}
