/**
 * Save to PACS: build SEG then SR from one SpineReport, keep them pending, STOW the SEG then the SR,
 * and forget them only when both are stored. A failed save throws SaveToPacsError (what failed and
 * why) and leaves the result pending; retryPending re-sends the same bytes, so nothing is duplicated.
 * Framework-free: the caller passes the STOW function (OHIF's data source `store.dicom`, or
 * stow-dicomweb.ts) and the PendingStore (IndexedDB in the browser, memory in Node).
 */
import type { SpineReport } from '../pipeline/report';
import type { Labelmap, SpineVolume } from '../pipeline/volume';
import type { PatientStudy } from '../dicom/patient-study';
import { writeSeg } from '../dicom/seg';
import { reviseSeg, segSource, type SourceSeriesRef } from '../dicom/seg-revision';
import { writeSr } from '../dicom/sr';
import { newUid } from '../dicom/uids';
import type { PendingResult, PendingStore } from './pending';
import { SaveToPacsError, describeStowError } from './stow-error';

/** Stores Part 10 objects over STOW-RS; rejects when the PACS did not store all of them. */
export type Stow = (buffers: ArrayBuffer[]) => Promise<void>;

export interface SaveInput {
  report: SpineReport;
  labelmap: Labelmap;
  sourceVolume: SpineVolume;
  patientStudy?: PatientStudy;
}

export interface SaveOptions {
  /** Result version (default 1). Use nextVersion() over the study's existing series descriptions. */
  version?: number;
  now?: Date;
}

/** Next version number given the SeriesDescriptions already in the study ('Spine MRI SEG v2' → 3). */
export function nextVersion(seriesDescriptions: string[]): number {
  let max = 0;
  for (const d of seriesDescriptions) {
    const m = /^Spine MRI (?:SEG|Report) v(\d+)$/.exec(d ?? '');
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

type ResultIds = Pick<PendingResult, 'segSeriesInstanceUid' | 'segSopInstanceUid' | 'srSeriesInstanceUid' | 'srSopInstanceUid'>;

/** New UIDs, the SEG from `makeSeg`, then the SR of `report` referring to it: a result ready to keep and send. */
function buildWith(report: SpineReport, source: SourceSeriesRef, patientStudy: PatientStudy | undefined, opts: SaveOptions,
  makeSeg: (ids: ResultIds, version: number, now: Date) => ArrayBuffer): PendingResult {
  const version = opts.version ?? 1;
  const now = opts.now ?? new Date();
  const ids: ResultIds = { segSeriesInstanceUid: newUid(), segSopInstanceUid: newUid(), srSeriesInstanceUid: newUid(), srSopInstanceUid: newUid() };
  const seg = makeSeg(ids, version, now);
  const sr = writeSr(report, { seg, sourceVolume: source, version, now, patientStudy, seriesInstanceUid: ids.srSeriesInstanceUid, sopInstanceUid: ids.srSopInstanceUid });
  return { id: ids.srSopInstanceUid, studyInstanceUid: source.studyInstanceUid, version, createdAt: now.toISOString(), report, seg, sr, ...ids, segStored: false };
}

/** Builds SEG + SR for a save (new series and instance UIDs each time) without sending anything. */
export function buildResult(input: SaveInput, opts: SaveOptions = {}): PendingResult {
  return buildWith(input.report, input.sourceVolume, input.patientStudy, opts, (ids, version, now) => writeSeg(input.report, input.labelmap, input.sourceVolume, {
    version, now, patientStudy: input.patientStudy, seriesInstanceUid: ids.segSeriesInstanceUid, sopInstanceUid: ids.segSopInstanceUid,
  }));
}

/**
 * A new version of a stored result whose findings the reader changed in place (no new analysis): an SR of the
 * changed report referring to the stored SEG as it is, where that serves (seg-revision.ts segSource's asIs: the
 * reader changed grades, not the level names), so a grade change stores no copy of the outlines; else a copy of the
 * stored SEG under the new version (seg-revision.ts reviseSeg; its segments renamed as report.segments name them)
 * and an SR referring to the copy.
 * @throws Error when storedSeg is not a SEG naming its source series, or the SR cannot be built
 */
export function buildRevision(input: { report: SpineReport; storedSeg: ArrayBuffer }, opts: SaveOptions = {}): PendingResult {
  const { source, patientStudy, asIs } = segSource(input.storedSeg, input.report.segments);
  if (!asIs) {
    return buildWith(input.report, source, patientStudy, opts, (ids, version, now) => reviseSeg(input.storedSeg, {
      version, now, seriesInstanceUid: ids.segSeriesInstanceUid, sopInstanceUid: ids.segSopInstanceUid, segments: input.report.segments,
    }));
  }
  // The SR refers to the SEG whose bytes it is given (writeSr reads its UIDs): the new SEG UIDs go unused.
  const result = buildWith(input.report, source, patientStudy, opts, () => input.storedSeg);
  return {
    ...result, seg: new ArrayBuffer(0), segSeriesInstanceUid: asIs.seriesInstanceUid, segSopInstanceUid: asIs.sopInstanceUid,
    segStored: true, reusedSeg: asIs.version ? { version: asIs.version } : {},
  };
}

/** Sends a pending result (SEG first unless already stored, then SR) and removes it on success. */
export async function sendPending(result: PendingResult, stow: Stow, pending: PendingStore): Promise<PendingResult> {
  const attempt = async (step: 'SEG' | 'SR', bytes: ArrayBuffer) => {
    try {
      await stow([bytes]);
    } catch (e) {
      const reason = describeStowError(e);
      const err = new SaveToPacsError(step, reason, result.id, e);
      await pending.put({ ...result, lastError: err.message });
      throw err;
    }
  };
  if (!result.segStored) {
    await attempt('SEG', result.seg);
    result = { ...result, segStored: true };
    await pending.put(result);
  }
  await attempt('SR', result.sr);
  await pending.delete(result.id);
  return result;
}

/**
 * Builds SEG then SR, keeps them pending, stores them, and returns what was stored.
 * @throws SaveToPacsError when a STOW fails (the result stays pending for retryPending)
 */
export async function saveToPacs(input: SaveInput, stow: Stow, pending: PendingStore, opts: SaveOptions = {}): Promise<PendingResult> {
  return keepAndSend(buildResult(input, opts), stow, pending);
}

/** Keeps a built result pending (nothing is lost if sending fails), then sends it. */
async function keepAndSend(result: PendingResult, stow: Stow, pending: PendingStore): Promise<PendingResult> {
  await pending.put(result);
  return sendPending(result, stow, pending);
}

/**
 * buildRevision, kept pending, then stored like any result.
 * @throws SaveToPacsError when a STOW fails (the revision stays pending for retryPending)
 */
export async function saveRevisionToPacs(input: { report: SpineReport; storedSeg: ArrayBuffer }, stow: Stow, pending: PendingStore, opts: SaveOptions = {}): Promise<PendingResult> {
  return keepAndSend(buildRevision(input, opts), stow, pending);
}

/**
 * Re-sends a pending result with its original bytes (same UIDs).
 * @throws Error when no pending result has this id; SaveToPacsError when the STOW fails again
 */
export async function retryPending(id: string, stow: Stow, pending: PendingStore): Promise<PendingResult> {
  const result = await pending.get(id);
  if (!result) throw new Error(`retryPending: no pending result with id ${id} (already saved?)`);
  return sendPending(result, stow, pending);
}
