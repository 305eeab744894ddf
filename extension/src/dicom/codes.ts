/**
 * The ONE table of coded concepts that the DICOM SEG and SR writers (and the SR reader) use.
 *
 * Every entry names its source. Standard codes were checked against DICOM PS3.16 context groups
 * (CID 7603 Vertebra, CID 7604 Intervertebral Disc, CID 1003 Anatomical Reference Basis - Spine,
 * CID 3832 Stenosis Grade, CID 3716 Severity, CID 230 Yes-No, CID 7150 Segmentation Property
 * Categories, CID 7469 Generic Intensity and Size Measurements, CID 244 Laterality) and PS3.16 Annex D (DCM).
 * Where no standard code exists (Pfirrmann grade, Lee foraminal grade, Pathria facet grade, ratios and
 * indices of the spine) or none could be confirmed from a source
 * (disc bulging, Modic change: no SNOMED CT concept with a checked code and meaning) the private coding scheme
 * `99SPINEMRI` is used; it is declared in the CodingSchemeIdentificationSequence of every SEG and SR.
 *
 * Note: 73071006 is T4 vertebra, not L4 (L4 is 11994002) — a common mistake in public code.
 */

/** A DICOM coded concept (Code Sequence Macro, PS3.3 Table 8.8-1) with where it comes from. */
export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export interface CodeEntry extends CodedConcept {
  /** Where the code is defined, e.g. 'DICOM PS3.16 CID 7603'. */
  source: string;
}

/** Private coding scheme of this project (PS3.3 C.12.1.1.2.2: private designators start with '99'). */
export const PRIVATE_SCHEME = {
  CodingSchemeDesignator: '99SPINEMRI',
  CodingSchemeName: 'Spine MRI for OHIF private codes',
  CodingSchemeResponsibleOrganization: 'ohif-spine-mri project',
  CodingSchemeVersion: '1',
} as const;

const SCT = 'SCT';
const DCM = 'DCM';
const UCUM = 'UCUM';
const P = PRIVATE_SCHEME.CodingSchemeDesignator;

function c(CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string, source: string): CodeEntry {
  return { CodeValue, CodingSchemeDesignator, CodeMeaning, source };
}

const CID7603 = 'DICOM PS3.16 CID 7603 Vertebra';
const CID7604 = 'DICOM PS3.16 CID 7604 Intervertebral Disc';
const CID1003 = 'DICOM PS3.16 CID 1003 Anatomical Reference Basis - Spine';
const PRIV = 'private scheme 99SPINEMRI (this project)';

/** Vertebrae by level name (CID 7603). */
export const VERTEBRA: Record<string, CodeEntry> = {
  C1: c('14806007', SCT, 'C1 vertebra', CID7603),
  C2: c('39976000', SCT, 'C2 vertebra', CID7603),
  C3: c('113205007', SCT, 'C3 vertebra', CID7603),
  C4: c('5329002', SCT, 'C4 vertebra', CID7603),
  C5: c('36978003', SCT, 'C5 vertebra', CID7603),
  C6: c('36054005', SCT, 'C6 vertebra', CID7603),
  C7: c('87391001', SCT, 'C7 vertebra', CID7603),
  T1: c('64864005', SCT, 'T1 vertebra', CID7603),
  T2: c('53733008', SCT, 'T2 vertebra', CID7603),
  T3: c('1626008', SCT, 'T3 vertebra', CID7603),
  T4: c('73071006', SCT, 'T4 vertebra', CID7603),
  T5: c('56401006', SCT, 'T5 vertebra', CID7603),
  T6: c('45296009', SCT, 'T6 vertebra', CID7603),
  T7: c('62487009', SCT, 'T7 vertebra', CID7603),
  T8: c('11068009', SCT, 'T8 vertebra', CID7603),
  T9: c('82687006', SCT, 'T9 vertebra', CID7603),
  T10: c('7610001', SCT, 'T10 vertebra', CID7603),
  T11: c('12989004', SCT, 'T11 vertebra', CID7603),
  T12: c('23215003', SCT, 'T12 vertebra', CID7603),
  L1: c('66794005', SCT, 'L1 vertebra', CID7603),
  L2: c('14293000', SCT, 'L2 vertebra', CID7603),
  L3: c('36470004', SCT, 'L3 vertebra', CID7603),
  L4: c('11994002', SCT, 'L4 vertebra', CID7603),
  L5: c('49668003', SCT, 'L5 vertebra', CID7603),
};

