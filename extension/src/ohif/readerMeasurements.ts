/**
 * Measurements the reader draws with OHIF's tools (Length, Bidirectional, Angle, …). OHIF's Measurement panel, which the
 * Spine MRI mode shows beside ours, lists them and stores them in the PACS as OHIF's own TID 1500 SR (Create SR); Save to
 * PACS stores the analysis only. A measurement in no SR stored from this page would be lost with the page:
 * unstoredReaderMeasurements names them for the question before it closes (panel/unsavedWork.ts).
 *
 * Stored: OHIF's Create SR stores every measurement of the study and adds the SR it wrote to that study, so an SR
 * display set (not our report) that appears for a study while measurements of that study exist is taken for their
 * store. Each is kept as it was then (points and label); one moved, relabelled or drawn since is unstored again. An SR
 * that fails to store adds nothing, and its measurements stay unstored. Measurements shown from a stored SR (OHIF's SR
 * viewport) are not in OHIF's measurement service and are not counted.
 */
import type { Services } from '../../../types/ohif';
import { STORED_REPORT_HANDLER } from './storedReportDisplaySet';

/** What this module reads of an OHIF measurement (measurementService.getMeasurements()). */
export interface OhifMeasurement {
  uid: string;
  referenceStudyUID?: string;
  label?: string;
  points?: unknown;
}

type MeasurementServices = Pick<Services, 'displaySetService'> & { measurementService?: { getMeasurements(): OhifMeasurement[] } };

/** measurement uid → its content (measurementContent) when last stored. */
const storedAs = new Map<string, string>();
let services: MeasurementServices | undefined;

const measurementContent = (m: OhifMeasurement) => JSON.stringify([m.points ?? null, m.label ?? '']);

/** Marks as stored, as they are now, the measurements of each study an SR was just added to. */
export function noteSrAdded(studyUids: Iterable<string>, measurements: OhifMeasurement[]): void {
  const studies = new Set(studyUids);
  for (const m of measurements) if (m.referenceStudyUID && studies.has(m.referenceStudyUID)) storedAs.set(m.uid, measurementContent(m));
}

/** The measurements not in an SR stored from this page, in their current form. */
export function unstoredOf(measurements: OhifMeasurement[]): OhifMeasurement[] {
  return measurements.filter((m) => storedAs.get(m.uid) !== measurementContent(m));
}

/** Watches OHIF's display sets for SRs stored from this page (see the file comment). Call once (preRegistration). */
export function watchStoredReaderMeasurements(s: MeasurementServices): void {
  services = s;
  const { displaySetService } = s;
  const event = displaySetService.EVENTS.DISPLAY_SETS_ADDED;
  if (!event) return;
  displaySetService.subscribe(event, ({ displaySetsAdded }: { displaySetsAdded?: { Modality?: string; SOPClassHandlerId?: string; StudyInstanceUID?: string }[] }) => {
    const srStudies = (displaySetsAdded ?? [])
      .filter((ds) => ds.Modality === 'SR' && !ds.SOPClassHandlerId?.endsWith(`.${STORED_REPORT_HANDLER}`))
      .map((ds) => ds.StudyInstanceUID ?? '');
    if (srStudies.length) noteSrAdded(srStudies, s.measurementService?.getMeasurements() ?? []);
  });
}

/** The measurements OHIF's measurement service holds now (empty before watchStoredReaderMeasurements). */
export function readerMeasurements(): OhifMeasurement[] {
  return services?.measurementService?.getMeasurements() ?? [];
}

/** One line per study with measurements drawn with OHIF's tools and not stored as an SR from this page; empty otherwise. */
export function unstoredReaderMeasurements(): string[] {
  const perStudy = new Map<string, number>();
  for (const m of unstoredOf(readerMeasurements())) {
    perStudy.set(m.referenceStudyUID ?? '', (perStudy.get(m.referenceStudyUID ?? '') ?? 0) + 1);
  }
  return [...perStudy].map(([study, n]) => `${n} measurement${n === 1 ? '' : 's'} drawn on study ${study}, not stored as an SR (Measurement panel: Create SR)`);
}
