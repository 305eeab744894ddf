/**
 * DICOM SR writer: SpineReport → TID 1500 "Imaging Measurement Report" as Comprehensive 3D SR
 * (1.2.840.10008.5.1.4.1.1.88.34), encoded with dcmjs (the content tree is built here because dcmjs
 * 0.52 `sr.templates` are broken for TID 1500).
 *
 * Document layout (PS3.16 TID 1500 / 1204 / 1002 / 1004 / 1411 / 1501):
 *   CONTAINER Imaging Measurement Report (DCM 126000), template DCMR 1500
 *   > HAS CONCEPT MOD Language = English (United States)                     (TID 1204)
 *   > HAS OBS CONTEXT Observer Type = Device, Device Observer UID/Name/Manufacturer/Model Name (TID 1004)
 *   > HAS OBS CONTEXT Observer Type = Person, Person Observer Name (reader, when known; TID 1003)
 *   > HAS CONCEPT MOD Procedure reported = Magnetic resonance imaging
 *   > CONTAINS Image Library (TID 1600): one group (Modality MR, Frame of Reference UID) with the source slices
 *   > CONTAINS CONTAINER Imaging Measurements (DCM 126010)
 *     >> one Measurement Group (DCM 125007) per level: TID 1411 when the level has a disc segment
 *        (Referenced Segment IMAGE → SEG + ReferencedSegmentNumber, Source series for segmentation),
 *        else TID 1501. Tracking Identifier = the level ('L4/L5'), Tracking UID, Finding Site = the
 *        disc level (CID 1003, e.g. SCT 243923001 "Level of L4/L5 intervertebral disc").
 *        NUM per measurement (UCUM unit), with a TEXT "Measurement method description" and, where the
 *        value was measured on another segment, INFERRED FROM IMAGE Referenced Segment. Sizes and signal
 *        means are named as TID 1419 names them — a CID 7469 concept (Height, Diameter, Area, Volume, MR signal
 *        intensity) with HAS CONCEPT MOD Finding Site (>> Laterality), Derivation (Mean) and Equivalent Meaning of
 *        Concept Name ('Left neural foramen area'); ratios and indices keep a private concept (codes.ts).
 *        CODE per graded finding (qualitative evaluation): concept from codes.ts PRIVATE, value from
 *        CID 3832 / CID 240 / private grade codes, with HAS PROPERTIES TEXT rule and reference and
 *        INFERRED FROM by-reference links to the NUMs in its evidence. Optional findings (disc bulging,
 *        Modic change, endplate defects, spondylolisthesis) are written only when the level has them (reports of older versions lack them).
 *   > CONTAINS TEXT Level naming anchor / Region of spine (private annotations, read back by sr-read.ts)
 *
 * Not assessable: the CODE value is 99SPINEMRI NOTASSESSABLE "Not assessable" with a HAS PROPERTIES
 * TEXT "Reason not assessable" — so every DICOM reader shows it, and no grade is invented.
 * Reader modified: HAS PROPERTIES CODE "Modified by reader" = SCT Yes, plus HAS PROPERTIES CODE
 * "Value proposed by software" = the automatic value (or Not assessable).
 * A new version of a stored report (the reader's changes to it, or carried over from it to a new analysis: the report's
 * fromStoredSr) names that SR in the Predecessor Documents Sequence (PS3.3 C.17.2: required when the document includes
 * content of other documents).
 */
import type { NaturalDataset } from 'dcmjs';
import type { Finding, LevelReport, Measurement, SpineReport, StoredSrRef } from '../pipeline/report';
import type { SourceSeriesRef } from './seg-revision';
import {
  DISC_LEVEL, LEE_VALUE, MEYERDING_VALUE, PATHRIA_VALUE, PFIRRMANN_VALUE, PRESENCE, PRIVATE, PRIVATE_SCHEME, SR, STENOSIS_GRADE, UNIT, YES_NO,
  measurementCoding, type CodedConcept,
} from './codes';
import { encodeTree, type Node } from './sr-tree';
import { patientStudyElements } from './patient-study';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID, MR_IMAGE_SOP_CLASS_UID, SEG_SOP_CLASS_UID, dicomDateTime, fromPart10, newUid, toPart10, type NewInstanceOptions } from './uids';

