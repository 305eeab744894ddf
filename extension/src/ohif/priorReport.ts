/**
 * The stored Spine MRI findings of the patient's prior study, for comparison (panel/priorChanges.ts).
 *
 * QIDO-RS through OHIF's data source finds the patient's studies by PatientID (exact, no wildcard: '1' must not
 * match '10'); the newest study dated on or before this one (StudyDate, then StudyTime) that holds our SR is read
 * as loadStoredReport.ts reads the current study's. At most MAX_PRIOR_STUDIES studies are asked, newest first.
 */
import type { SpineReport } from '../pipeline/report';
import { getOhifContext } from './context';
import { activeDataSource, type OhifDicomWebDataSource } from './dataSourceStow';
import { loadStoredReport } from './loadStoredReport';

/** How many earlier studies are searched for stored findings (each costs a QIDO-RS series query). */
export const MAX_PRIOR_STUDIES = 5;

/** One study as OHIF's processResults maps a QIDO-RS study result. */
export interface QidoStudy {
  studyInstanceUid: string;
  /** StudyDate, YYYYMMDD. */
  date?: string;
  /** StudyTime, HHmmss. */
  time?: string;
  /** PatientID. */
  mrn?: string;
}

export interface PriorReport {
  studyInstanceUid: string;
  /** StudyDate of the prior study, YYYYMMDD. */
  studyDate: string;
  version: number;
  report: SpineReport;
}

/** The patient's other studies dated on or before the current one, newest first (studies without a StudyDate are left out). */
export function priorCandidates(studies: QidoStudy[], current: { studyInstanceUid: string; patientId: string; studyDate: string; studyTime?: string }): QidoStudy[] {
  const key = (s: { date?: string; time?: string }) => `${s.date ?? ''}${(s.time ?? '').padEnd(6, '0')}`;
  const now = key({ date: current.studyDate, time: current.studyTime });
  return studies
    .filter((s) => s.mrn === current.patientId && s.studyInstanceUid !== current.studyInstanceUid && s.date && key(s) <= now)
    .sort((a, b) => key(b).localeCompare(key(a)));
}

/** PatientID, StudyDate and StudyTime of a study shown in OHIF (from the first instance of one of its display sets). */
export function shownStudy(studyInstanceUid: string): { patientId?: string; studyDate?: string; studyTime?: string } {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const first = displaySetService.getActiveDisplaySets().find((d) => d.StudyInstanceUID === studyInstanceUid && d.instances?.length)?.instances?.[0];
  return { patientId: first?.PatientID || undefined, studyDate: first?.StudyDate || undefined, studyTime: first?.StudyTime || undefined };
}

/**
 * The newest prior study's stored findings, or undefined when no earlier study of the patient holds any.
 * @throws Error when the study shown has no PatientID or StudyDate (nothing to find the patient's earlier studies by),
 *   or the PACS cannot be queried or cannot return a stored report
 */
export async function findPriorReport(studyInstanceUid: string, dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<PriorReport | undefined> {
  const { patientId, studyDate, studyTime } = shownStudy(studyInstanceUid);
  if (!patientId || !studyDate) throw new Error(`this study has no ${patientId ? 'StudyDate' : 'PatientID'} to find the patient's earlier studies by`);
  if (!dataSource.query.studies) throw new Error('the active data source cannot search studies (QIDO-RS)');
  const studies = await dataSource.query.studies.search({ patientId, disableWildcard: true });
  for (const s of priorCandidates(studies ?? [], { studyInstanceUid, patientId, studyDate, studyTime }).slice(0, MAX_PRIOR_STUDIES)) {
    const stored = await loadStoredReport(s.studyInstanceUid, dataSource);
    if (stored) return { studyInstanceUid: s.studyInstanceUid, studyDate: s.date!, version: stored.version, report: stored.report };
  }
  return undefined;
}