/** Intervertebral discs by level name 'L4/L5' (CID 7604; the structure itself). */
export const DISC: Record<string, CodeEntry> = {
  'C2/C3': c('1078209008', SCT, 'C2/C3 disc', CID7604),
  'C3/C4': c('58820006', SCT, 'C3/C4 disc', CID7604),
  'C4/C5': c('49400002', SCT, 'C4/C5 disc', CID7604),
  'C5/C6': c('73959003', SCT, 'C5/C6 disc', CID7604),
  'C6/C7': c('75095006', SCT, 'C6/C7 disc', CID7604),
  'C7/T1': c('37414007', SCT, 'C7/T1 disc', CID7604),
  'T10/T11': c('34959001', SCT, 'T10/T11 disc', CID7604),
  'T11/T12': c('1537001', SCT, 'T11/T12 disc', CID7604),
  'T12/L1': c('76206002', SCT, 'T12/L1 disc', CID7604),
  'L1/L2': c('80064006', SCT, 'L1/L2 disc', CID7604),
  'L2/L3': c('67459009', SCT, 'L2/L3 disc', CID7604),
  'L3/L4': c('62551000', SCT, 'L3/L4 disc', CID7604),
  'L4/L5': c('84020006', SCT, 'L4/L5 disc', CID7604),
  'L5/S1': c('715056000', SCT, 'L5/S1 disc', CID7604),
};

/** Disc levels as anatomical reference (CID 1003 "Level of … intervertebral disc"), used as SR Finding Site. */
export const DISC_LEVEL: Record<string, CodeEntry> = {
  'C2/C3': c('243902007', SCT, 'Level of C2/C3 intervertebral disc', CID1003),
  'C3/C4': c('243903002', SCT, 'Level of C3/C4 intervertebral disc', CID1003),
  'C4/C5': c('243904008', SCT, 'Level of C4/C5 intervertebral disc', CID1003),
  'C5/C6': c('243905009', SCT, 'Level of C5/C6 intervertebral disc', CID1003),
  'C6/C7': c('243906005', SCT, 'Level of C6/C7 intervertebral disc', CID1003),
  'C7/T1': c('243925008', SCT, 'Level of C7/T1 intervertebral disc', CID1003),
  'T10/T11': c('243917006', SCT, 'Level of T10/T11 intervertebral disc', CID1003),
  'T11/T12': c('243918001', SCT, 'Level of T11/T12 intervertebral disc', CID1003),
  'T12/L1': c('243926009', SCT, 'Level of T12/L1 intervertebral disc', CID1003),
  'L1/L2': c('243920003', SCT, 'Level of L1/L2 intervertebral disc', CID1003),
  'L2/L3': c('243921004', SCT, 'Level of L2/L3 intervertebral disc', CID1003),
  'L3/L4': c('243922006', SCT, 'Level of L3/L4 intervertebral disc', CID1003),
  'L4/L5': c('243923001', SCT, 'Level of L4/L5 intervertebral disc', CID1003),
  'L5/S1': c('243927000', SCT, 'Level of L5/S1 intervertebral disc', CID1003),
};

