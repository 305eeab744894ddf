/**
 * SpineReport: the one typed result of the analysis. The panel, the DICOM SEG writer and the
 * DICOM SR writer all read it; the SR reader rebuilds it. Grades are computed once, in grade/,
 * and only stored here.
 */
import type { Vec3 } from './volume';
import type { LevelRuleInputs, StoredLevelGrades } from './grade/level-rules';

/** Structures the pipeline segments. */
export type StructureKind = 'vertebral_body' | 'disc' | 'dural_sac' | 'spinal_cord' | 'posterior_elements' | 'sacrum';

/** One instance of a structure in the labelmap and (1:1) one segment in the DICOM SEG. */
export interface SegmentInfo {
  /** 1-based; the labelmap value and the SEG SegmentNumber. */
  segmentNumber: number;
  kind: StructureKind;
  /** Level name for instances: 'L4' (vertebral body), 'L4/L5' (disc); absent for dural sac / cord. */
  level?: string;
  /** Label as a radiologist says it: 'L4 vertebral body', 'L4/L5 disc', 'Dural sac'. */
  label: string;
  voxelCount: number;
  /** Centroid in DICOM patient coordinates (LPS, mm). */
  centroidLps: Vec3;
  /** True when the reader renamed this segment's level (and it differs from the software's name). */
  readerModified?: boolean;
  /** The software's level name, kept once the reader renames the segment (so shifting back clears readerModified). */
  automaticLevel?: string;
  /** Disc space between two bodies with no disc segmented by the network; painted by rule. */
  inferred?: true;
  /** The reader corrected this segment's outline (brush, eraser) and it was measured again (edited-outlines.ts). */
  outlineCorrected?: true;
}

/** UCUM unit codes used in measurements (the SR writes them as UCUM codes). */
export type Ucum = 'mm' | 'mm2' | '{ratio}' | '1' | '%';

/** The image a measurement was taken on (Measurement.sourceImage), from the DICOM identity of an image; undefined when any part is unknown. */
export function sourceImageOf(x: { seriesInstanceUid?: string; sopInstanceUid?: string; frameOfReferenceUid?: string; frameNumber?: number; sopClassUid?: string }): Measurement['sourceImage'] {
  return x.seriesInstanceUid && x.sopInstanceUid && x.frameOfReferenceUid
    ? { seriesInstanceUid: x.seriesInstanceUid, sopInstanceUid: x.sopInstanceUid, frameOfReferenceUid: x.frameOfReferenceUid, ...(x.frameNumber ? { frameNumber: x.frameNumber } : {}), ...(x.sopClassUid ? { sopClassUid: x.sopClassUid } : {}) }
    : undefined;
}

export interface Measurement {
  /** Stable key, e.g. 'discHeightMm', 'canalApDiameterMm', 'duralSacAreaMm2', 'nucleusCsfSignalRatio'. */
  name: string;
  value: number;
  unit: Ucum;
  /** SEG segment the value was measured on. */
  segmentNumber?: number;
  /** The one image the value was measured on (an axial or parasagittal slice), where it is one image. */
  /**
   * frameNumber (1-based): the frame of a multi-frame (Enhanced MR) instance, absent for a single-frame image;
   * sopClassUid where known (the SR references an image by its class; MR Image Storage when absent).
   */
  sourceImage?: { seriesInstanceUid: string; sopInstanceUid: string; frameOfReferenceUid: string; frameNumber?: number; sopClassUid?: string };
  /** Outline of the measured region on sourceImage, LPS mm in its frame of reference (closed polygon, first point not repeated). */
  outlineLps?: Vec3[];
  /** Where the measured structure lies on sourceImage when it has no outline (the exiting nerve root's centre), LPS mm. */
  pointLps?: Vec3;
  /** An open path measured along on sourceImage (the posterior vertebral body lines of a slip), LPS mm. */
  lineLps?: Vec3[];
  /** How it was measured, one line, for the evidence view. */
  method: string;
}

export interface Evidence {
  measurements: Measurement[];
  /** The rule applied, with thresholds, in words: 'AP diameter 9.1 mm < 10 mm → absolute stenosis'. */
  rule: string;
  /** Grading system and its source: 'Pfirrmann C. et al., Spine 2001;26(17):1873-8'. */
  reference: string;
}

/** A graded finding; value null means "not assessable" and notAssessableReason says why. */
export interface Finding<T> {
  value: T | null;
  notAssessableReason?: string;
  evidence: Evidence;
  /** True once a reader changed the value; automaticValue keeps what the software said. */
  readerModified: boolean;
  automaticValue?: T | null;
}

