/**
 * Pending results: a built SEG + SR that is kept BEFORE it is sent to the PACS and removed only once
 * both are stored, so a failed save can be retried with the very same bytes (same UIDs → no duplicates)
 * and an unsaved result can be resumed after a reload.
 */
import type { SpineReport } from '../pipeline/report';

export interface PendingResult {
  /** Key: the SR SOP Instance UID (unique per save). */
  id: string;
  studyInstanceUid: string;
  /** 1 for the first save of a study's result, +1 per save after edits. */
  version: number;
  /** ISO 8601 time the result was built. */
  createdAt: string;
  report: SpineReport;
  /** Part 10 bytes, sent exactly as built. */
  seg: ArrayBuffer;
  sr: ArrayBuffer;
  segSeriesInstanceUid: string;
  segSopInstanceUid: string;
  srSeriesInstanceUid: string;
  srSopInstanceUid: string;
  /** True once the PACS accepted the SEG (a retry then sends only the SR). */
  segStored: boolean;
  /**
   * Set where the SR refers to an earlier version's SEG as it is (the reader changed grades, not outlines or names:
   * store/save.ts buildRevision), with that SEG's version where its description names one. `seg` is then empty,
   * the seg UIDs are that SEG's, segStored is true, and only the SR is sent.
   */
  reusedSeg?: { version?: number };
  /** Message of the last failed attempt, for the "resume unsaved result" list. */
  lastError?: string;
}

/** Where pending results live: IndexedDB in the browser (pending-idb.ts), memory in Node/tests. */
export interface PendingStore {
  put(result: PendingResult): Promise<void>;
  get(id: string): Promise<PendingResult | undefined>;
  delete(id: string): Promise<void>;
  list(): Promise<PendingResult[]>;
}

/** In-memory PendingStore (Node, tests). Keeps copies so callers cannot mutate stored bytes. */
export class MemoryPendingStore implements PendingStore {
  private readonly items = new Map<string, PendingResult>();
  async put(result: PendingResult): Promise<void> {
    this.items.set(result.id, { ...result, seg: result.seg.slice(0), sr: result.sr.slice(0) });
  }
  async get(id: string): Promise<PendingResult | undefined> {
    const r = this.items.get(id);
    return r && { ...r, seg: r.seg.slice(0), sr: r.sr.slice(0) };
  }
  async delete(id: string): Promise<void> {
    this.items.delete(id);
  }
  async list(): Promise<PendingResult[]> {
    return Promise.all([...this.items.keys()].map(async (k) => (await this.get(k))!));
  }
}

/** Pending results of one study, oldest first ("resume unsaved result"). */
export async function listPending(store: PendingStore, studyInstanceUid: string): Promise<PendingResult[]> {
  return (await store.list()).filter((r) => r.studyInstanceUid === studyInstanceUid).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