/** Anatomy and segment categories. */
export const ANATOMY = {
  anatomicalStructure: c('91723000', SCT, 'Anatomical Structure', 'DICOM PS3.16 CID 7150 Segmentation Property Categories'),
  vertebralBody: c('3572006', SCT, 'Vertebral body', 'DICOM PS3.16 (SNOMED CT body structure; ARCHITECTURE.md verified)'),
  spinalCord: c('2748008', SCT, 'Spinal cord', 'DICOM PS3.16 (SNOMED CT body structure; ARCHITECTURE.md verified)'),
  duraMater: c('18545000', SCT, 'Dura mater', 'DICOM PS3.16 (SNOMED CT body structure; ARCHITECTURE.md verified)'),
  // CID 4031 Common Anatomic Regions lists it (as does DCMTK's dcmsr/cmr/cid4031.h, generated from PS3.16): the anatomic
  // region of the S1 vertebral body, which CID 7603 Vertebra does not list.
  sacrum: c('54735007', SCT, 'Sacrum', 'DICOM PS3.16 CID 4031 Common Anatomic Regions'),
  // No code for these was confirmed in PS3.16 during this work: private until confirmed.
  posteriorElements: c('POSTELEM', P, 'Posterior elements of vertebra', PRIV),
  /** Disc whose level is unknown (CID 7604 lists only level-specific discs). */
  intervertebralDisc: c('IVDISC', P, 'Intervertebral disc', PRIV),
  // Finding sites of measurements (TID 1419 row "Finding Site"); no PS3.16 code confirmed for these.
  neuralForamen: c('NEURALFORAMEN', P, 'Neural foramen', PRIV),
  exitingNerveRoot: c('EXITNERVEROOT', P, 'Exiting spinal nerve root', PRIV),
  nucleusPulposus: c('NUCLEUSPULPOSUS', P, 'Nucleus pulposus', PRIV),
  annulusFibrosus: c('ANNULUSFIBROSUS', P, 'Annulus fibrosus', PRIV),
} as const;

/** Stenosis grades: CID 3832 for mild/moderate/severe; 'none' from CID 3716 Severity. */
export const STENOSIS_GRADE = {
  none: c('260413007', SCT, 'None', 'DICOM PS3.16 CID 3716 Severity'),
  mild: c('255604002', SCT, 'mild', 'DICOM PS3.16 CID 3832 Stenosis Grade'),
  moderate: c('6736007', SCT, 'moderate', 'DICOM PS3.16 CID 3832 Stenosis Grade'),
  severe: c('24484000', SCT, 'severe', 'DICOM PS3.16 CID 3832 Stenosis Grade'),
} as const;

export const YES_NO = {
  yes: c('373066001', SCT, 'Yes', 'DICOM PS3.16 CID 230 Yes-No'),
  no: c('373067005', SCT, 'No', 'DICOM PS3.16 CID 230 Yes-No'),
} as const;

export const PRESENCE = {
  present: c('121053', DCM, 'Present', 'DICOM PS3.16 Annex D (DCM); CID 240 Normal-Abnormal-Present-Absent'),
  absent: c('121054', DCM, 'Absent', 'DICOM PS3.16 Annex D (DCM); CID 240'),
} as const;