export interface WriteSrOptions extends NewInstanceOptions {
  /** The SEG Part 10 bytes this SR refers to (its UIDs are read from it). */
  seg: ArrayBuffer;
  /** The analysed series (a SpineVolume, or seg-revision.ts segSource of a stored SEG): its UIDs are referenced. */
  sourceVolume: SourceSeriesRef;
}

export function srSeriesDescription(version: number): string {
  return `Spine MRI Report v${version}`;
}

/** Matches srSeriesDescription's output; group 1 is the version. */
export const SR_SERIES_DESCRIPTION = /^Spine MRI Report v(\d+)$/;

const PRESENT_ABSENT = { true: PRESENCE.present, false: PRESENCE.absent };

/** The finding fields of a LevelReport, their concept names and value tables; `optional`: may be absent (older reports). */
export const FINDINGS = [
  { key: 'pfirrmannGrade', concept: PRIVATE.pfirrmannGrade, values: PFIRRMANN_VALUE },
  { key: 'discNarrowing', concept: PRIVATE.discNarrowing, values: PRESENT_ABSENT },
  { key: 'discBulging', concept: PRIVATE.discBulging, values: PRESENT_ABSENT, optional: true },
  { key: 'modicChange', concept: PRIVATE.modicChange, values: PRESENT_ABSENT, optional: true },
  { key: 'upperEndplateDefect', concept: PRIVATE.upperEndplateDefect, values: PRESENT_ABSENT, optional: true },
  { key: 'lowerEndplateDefect', concept: PRIVATE.lowerEndplateDefect, values: PRESENT_ABSENT, optional: true },
  { key: 'spondylolisthesis', concept: PRIVATE.spondylolisthesis, values: MEYERDING_VALUE, optional: true },
  { key: 'centralCanalStenosis', concept: PRIVATE.centralCanalStenosis, values: STENOSIS_GRADE },
  { key: 'foraminalStenosisLeft', concept: PRIVATE.foraminalStenosisLeft, values: LEE_VALUE },
  { key: 'foraminalStenosisRight', concept: PRIVATE.foraminalStenosisRight, values: LEE_VALUE },
  { key: 'facetArthropathyLeft', concept: PRIVATE.facetArthropathyLeft, values: PATHRIA_VALUE },
  { key: 'facetArthropathyRight', concept: PRIVATE.facetArthropathyRight, values: PATHRIA_VALUE },
] as const satisfies readonly { key: keyof LevelReport; concept: CodedConcept; values: Record<string, CodedConcept>; optional?: true }[];

function valueCode(values: Record<string, CodedConcept>, v: unknown, what: string): CodedConcept {
  if (v === null || v === undefined) return PRIVATE.notAssessable;
  const c = values[String(v)];
  if (!c) throw new Error(`writeSr: no code for ${what} value '${String(v)}'`);
  return c;
}

/** Deterministic Device Observer UID from the model's sha256 (2.25 + first 128 bits), else a fixed UID; sr-read.ts reads the bits back. */
function deviceUid(sha256: string): string {
  const hex = /^[0-9a-f]{32}/i.test(sha256) ? sha256.slice(0, 32) : 'a3c1e0b2d4f60718293a4b5c6d7e8f90';
  return '2.25.' + BigInt('0x' + hex).toString(10);
}

/**
 * @param source the analysed series and its SOP Class: the class of a measured image that names none (reports written
 *   before Measurement.sourceImage.sopClassUid); an image of another series that names none is MR Image Storage.
 */