export type PfirrmannGrade = 1 | 2 | 3 | 4 | 5;
export type StenosisGrade = 'none' | 'mild' | 'moderate' | 'severe';
/** Meyerding spondylolisthesis grade I-V, 0 = no slip (grade/listhesis.ts). */
export type MeyerdingGrade = 0 | 1 | 2 | 3 | 4 | 5;
/** Lee foraminal grade 0-3; Pathria facet grade 0-3. */
export type Grade0to3 = 0 | 1 | 2 | 3;

/** One disc level (motion segment), e.g. 'L4/L5'. */
export interface LevelReport {
  level: string;
  discSegmentNumber?: number;
  /** All measurements taken at this level (also referenced from the findings' evidence). */
  measurements: Measurement[];
  pfirrmannGrade: Finding<PfirrmannGrade>;
  discNarrowing: Finding<boolean>;
  /** Optional: absent in reports from versions before the disc-patch classifier (and in their SRs). */
  discBulging?: Finding<boolean>;
  /** Modic change of either adjacent endplate, any type 1-3. Optional as discBulging. */
  modicChange?: Finding<boolean>;
  /** Defect of the endplate above the disc (the upper vertebra's inferior endplate; L4's at L4/L5). Optional as discBulging. */
  upperEndplateDefect?: Finding<boolean>;
  /** Defect of the endplate below the disc (the lower vertebra's superior endplate; L5's at L4/L5). Optional as discBulging. */
  lowerEndplateDefect?: Finding<boolean>;
  /** Slip of the upper vertebral body on the lower one (grade/listhesis.ts). Optional as discBulging (reports of versions before it). */
  spondylolisthesis?: Finding<MeyerdingGrade>;
  centralCanalStenosis: Finding<StenosisGrade>;
  foraminalStenosisLeft: Finding<Grade0to3>;
  foraminalStenosisRight: Finding<Grade0to3>;
  facetArthropathyLeft: Finding<Grade0to3>;
  facetArthropathyRight: Finding<Grade0to3>;
  /**
   * What the name-dependent grades (canal, foramina, slip) were computed from, so that renaming the levels grades them
   * again (grade/level-rules.ts). Set by the analysis; not in the SR, so absent from a report read back from one.
   */
  levelRuleInputs?: LevelRuleInputs;
  /** A level read back from an SR, once renamed: as it was stored, so each rename grades from it (grade/level-rules.ts). */
  asStored?: StoredLevelGrades;
}

export interface SourceSeriesRef {
  role: 'sagittal_t2' | 'sagittal_t1' | 'sagittal_stir' | 'axial_t2';
  seriesInstanceUid: string;
}

export interface SpineReport {
  schemaVersion: 1;
  studyInstanceUid: string;
  /** The series the labelmap lies on (normally the sagittal T2). */
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  sourceSeries: SourceSeriesRef[];
  /** sha256 of the model file; read back from an SR, only its first 32 hex digits (the SR's Device Observer UID holds them). */
  model: { name: string; version: string; sha256: string };
  software: { name: string; version: string };
  region: 'lumbar' | 'cervical' | 'thoracolumbar' | 'unknown';
  /**
   * How level names were anchored; certain=false means the names are a best guess and the panel says so.
   * `automatic`: the software's own certainty and note, kept once the reader renamed or
   * confirmed the names; its `shift` = vertebrae the shown names lie below the software's (+1: the software's L5 is
   * shown as S1; 0 or absent: same names), so the software's names stay known where no segment carries them (a
   * stored report).
   */
  levelNaming: { anchor: 'sacrum' | 'assumed_lowest_is_L5' | 'none'; certain: boolean; note: string; automatic?: { certain: boolean; note: string; shift?: number } };
  segments: SegmentInfo[];
  levels: LevelReport[];
  /** ISO 8601 time of the analysis. */
  createdAt: string;
  /** Inference backend and timing, for the panel. */
  run?: { backend: string; seconds: number };
  reader?: { name?: string };
  /**
   * The stored SR whose content this report holds: wholly (the report was read from it, sr-read.ts) or in part (the
   * reader's changes in it were carried over, panel/storedReaderChanges.ts). An SR written from this report names it
   * in its Predecessor Documents Sequence (DICOM PS3.3 C.17.2, SR Document General Module), so that software reading
   * the study knows which earlier report a new version revises.
   */
  fromStoredSr?: StoredSrRef;
}

/** One stored SR instance (DICOM UIDs). */
export interface StoredSrRef { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string }