/** SR document structure concepts (TID 1500, 1501, 1411, 1204, 1002, 1003, 1004). */
export const SR = {
  imagingMeasurementReport: c('126000', DCM, 'Imaging Measurement Report', 'DICOM PS3.16 TID 1500, CID 7021'),
  language: c('121049', DCM, 'Language of Content Item and Descendants', 'DICOM PS3.16 TID 1204'),
  englishUS: c('en-US', 'RFC5646', 'English (United States)', 'DICOM PS3.16 CID 5000 Languages'),
  observerType: c('121005', DCM, 'Observer Type', 'DICOM PS3.16 TID 1002'),
  device: c('121007', DCM, 'Device', 'DICOM PS3.16 CID 270 Observer Type'),
  person: c('121006', DCM, 'Person', 'DICOM PS3.16 CID 270 Observer Type'),
  deviceObserverUid: c('121012', DCM, 'Device Observer UID', 'DICOM PS3.16 TID 1004'),
  deviceObserverName: c('121013', DCM, 'Device Observer Name', 'DICOM PS3.16 TID 1004'),
  deviceObserverManufacturer: c('121014', DCM, 'Device Observer Manufacturer', 'DICOM PS3.16 TID 1004'),
  deviceObserverModelName: c('121015', DCM, 'Device Observer Model Name', 'DICOM PS3.16 TID 1004'),
  personObserverName: c('121008', DCM, 'Person Observer Name', 'DICOM PS3.16 TID 1003'),
  procedureReported: c('121058', DCM, 'Procedure reported', 'DICOM PS3.16 TID 1500'),
  mri: c('113091000', SCT, 'Magnetic resonance imaging', 'SNOMED CT procedure (TID 1500 Procedure reported, CID 100 is extensible; not confirmed in a PS3.16 CID)'),
  imageLibrary: c('111028', DCM, 'Image Library', 'DICOM PS3.16 TID 1600'),
  imageLibraryGroup: c('126200', DCM, 'Image Library Group', 'DICOM PS3.16 TID 1600'),
  modality: c('121139', DCM, 'Modality', 'DICOM PS3.16 TID 1602'),
  magneticResonance: c('MR', DCM, 'Magnetic Resonance', 'DICOM PS3.16 CID 29 Acquisition Modality'),
  frameOfReferenceUid: c('112227', DCM, 'Frame of Reference UID', 'DICOM PS3.16 TID 1602'),
  imagingMeasurements: c('126010', DCM, 'Imaging Measurements', 'DICOM PS3.16 TID 1500'),
  measurementGroup: c('125007', DCM, 'Measurement Group', 'DICOM PS3.16 TID 1501/1411'),
  trackingIdentifier: c('112039', DCM, 'Tracking Identifier', 'DICOM PS3.16 TID 1501/1411'),
  trackingUid: c('112040', DCM, 'Tracking Unique Identifier', 'DICOM PS3.16 TID 1501/1411'),
  findingSite: c('363698007', SCT, 'Finding Site', 'DICOM PS3.16 TID 1411/1419'),
  referencedSegment: c('121191', DCM, 'Referenced Segment', 'DICOM PS3.16 TID 1411'),
  sourceSeriesForSegmentation: c('121232', DCM, 'Source series for segmentation', 'DICOM PS3.16 TID 1411'),
  sourceOfMeasurement: c('121112', DCM, 'Source of Measurement', 'DICOM PS3.16 TID 300/320'),
  imageRegion: c('111030', DCM, 'Image Region', 'DICOM PS3.16 TID 1410'),
  laterality: c('272741003', SCT, 'Laterality', 'DICOM PS3.16 TID 1419'),
  derivation: c('121401', DCM, 'Derivation', 'DICOM PS3.16 TID 1419'),
  equivalentMeaning: c('121050', DCM, 'Equivalent Meaning of Concept Name', 'DICOM PS3.16 TID 1419'),
} as const;

/** Laterality of a measurement's finding site (CID 244 Laterality, from CID 247). */
export const LATERALITY = {
  left: c('7771000', SCT, 'Left', 'DICOM PS3.16 CID 244 Laterality'),
  right: c('24028007', SCT, 'Right', 'DICOM PS3.16 CID 244 Laterality'),
} as const;

/**
 * Standard measurement concepts: DICOM PS3.16 CID 7469 Generic Intensity and Size Measurements (its size
 * members come from CID 7470 length, 7471 area, 7472 volume) and CID 7464 ROI Statistical Calculations;
 * codes as DCMTK 3.6.7 lists these context groups (dcmsr/cmr/cid7469.h, cid7464.h).
 */
export const STANDARD_MEASUREMENT = {
  height: c('121207', DCM, 'Height', 'DICOM PS3.16 CID 7469 (CID 7470)'),
  diameter: c('81827009', SCT, 'Diameter', 'DICOM PS3.16 CID 7469 (CID 7470)'),
  area: c('42798000', SCT, 'Area', 'DICOM PS3.16 CID 7469 (CID 7471)'),
  volume: c('118565006', SCT, 'Volume', 'DICOM PS3.16 CID 7469 (CID 7472)'),
  mrSignalIntensity: c('110852', DCM, 'MR signal intensity', 'DICOM PS3.16 CID 7469 (CID 7180)'),
  mean: c('373098007', SCT, 'Mean', 'DICOM PS3.16 CID 7464 ROI Statistical Calculations'),
} as const;

