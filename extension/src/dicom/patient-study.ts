/**
 * Patient and study attributes that a derived object (SEG, SR) must copy from its source images so
 * that a PACS files it under the same patient and study (PS3.3 C.7.1.1 Patient, C.7.2.1 General Study).
 * SpineVolume carries no patient data, so the caller passes them (the OHIF glue reads them from the
 * source instance metadata; the CLI from the DICOM files or the importer).
 */
import type { NaturalDataset } from 'dcmjs';

export interface PatientStudy {
  PatientName?: string;
  PatientID?: string;
  PatientBirthDate?: string;
  PatientSex?: string;
  StudyDate?: string;
  StudyTime?: string;
  StudyID?: string;
  AccessionNumber?: string;
  ReferringPhysicianName?: string;
  StudyDescription?: string;
}

const KEYS: (keyof PatientStudy)[] = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'StudyID',
  'AccessionNumber', 'ReferringPhysicianName', 'StudyDescription',
];

/** Patient/study attributes picked from a naturalized source dataset (e.g. the first source slice). */
export function patientStudyFrom(ds: NaturalDataset): PatientStudy {
  const out: PatientStudy = {};
  for (const k of KEYS) {
    const v = ds[k];
    if (v === undefined || v === null) continue;
    // dcmjs naturalizes PN as [{ Alphabetic }] — keep the Alphabetic string.
    out[k] = typeof v === 'object' ? String((Array.isArray(v) ? v[0] : v)?.Alphabetic ?? '') : String(v);
  }
  return out;
}

/** The Type 2 patient/study elements, empty where unknown (Type 2 = present, may be empty). */
export function patientStudyElements(p: PatientStudy | undefined): NaturalDataset {
  const q = p ?? {};
  return {
    PatientName: q.PatientName ?? '',
    PatientID: q.PatientID ?? '',
    PatientBirthDate: q.PatientBirthDate ?? '',
    PatientSex: q.PatientSex ?? '',
    StudyDate: q.StudyDate ?? '',
    StudyTime: q.StudyTime ?? '',
    StudyID: q.StudyID ?? '',
    AccessionNumber: q.AccessionNumber ?? '',
    ReferringPhysicianName: q.ReferringPhysicianName ?? '',
    ...(q.StudyDescription ? { StudyDescription: q.StudyDescription } : {}),
  };
}
