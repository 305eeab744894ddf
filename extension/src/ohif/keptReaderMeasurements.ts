/**
 * The reader's own measurements (OHIF's Length, Angle, … tools) not stored in an SR, kept when the reader leaves the
 * mode for the study list. OHIF clears every measurement when a mode exits, with no question (the page's beforeunload
 * question does not see an in-page route change); so as the mode exits, those not in an SR stored from this page
 * (readerMeasurements.ts unstoredOf) are kept in this browser's localStorage, per study, as the cornerstone annotations
 * they were drawn as. Opening the study again, the panel offers them back (Restore: re-added to cornerstone's annotation
 * state, which OHIF's measurement service lists again) or Discard. OHIF's MeasurementService documents this route: "To
 * store measurements for later use, store them in the mode.onModeExit and restore them in the mode onModeEnter".
 */
import { getCornerstone } from './cornerstone';
import { getOhifContext } from './context';
import { readerMeasurements, unstoredOf, type OhifMeasurement } from './readerMeasurements';

const PREFIX = 'spine-mri:reader-measurements:';

/** What is kept for one study: when, and the cornerstone annotations as JSON-safe objects. */
export interface KeptMeasurements { keptAt: string; annotations: Record<string, unknown>[] }

/** A cornerstone annotation as this module needs it (cornerstoneTools.annotation.state). */
interface Annotation { annotationUID?: string; metadata?: { FrameOfReferenceUID?: string; toolName?: string } }

const keyOf = (studyUid: string) => `${PREFIX}${studyUid}`;

/**
 * Groups the unstored measurements' annotations by study, as JSON-safe copies.
 * @param annotationOf the cornerstone annotation of a measurement uid (OHIF keeps the two uids equal), if any
 */
export function unstoredAnnotationsByStudy(measurements: OhifMeasurement[], annotationOf: (uid: string) => unknown): Map<string, Record<string, unknown>[]> {
  const byStudy = new Map<string, Record<string, unknown>[]>();
  for (const m of unstoredOf(measurements)) {
    const a = annotationOf(m.uid);
    if (!m.referenceStudyUID || !a) continue;
    byStudy.set(m.referenceStudyUID, [...(byStudy.get(m.referenceStudyUID) ?? []), JSON.parse(JSON.stringify(a)) as Record<string, unknown>]);
  }
  return byStudy;
}

/** Keeps, per study, the measurements not stored in an SR (added to any kept before). Call as the mode exits, before OHIF clears them. */
export function keepUnstoredMeasurements(): void {
  try {
    const state = getCornerstone().tools.annotation.state;
    for (const [studyUid, annotations] of unstoredAnnotationsByStudy(readerMeasurements(), (uid) => state.getAnnotation(uid))) {
      const before = keptMeasurements(studyUid)?.annotations ?? [];
      const uids = new Set(annotations.map((a) => (a as Annotation).annotationUID));
      const kept: KeptMeasurements = { keptAt: new Date().toISOString(), annotations: [...before.filter((a) => !uids.has((a as Annotation).annotationUID)), ...annotations] };
      localStorage.setItem(keyOf(studyUid), JSON.stringify(kept));
    }
  } catch (e) {
    console.warn('Spine MRI: the measurements not stored in an SR could not be kept in this browser', e);
  }
}

/** The measurements kept for a study, or undefined. */
export function keptMeasurements(studyUid: string): KeptMeasurements | undefined {
  try {
    const raw = localStorage.getItem(keyOf(studyUid));
    const kept = raw ? (JSON.parse(raw) as KeptMeasurements) : undefined;
    return kept?.annotations?.length ? kept : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the measurements kept for a study. */
export function discardKeptMeasurements(studyUid: string): void {
  localStorage.removeItem(keyOf(studyUid));
}

/**
 * Draws the kept measurements of a study again (cornerstone's annotation state; OHIF's measurement service lists each
 * as it is added) and forgets those OHIF now lists; any it does not (their image's metadata not loaded) stay kept.
 * @returns how many OHIF lists again, and how many stay kept
 */
export function restoreKeptMeasurements(studyUid: string): { restored: number; stillKept: number } {
  const kept = keptMeasurements(studyUid);
  if (!kept) return { restored: 0, stillKept: 0 };
  const state = getCornerstone().tools.annotation.state;
  const services = getOhifContext().servicesManager.services as { measurementService?: { getMeasurement(uid: string): unknown }; cornerstoneViewportService?: any };
  const listed = (a: Annotation) => !!a.annotationUID && !!services.measurementService?.getMeasurement(a.annotationUID);
  for (const a of kept.annotations as Annotation[]) {
    if (listed(a)) continue; // already drawn
    try { state.addAnnotation(a, a.metadata?.FrameOfReferenceUID); } catch (e) { console.warn('Spine MRI: a kept measurement could not be drawn again', e); }
  }
  const left = (kept.annotations as Annotation[]).filter((a) => !listed(a));
  if (left.length) localStorage.setItem(keyOf(studyUid), JSON.stringify({ ...kept, annotations: left }));
  else discardKeptMeasurements(studyUid);
  services.cornerstoneViewportService?.getRenderingEngine?.()?.render();
  return { restored: kept.annotations.length - left.length, stillKept: left.length };
}