/** Private concepts: grade names, grade values, measurement names, annotations. */
export const PRIVATE = {
  pfirrmannGrade: c('PFIRRMANN', P, 'Pfirrmann disc degeneration grade', PRIV + '; Pfirrmann C. et al., Spine 2001;26(17):1873-8'),
  discNarrowing: c('DISCNARROW', P, 'Intervertebral disc space narrowing', PRIV),
  discBulging: c('DISCBULGE', P, 'Intervertebral disc bulging', PRIV + '; Fardon D.F. et al., Spine J 2014;14:2525-45'),
  modicChange: c('MODIC', P, 'Modic change of an adjacent vertebral endplate', PRIV + '; Modic M.T. et al., Radiology 1988;166:193-9'),
  upperEndplateDefect: c('ENDPLATE-UP', P, 'Defect of the endplate above the intervertebral disc', PRIV + '; Jamaludin A. et al., Eur Spine J 2017;26:1374-83'),
  lowerEndplateDefect: c('ENDPLATE-LOW', P, 'Defect of the endplate below the intervertebral disc', PRIV + '; Jamaludin A. et al., Eur Spine J 2017;26:1374-83'),
  spondylolisthesis: c('LISTHESIS', P, 'Spondylolisthesis (Meyerding grade)', PRIV + '; Meyerding H.W., Surg Gynecol Obstet 1932;54:371-7'),
  centralCanalStenosis: c('CANALSTEN', P, 'Central canal stenosis', PRIV + ' (values from CID 3832)'),
  foraminalStenosisLeft: c('FORAMSTEN-L', P, 'Left foraminal stenosis (Lee grade)', PRIV + '; Lee S. et al., AJR 2010;194:1095-8'),
  foraminalStenosisRight: c('FORAMSTEN-R', P, 'Right foraminal stenosis (Lee grade)', PRIV + '; Lee S. et al., AJR 2010;194:1095-8'),
  facetArthropathyLeft: c('FACET-L', P, 'Left facet arthropathy (Pathria grade)', PRIV + '; Pathria M. et al., Radiology 1987;164:227-30'),
  facetArthropathyRight: c('FACET-R', P, 'Right facet arthropathy (Pathria grade)', PRIV + '; Pathria M. et al., Radiology 1987;164:227-30'),
  notAssessable: c('NOTASSESSABLE', P, 'Not assessable', PRIV),
  notAssessableReason: c('NOTASSESS-WHY', P, 'Reason not assessable', PRIV),
  readerModified: c('READERMOD', P, 'Modified by reader', PRIV),
  automaticValue: c('AUTOVALUE', P, 'Value proposed by software', PRIV),
  gradingRule: c('GRADERULE', P, 'Grading rule applied', PRIV),
  gradingReference: c('GRADEREF', P, 'Grading system reference', PRIV),
  measurementMethod: c('MEASMETHOD', P, 'Measurement method description', PRIV),
  levelNaming: c('LEVELNAMING', P, 'Level naming anchor', PRIV),
  softwareLevelNaming: c('SWLEVELNAMING', P, 'Level naming proposed by software', PRIV),
  regionOfSpine: c('SPINEREGION', P, 'Region of spine analysed', PRIV),
} as const;

/** Pfirrmann grade values I..V (private; no standard code exists). */
export const PFIRRMANN_VALUE: Record<1 | 2 | 3 | 4 | 5, CodeEntry> = {
  1: c('PFIRRMANN-1', P, 'Pfirrmann grade I', PRIV),
  2: c('PFIRRMANN-2', P, 'Pfirrmann grade II', PRIV),
  3: c('PFIRRMANN-3', P, 'Pfirrmann grade III', PRIV),
  4: c('PFIRRMANN-4', P, 'Pfirrmann grade IV', PRIV),
  5: c('PFIRRMANN-5', P, 'Pfirrmann grade V', PRIV),
};