function measurementNodes(level: LevelReport, segUid: string, source: { seriesInstanceUid: string; sopClassUid: string }): { nodes: Node[]; ids: Map<string, string> } {
  const all: Measurement[] = [];
  const seen = new Set<string>();
  const add = (m: Measurement) => { if (!seen.has(m.name)) { seen.add(m.name); all.push(m); } };
  level.measurements.forEach(add);
  for (const f of FINDINGS) (level[f.key] as Finding<unknown> | undefined)?.evidence.measurements.forEach(add);
  const ids = new Map<string, string>();
  const nodes: Node[] = all.map((m) => {
    const unit = UNIT[m.unit];
    if (!unit) throw new Error(`writeSr: unknown unit '${m.unit}' for measurement ${m.name}`);
    if (!Number.isFinite(m.value)) throw new Error(`writeSr: measurement ${m.name} at ${level.level} is not a finite number`);
    const id = `${level.level}#${m.name}`;
    ids.set(m.name, id);
    const coding = measurementCoding(m.name, level.level);
    const children: Node[] = [];
    if (coding.derivation) children.push({ rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.derivation, value: coding.derivation });
    if (coding.site) {
      const laterality: Node[] = coding.laterality ? [{ rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.laterality, value: coding.laterality }] : [];
      children.push({ rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.findingSite, value: coding.site, children: laterality });
    }
    if (coding.equivalentMeaning) children.push({ rel: 'HAS CONCEPT MOD', type: 'TEXT', name: SR.equivalentMeaning, value: coding.equivalentMeaning });
    children.push({ rel: 'HAS CONCEPT MOD', type: 'TEXT', name: PRIVATE.measurementMethod, value: m.method || '-' });
    if (m.segmentNumber !== undefined) {
      children.push({ rel: 'INFERRED FROM', type: 'IMAGE', name: SR.referencedSegment, sopClassUid: SEG_SOP_CLASS_UID, sopInstanceUid: segUid, segmentNumber: m.segmentNumber });
    }
    if (m.sourceImage) {
      children.push({
        rel: 'INFERRED FROM', type: 'IMAGE', name: SR.sourceOfMeasurement, sopInstanceUid: m.sourceImage.sopInstanceUid, frameNumber: m.sourceImage.frameNumber,
        sopClassUid: m.sourceImage.sopClassUid ?? (m.sourceImage.seriesInstanceUid === source.seriesInstanceUid ? source.sopClassUid : MR_IMAGE_SOP_CLASS_UID),
      });
      const frameOfReferenceUid = m.sourceImage.frameOfReferenceUid;
      if (m.outlineLps && m.outlineLps.length >= 3) {
        children.push({ rel: 'INFERRED FROM', type: 'SCOORD3D', name: SR.imageRegion, graphicType: 'POLYGON', pointsLps: m.outlineLps, frameOfReferenceUid });
      } else if (m.lineLps && m.lineLps.length >= 2) {
        children.push({ rel: 'INFERRED FROM', type: 'SCOORD3D', name: SR.imageRegion, graphicType: 'POLYLINE', pointsLps: m.lineLps, frameOfReferenceUid });
      } else if (m.pointLps) {
        children.push({ rel: 'INFERRED FROM', type: 'SCOORD3D', name: SR.imageRegion, graphicType: 'POINT', pointsLps: [m.pointLps], frameOfReferenceUid });
      }
    }
    return { rel: 'CONTAINS', type: 'NUM', name: coding.concept, value: m.value, unit, id, children };
  });
  return { nodes, ids };
}

function findingNode(level: LevelReport, f: (typeof FINDINGS)[number], ids: Map<string, string>): Node {
  const finding = level[f.key] as Finding<unknown>;
  const values = f.values as Record<string, CodedConcept>;
  const what = `${level.level} ${f.key}`;
  const children: Node[] = [
    { rel: 'HAS PROPERTIES', type: 'TEXT', name: PRIVATE.gradingRule, value: finding.evidence.rule || '-' },
    { rel: 'HAS PROPERTIES', type: 'TEXT', name: PRIVATE.gradingReference, value: finding.evidence.reference || '-' },
  ];
  // The reason goes with a "not assessable": the finding's own, or the software's behind a reader's value.
  if (finding.value === null || (finding.readerModified && finding.automaticValue === null && finding.notAssessableReason)) {
    children.push({ rel: 'HAS PROPERTIES', type: 'TEXT', name: PRIVATE.notAssessableReason, value: finding.notAssessableReason || 'not stated' });
  }
  if (finding.readerModified) {
    children.push({ rel: 'HAS PROPERTIES', type: 'CODE', name: PRIVATE.readerModified, value: YES_NO.yes });
    children.push({ rel: 'HAS PROPERTIES', type: 'CODE', name: PRIVATE.automaticValue, value: valueCode(values, finding.automaticValue, what) });
  }
  for (const m of finding.evidence.measurements) children.push({ type: 'REF', rel: 'INFERRED FROM', target: ids.get(m.name)! });
  return { rel: 'CONTAINS', type: 'CODE', name: f.concept, value: valueCode(values, finding.value, what), children };
}