/** Meyerding grade 0 (no slip) .. V (private; grade/listhesis.ts). */
export const MEYERDING_VALUE: Record<0 | 1 | 2 | 3 | 4 | 5, CodeEntry> = {
  0: c('MEYERDING-0', P, 'No spondylolisthesis', PRIV),
  1: c('MEYERDING-1', P, 'Meyerding grade I', PRIV),
  2: c('MEYERDING-2', P, 'Meyerding grade II', PRIV),
  3: c('MEYERDING-3', P, 'Meyerding grade III', PRIV),
  4: c('MEYERDING-4', P, 'Meyerding grade IV', PRIV),
  5: c('MEYERDING-5', P, 'Meyerding grade V (spondyloptosis)', PRIV),
};

/** Lee foraminal grade 0..3 (private). */
export const LEE_VALUE: Record<0 | 1 | 2 | 3, CodeEntry> = {
  0: c('LEE-0', P, 'Lee foraminal grade 0', PRIV),
  1: c('LEE-1', P, 'Lee foraminal grade 1', PRIV),
  2: c('LEE-2', P, 'Lee foraminal grade 2', PRIV),
  3: c('LEE-3', P, 'Lee foraminal grade 3', PRIV),
};

/** Pathria facet grade 0..3 (private). */
export const PATHRIA_VALUE: Record<0 | 1 | 2 | 3, CodeEntry> = {
  0: c('PATHRIA-0', P, 'Pathria facet grade 0', PRIV),
  1: c('PATHRIA-1', P, 'Pathria facet grade 1', PRIV),
  2: c('PATHRIA-2', P, 'Pathria facet grade 2', PRIV),
  3: c('PATHRIA-3', P, 'Pathria facet grade 3', PRIV),
};

/** Measurement names (SpineReport Measurement.name) → private concept. Unknown names get a derived private code. */
export const MEASUREMENT: Record<string, CodeEntry> = {
  discHeightMm: c('DISCHEIGHT', P, 'Disc height', PRIV),
  discHeightIndex: c('DISCHEIGHTIDX', P, 'Disc height index', PRIV),
  canalApDiameterMm: c('CANALAP', P, 'Spinal canal anteroposterior diameter', PRIV),
  duralSacAreaMm2: c('DURALSACAREA', P, 'Dural sac cross-sectional area', PRIV),
  foramenAreaLeftMm2: c('FORAMAREA-L', P, 'Left neural foramen area', PRIV),
  foramenAreaRightMm2: c('FORAMAREA-R', P, 'Right neural foramen area', PRIV),
  foramenHeightLeftMm: c('FORAMHEIGHT-L', P, 'Left neural foramen height', PRIV),
  foramenHeightRightMm: c('FORAMHEIGHT-R', P, 'Right neural foramen height', PRIV),
  nerveRootAreaLeftMm2: c('ROOTAREA-L', P, 'Left exiting nerve root area', PRIV),
  nerveRootAreaRightMm2: c('ROOTAREA-R', P, 'Right exiting nerve root area', PRIV),
  nucleusCsfSignalRatio: c('NUCCSFRATIO', P, 'Nucleus pulposus to CSF signal intensity ratio', PRIV),
  discVolumeMm3: c('DISCVOLUME', P, 'Disc volume', PRIV),
  vertebralSlipMm: c('SLIPMM', P, 'Vertebral slip (anterior positive)', PRIV),
  vertebralSlipPercent: c('SLIPPCT', P, 'Vertebral slip, % of lower endplate depth (anterior positive)', PRIV),
  // Worded for a reader of the SR in another viewer (until 2026-12-03 these were 'M-' codes meaning the bare name,
  // e.g. 'nucleusSignalMean'; measurementName still reads those back by their meaning).
  nucleusSignalMean: c('NUCSIGNAL', P, 'Nucleus pulposus mean signal intensity', PRIV),
  annulusSignalMean: c('ANNSIGNAL', P, 'Annulus fibrosus mean signal intensity', PRIV),
  nucleusVertebralBodySignalRatio: c('NUCVBRATIO', P, 'Nucleus pulposus to vertebral body signal intensity ratio', PRIV),
  nucleusAnnulusContrast: c('NUCANNCONTRAST', P, 'Nucleus pulposus to annulus fibrosus signal contrast', PRIV),
  nucleusBrightestDiscRatio: c('NUCMAXDISCRATIO', P, 'Nucleus pulposus signal relative to the brightest disc', PRIV),
  discOutlineFraction: c('DISCOUTLINEFRAC', P, 'Disc outline area relative to the median disc', PRIV),
  canalApDiameterMidVertebralMm: c('CANALAPMIDVB', P, 'Canal AP diameter behind the vertebral body above', PRIV),
};

type MeasuredSite = 'disc' | 'duralSac' | 'neuralForamen' | 'exitingNerveRoot' | 'nucleusPulposus' | 'annulusFibrosus';

/** A measurement coded as TID 1419 codes it: a standard concept, the structure measured, and where needed its side or statistic. */
interface StandardCoding { concept: CodeEntry; site: MeasuredSite; laterality?: keyof typeof LATERALITY; derivation?: CodeEntry }

const S = STANDARD_MEASUREMENT;
/**
 * The measurements a standard concept describes, with the modifiers that tell them apart (a consumer of the SR reads
 * "Area, Finding Site Neural foramen, Laterality Left"). The others (ratios, indices, the slip, the canal behind the
 * vertebral body) keep their private concept: no standard one says what they are.
 */
const STANDARD_CODING: Record<string, StandardCoding> = {
  discHeightMm: { concept: S.height, site: 'disc' },
  discVolumeMm3: { concept: S.volume, site: 'disc' },
  canalApDiameterMm: { concept: S.diameter, site: 'duralSac' },
  duralSacAreaMm2: { concept: S.area, site: 'duralSac' },
  foramenAreaLeftMm2: { concept: S.area, site: 'neuralForamen', laterality: 'left' },
  foramenAreaRightMm2: { concept: S.area, site: 'neuralForamen', laterality: 'right' },
  foramenHeightLeftMm: { concept: S.height, site: 'neuralForamen', laterality: 'left' },
  foramenHeightRightMm: { concept: S.height, site: 'neuralForamen', laterality: 'right' },
  nerveRootAreaLeftMm2: { concept: S.area, site: 'exitingNerveRoot', laterality: 'left' },
  nerveRootAreaRightMm2: { concept: S.area, site: 'exitingNerveRoot', laterality: 'right' },
  nucleusSignalMean: { concept: S.mrSignalIntensity, site: 'nucleusPulposus', derivation: S.mean },
  annulusSignalMean: { concept: S.mrSignalIntensity, site: 'annulusFibrosus', derivation: S.mean },
};

/** The finding site code of a measured structure; a disc is named by its level (CID 7604) where it has one. */
function siteCode(site: MeasuredSite, level: string): CodeEntry {
  if (site === 'disc') return DISC[level] ?? ANATOMY.intervertebralDisc;
  if (site === 'duralSac') return ANATOMY.duraMater;
  return ANATOMY[site];
}

function siteOf(code: CodedConcept | undefined): MeasuredSite | undefined {
  if (!code) return undefined;
  if (sameCode(code, ANATOMY.intervertebralDisc) || Object.values(DISC).some((d) => sameCode(code, d))) return 'disc';
  if (sameCode(code, ANATOMY.duraMater)) return 'duralSac';
  return (['neuralForamen', 'exitingNerveRoot', 'nucleusPulposus', 'annulusFibrosus'] as const).find((k) => sameCode(code, ANATOMY[k]));
}

/** How sr.ts writes a measurement: its concept name and the TID 1419 modifiers (all absent for a private concept). */
export interface MeasurementCoding {
  concept: CodedConcept;
  /** Finding Site (and its Laterality), Derivation, and the Equivalent Meaning of Concept Name (the specific wording). */
  site?: CodedConcept;
  laterality?: CodedConcept;
  derivation?: CodedConcept;
  equivalentMeaning?: string;
}