function groupNode(level: LevelReport, report: SpineReport, segUid: string, sourceSeriesUid: string, sourceClass: string): Node {
  const children: Node[] = [
    { rel: 'HAS OBS CONTEXT', type: 'TEXT', name: SR.trackingIdentifier, value: level.level },
    { rel: 'HAS OBS CONTEXT', type: 'UIDREF', name: SR.trackingUid, value: newUid() },
  ];
  if (level.discSegmentNumber !== undefined) {
    children.push({ rel: 'CONTAINS', type: 'IMAGE', name: SR.referencedSegment, sopClassUid: SEG_SOP_CLASS_UID, sopInstanceUid: segUid, segmentNumber: level.discSegmentNumber });
    children.push({ rel: 'CONTAINS', type: 'UIDREF', name: SR.sourceSeriesForSegmentation, value: sourceSeriesUid });
  }
  const site = DISC_LEVEL[level.level];
  if (site) children.push({ rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.findingSite, value: site });
  const { nodes, ids } = measurementNodes(level, segUid, { seriesInstanceUid: sourceSeriesUid, sopClassUid: sourceClass });
  children.push(...nodes);
  for (const f of FINDINGS) if (level[f.key]) children.push(findingNode(level, f, ids));
  void report;
  return { rel: 'CONTAINS', type: 'CONTAINER', name: SR.measurementGroup, children };
}

/** TID 1600 Image Library: one group for the source series (modality, frame of reference) with its slices. */
function imageLibrary(v: SourceSeriesRef, sourceClass: string): Node {
  return {
    rel: 'CONTAINS', type: 'CONTAINER', name: SR.imageLibrary,
    children: [
      {
        rel: 'CONTAINS', type: 'CONTAINER', name: SR.imageLibraryGroup,
        children: [
          { rel: 'HAS ACQ CONTEXT', type: 'CODE', name: SR.modality, value: SR.magneticResonance },
          { rel: 'HAS ACQ CONTEXT', type: 'UIDREF', name: SR.frameOfReferenceUid, value: v.frameOfReferenceUid },
          // Each instance once (the frames of a multi-frame image are one instance).
          ...[...new Set(v.sopInstanceUids)].map((u): Node => ({ rel: 'CONTAINS', type: 'IMAGE', sopClassUid: sourceClass, sopInstanceUid: u })),
        ],
      },
    ],
  };
}

/**
 * Builds the SR.
 * @throws Error when the SEG bytes are not a SEG, a grade has no code, or a measurement is not finite
 */
export function writeSr(report: SpineReport, opts: WriteSrOptions): ArrayBuffer {
  return toPart10(buildSrDataset(report, opts));
}

/** An SR as a Hierarchical SOP Instance Reference Macro item (PS3.3 Table C.17-3). */
function srReference(sr: StoredSrRef): NaturalDataset {
  return {
    StudyInstanceUID: sr.studyInstanceUid,
    ReferencedSeriesSequence: [{ SeriesInstanceUID: sr.seriesInstanceUid, ReferencedSOPSequence: [{ ReferencedSOPClassUID: COMPREHENSIVE_3D_SR_SOP_CLASS_UID, ReferencedSOPInstanceUID: sr.sopInstanceUid }] }],
  };
}

export function buildSrDataset(report: SpineReport, opts: WriteSrOptions): NaturalDataset {
  const seg = fromPart10(opts.seg);
  if (seg.SOPClassUID !== SEG_SOP_CLASS_UID) throw new Error(`writeSr: 'seg' is not a Segmentation (SOP Class ${seg.SOPClassUID})`);
  const v = opts.sourceVolume;
  const version = opts.version ?? 1;
  const { date, time } = dicomDateTime(opts.now ?? new Date());
  const sourceClass = v.sopClassUid ?? MR_IMAGE_SOP_CLASS_UID;

  const rootChildren: Node[] = [
    { rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.language, value: SR.englishUS },
    { rel: 'HAS OBS CONTEXT', type: 'CODE', name: SR.observerType, value: SR.device },
    { rel: 'HAS OBS CONTEXT', type: 'UIDREF', name: SR.deviceObserverUid, value: deviceUid(report.model.sha256) },
    { rel: 'HAS OBS CONTEXT', type: 'TEXT', name: SR.deviceObserverName, value: report.software.name },
    { rel: 'HAS OBS CONTEXT', type: 'TEXT', name: SR.deviceObserverManufacturer, value: report.software.name },
    { rel: 'HAS OBS CONTEXT', type: 'TEXT', name: SR.deviceObserverModelName, value: report.model.name },
  ];
  if (report.reader?.name) {
    rootChildren.push({ rel: 'HAS OBS CONTEXT', type: 'CODE', name: SR.observerType, value: SR.person });
    rootChildren.push({ rel: 'HAS OBS CONTEXT', type: 'PNAME', name: SR.personObserverName, value: report.reader.name });
  }
  rootChildren.push({ rel: 'HAS CONCEPT MOD', type: 'CODE', name: SR.procedureReported, value: SR.mri });
  rootChildren.push(imageLibrary(v, sourceClass));
  rootChildren.push({
    rel: 'CONTAINS', type: 'CONTAINER', name: SR.imagingMeasurements,
    children: report.levels.map((l) => groupNode(l, report, seg.SOPInstanceUID, seg.ReferencedSeriesSequence?.[0]?.SeriesInstanceUID ?? v.seriesInstanceUid, sourceClass)),
  });
  const ln = report.levelNaming;
  rootChildren.push({ rel: 'CONTAINS', type: 'TEXT', name: PRIVATE.levelNaming, value: `${ln.anchor}|${ln.certain ? 'certain' : 'uncertain'}|${ln.note}` });
  // The software's naming once the reader renamed or confirmed the levels: the shift, its certainty and note.
  if (ln.automatic) rootChildren.push({ rel: 'CONTAINS', type: 'TEXT', name: PRIVATE.softwareLevelNaming, value: `${ln.automatic.shift ?? 0}|${ln.automatic.certain ? 'certain' : 'uncertain'}|${ln.automatic.note}` });
  rootChildren.push({ rel: 'CONTAINS', type: 'TEXT', name: PRIVATE.regionOfSpine, value: report.region });

  const content = encodeTree({ type: 'CONTAINER', name: SR.imagingMeasurementReport, children: rootChildren });

  // Images of other series a value was measured on (the axial T2 of a dural sac area) are evidence too.
  const otherImages = new Map<string, Map<string, string>>(); // series → SOP Instance UID → SOP Class UID
  for (const l of report.levels) {
    for (const m of [...l.measurements, ...FINDINGS.flatMap((f) => (l[f.key] as Finding<unknown> | undefined)?.evidence.measurements ?? [])]) {
      const img = m.sourceImage;
      if (!img || img.seriesInstanceUid === v.seriesInstanceUid) continue;
      const sops = otherImages.get(img.seriesInstanceUid) ?? new Map<string, string>();
      // A class given anywhere wins over the default (a finding's evidence may copy a measurement without it).
      otherImages.set(img.seriesInstanceUid, sops.set(img.sopInstanceUid, img.sopClassUid ?? sops.get(img.sopInstanceUid) ?? MR_IMAGE_SOP_CLASS_UID));
    }
  }
  const evidence = [
    {
      StudyInstanceUID: v.studyInstanceUid,
      ReferencedSeriesSequence: [
        { SeriesInstanceUID: v.seriesInstanceUid, ReferencedSOPSequence: [...new Set(v.sopInstanceUids)].map((u) => ({ ReferencedSOPClassUID: sourceClass, ReferencedSOPInstanceUID: u })) },
        ...[...otherImages].map(([series, sops]) => ({ SeriesInstanceUID: series, ReferencedSOPSequence: [...sops].map(([u, c]) => ({ ReferencedSOPClassUID: c, ReferencedSOPInstanceUID: u })) })),
        { SeriesInstanceUID: seg.SeriesInstanceUID, ReferencedSOPSequence: [{ ReferencedSOPClassUID: SEG_SOP_CLASS_UID, ReferencedSOPInstanceUID: seg.SOPInstanceUID }] },
      ],
    },
  ];

  const sopInstanceUid = opts.sopInstanceUid ?? newUid();
  const from = report.fromStoredSr;
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_3D_SR_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUid,
    ...patientStudyElements(opts.patientStudy),
    StudyInstanceUID: v.studyInstanceUid,
    Modality: 'SR',
    SeriesInstanceUID: opts.seriesInstanceUid ?? newUid(),
    SeriesNumber: opts.seriesNumber ?? 9100 + version,
    SeriesDescription: srSeriesDescription(version),
    SeriesDate: date,
    SeriesTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: report.software.name,
    ManufacturerModelName: report.model.name.slice(0, 64),
    SoftwareVersions: [report.software.version, report.model.version],
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ...(from && from.sopInstanceUid !== sopInstanceUid ? { PredecessorDocumentsSequence: [srReference(from)] } : {}),
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence,
    CodingSchemeIdentificationSequence: [{ ...PRIVATE_SCHEME }],
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ...content,
  };
}