/** @param level the measurement group's level ('L4/L5'): a disc measurement's finding site names it. */
export function measurementCoding(name: string, level: string): MeasurementCoding {
  const std = STANDARD_CODING[name];
  if (!std) return { concept: measurementCode(name) };
  return {
    concept: std.concept, site: siteCode(std.site, level), laterality: std.laterality && LATERALITY[std.laterality],
    derivation: std.derivation, equivalentMeaning: MEASUREMENT[name].CodeMeaning,
  };
}

/**
 * Measurement name back from a NUM's concept and modifiers (inverse of measurementCoding). Private concepts —
 * also those every measurement had in SRs written before 2026-12-03 — are read by measurementName.
 */
export function measurementNameOf(coding: MeasurementCoding): string {
  const site = siteOf(coding.site);
  const same = (a?: CodedConcept, b?: CodedConcept) => (a && b ? sameCode(a, b) : a === b);
  const found = Object.entries(STANDARD_CODING).find(([, std]) => sameCode(coding.concept, std.concept) && site === std.site
    && same(std.laterality && LATERALITY[std.laterality], coding.laterality) && same(std.derivation, coding.derivation));
  return found ? found[0] : measurementName(coding.concept);
}

/** UCUM units (Ucum type of report.ts). */
export const UNIT: Record<'mm' | 'mm2' | '{ratio}' | '1' | 'mm3' | '%', CodeEntry> = {
  mm: c('mm', UCUM, 'millimeter', 'UCUM'),
  mm2: c('mm2', UCUM, 'square millimeter', 'UCUM'),
  mm3: c('mm3', UCUM, 'cubic millimeter', 'UCUM'),
  '{ratio}': c('{ratio}', UCUM, 'ratio', 'UCUM'),
  '1': c('1', UCUM, 'no units', 'UCUM'),
  '%': c('%', UCUM, 'percent', 'UCUM'),
};

/** Every entry, for tests and lookups. */
export const ALL_CODES: CodeEntry[] = [
  ...Object.values(VERTEBRA),
  ...Object.values(DISC),
  ...Object.values(DISC_LEVEL),
  ...Object.values(ANATOMY),
  ...Object.values(STENOSIS_GRADE),
  ...Object.values(YES_NO),
  ...Object.values(PRESENCE),
  ...Object.values(SR),
  ...Object.values(PRIVATE),
  ...Object.values(PFIRRMANN_VALUE),
  ...Object.values(MEYERDING_VALUE),
  ...Object.values(LEE_VALUE),
  ...Object.values(PATHRIA_VALUE),
  ...Object.values(MEASUREMENT),
  ...Object.values(STANDARD_MEASUREMENT),
  ...Object.values(LATERALITY),
  ...Object.values(UNIT),
];

/** Code without its `source`, as written into a DICOM Code Sequence item. */
export function code(e: CodedConcept): CodedConcept {
  return { CodeValue: e.CodeValue, CodingSchemeDesignator: e.CodingSchemeDesignator, CodeMeaning: e.CodeMeaning };
}

/** Same concept (value + designator; meaning is not part of identity, PS3.3 8.1). */
export function sameCode(a: CodedConcept | undefined, b: CodedConcept): boolean {
  return !!a && a.CodeValue === b.CodeValue && a.CodingSchemeDesignator === b.CodingSchemeDesignator;
}

/** Private concept for a measurement name; unknown names map to 'M-' + a short stable hash, meaning = the name. */
export function measurementCode(name: string): CodeEntry {
  const known = MEASUREMENT[name];
  if (known) return known;
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return c('M-' + h.toString(16).toUpperCase(), P, name, PRIV + ' (derived from measurement name)');
}

/** Measurement name back from a concept (inverse of measurementCode). */
export function measurementName(concept: CodedConcept): string {
  for (const [name, e] of Object.entries(MEASUREMENT)) if (sameCode(concept, e)) return name;
  return concept.CodeMeaning;
}

/** Key of the record whose value has the same code, or undefined. */
export function keyOf<K extends string | number>(table: Record<K, CodedConcept>, concept: CodedConcept | undefined): K | undefined {
  if (!concept) return undefined;
  for (const k of Object.keys(table) as K[]) if (sameCode(concept, table[k])) return k;
  return undefined;
}
