/**
 * SR reader: the TID 1500 Comprehensive 3D SR written by sr.ts → SpineReport (the parts an SR holds:
 * levels, measurements with units/methods/segment references, graded findings incl. not-assessable
 * reasons, reader-modified flags with the automatic value, evidence links, model/software identity,
 * reader name, level naming, region, frame of reference from the Image Library). Segments themselves
 * live in the SEG: `segments` is empty. Optional findings missing from the SR (older versions) stay absent.
 */
import type { NaturalDataset } from 'dcmjs';
import type { Finding, LevelReport, Measurement, SpineReport, Ucum } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { PRIVATE, SR, UNIT, keyOf, measurementNameOf, sameCode, type CodedConcept } from './codes';
import { FINDINGS } from './sr';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID, MR_IMAGE_SOP_CLASS_UID, SEG_SOP_CLASS_UID, fromPart10 } from './uids';

type Item = NaturalDataset;

function nameOf(item: Item): CodedConcept | undefined {
  return item.ConceptNameCodeSequence?.[0];
}
function codeOf(item: Item): CodedConcept | undefined {
  return item.ConceptCodeSequence?.[0];
}
function children(item: Item): Item[] {
  return item.ContentSequence ?? [];
}
function find(items: Item[], concept: CodedConcept): Item | undefined {
  return items.find((i) => sameCode(nameOf(i), concept));
}
function text(items: Item[], concept: CodedConcept): string | undefined {
  return find(items, concept)?.TextValue;
}
function personName(v: unknown): string {
  if (typeof v === 'string') return v;
  const first = Array.isArray(v) ? v[0] : v;
  return String((first as { Alphabetic?: string } | undefined)?.Alphabetic ?? '');
}

/** Position paths ('1.10.2.5') of every by-value content item, for resolving by-reference links. */
function indexPaths(items: Item[], path: number[], out: Map<string, Item>): void {
  items.forEach((it, i) => {
    const p = [...path, i + 1];
    out.set(p.join('.'), it);
    indexPaths(children(it), p, out);
  });
}

/** The first 32 hex digits of the model's sha256, from the Device Observer UID sr.ts derives from them (2.25 + 128 bits); '' for another UID. */
export function sha256PrefixOf(deviceObserverUid: unknown): string {
  const m = /^2\.25\.(\d+)$/.exec(String(deviceObserverUid ?? ''));
  return m ? BigInt(m[1]).toString(16).padStart(32, '0') : '';
}

/** @param seriesOfSop SeriesInstanceUID of each image in the SR's evidence (for Measurement.sourceImage). */
function readMeasurement(num: Item, seriesOfSop: Map<string, string>): Measurement {
  const mv = num.MeasuredValueSequence?.[0];
  const unit = keyOf(UNIT, mv?.MeasurementUnitsCodeSequence?.[0]) as Ucum | undefined;
  if (!mv || unit === undefined) throw new Error(`readSr: NUM '${nameOf(num)?.CodeMeaning}' has no value or an unknown unit`);
  const kids = children(num);
  const site = find(kids, SR.findingSite);
  const name = measurementNameOf({
    concept: nameOf(num)!, site: site && codeOf(site), laterality: site && codeOf(find(children(site), SR.laterality) ?? {}), derivation: codeOf(find(kids, SR.derivation) ?? {}),
  });
  const m: Measurement = { name, value: Number(mv.NumericValue), unit, method: text(kids, PRIVATE.measurementMethod) ?? '' };
  const seg = find(kids, SR.referencedSegment)?.ReferencedSOPSequence?.[0]?.ReferencedSegmentNumber;
  if (seg !== undefined) m.segmentNumber = Number(seg);
  const imageRef = find(kids, SR.sourceOfMeasurement)?.ReferencedSOPSequence?.[0];
  const sop = imageRef?.ReferencedSOPInstanceUID;
  const region = find(kids, SR.imageRegion);
  if (sop && region && seriesOfSop.has(sop)) {
    const frame = Number(imageRef.ReferencedFrameNumber);
    // MR Image Storage is what an absent class means (Measurement.sourceImage): only another class is kept.
    const sopClassUid = imageRef.ReferencedSOPClassUID && imageRef.ReferencedSOPClassUID !== MR_IMAGE_SOP_CLASS_UID ? String(imageRef.ReferencedSOPClassUID) : undefined;
    m.sourceImage = {
      seriesInstanceUid: seriesOfSop.get(sop)!, sopInstanceUid: sop, frameOfReferenceUid: String(region.ReferencedFrameOfReferenceUID ?? ''),
      ...(frame >= 1 ? { frameNumber: frame } : {}), ...(sopClassUid ? { sopClassUid } : {}),
    };
    const xyz: number[] = ([] as number[]).concat(region.GraphicData ?? []).map(Number);
    if (region.GraphicType === 'POINT') m.pointLps = [xyz[0], xyz[1], xyz[2]];
    else if (region.GraphicType === 'POLYLINE') {
      m.lineLps = [];
      for (let n = 0; n + 2 < xyz.length; n += 3) m.lineLps.push([xyz[n], xyz[n + 1], xyz[n + 2]]);
    } else {
      const pts: Vec3[] = [];
      for (let n = 0; n + 2 < xyz.length - 3; n += 3) pts.push([xyz[n], xyz[n + 1], xyz[n + 2]]); // the closing repeat of the first point left out
      m.outlineLps = pts;
    }
  }
  return m;
}

function readFinding(item: Item, values: Record<string, CodedConcept>, byPath: Map<string, Item>, measurementOf: Map<Item, Measurement>, parse: (k: string) => unknown): Finding<unknown> {
  const kids = children(item);
  const valueKey = sameCode(codeOf(item), PRIVATE.notAssessable) ? null : keyOf(values, codeOf(item));
  if (valueKey === undefined) throw new Error(`readSr: unknown value code ${codeOf(item)?.CodeValue} for '${nameOf(item)?.CodeMeaning}'`);
  const evidenceMeasurements: Measurement[] = [];
  for (const k of kids) {
    if (k.ReferencedContentItemIdentifier !== undefined) {
      const ids = ([] as number[]).concat(k.ReferencedContentItemIdentifier);
      const target = byPath.get(ids.join('.'));
      const m = target && measurementOf.get(target);
      if (!m) throw new Error(`readSr: by-reference link ${ids.join('.')} does not point at a measurement`);
      evidenceMeasurements.push(m);
    }
  }
  const f: Finding<unknown> = {
    value: valueKey === null ? null : parse(valueKey),
    evidence: { measurements: evidenceMeasurements, rule: text(kids, PRIVATE.gradingRule) ?? '', reference: text(kids, PRIVATE.gradingReference) ?? '' },
    readerModified: false,
  };
  const reason = text(kids, PRIVATE.notAssessableReason);
  if (reason !== undefined) f.notAssessableReason = reason;
  const mod = find(kids, PRIVATE.readerModified);
  if (mod) {
    f.readerModified = true;
    const auto = codeOf(find(kids, PRIVATE.automaticValue) ?? {});
    const autoKey = sameCode(auto, PRIVATE.notAssessable) ? null : keyOf(values, auto);
    f.automaticValue = autoKey === null || autoKey === undefined ? null : parse(autoKey);
  }
  return f;
}

const PARSERS: Record<string, (k: string) => unknown> = {
  pfirrmannGrade: Number,
  discNarrowing: (k) => k === 'true',
  discBulging: (k) => k === 'true',
  modicChange: (k) => k === 'true',
  upperEndplateDefect: (k) => k === 'true',
  lowerEndplateDefect: (k) => k === 'true',
  spondylolisthesis: Number,
  centralCanalStenosis: (k) => k,
  foraminalStenosisLeft: Number,
  foraminalStenosisRight: Number,
  facetArthropathyLeft: Number,
  facetArthropathyRight: Number,
};

function readLevel(group: Item, byPath: Map<string, Item>, seriesOfSop: Map<string, string>): LevelReport {
  const kids = children(group);
  const level = text(kids, SR.trackingIdentifier);
  if (!level) throw new Error('readSr: a measurement group has no Tracking Identifier (level)');
  const measurementOf = new Map<Item, Measurement>();
  const measurements: Measurement[] = [];
  for (const k of kids) {
    if (k.ValueType === 'NUM') {
      const m = readMeasurement(k, seriesOfSop);
      measurementOf.set(k, m);
      measurements.push(m);
    }
  }
  const out: Partial<LevelReport> & { level: string; measurements: Measurement[] } = { level, measurements };
  const seg = kids.find((k) => k.ValueType === 'IMAGE' && sameCode(nameOf(k), SR.referencedSegment));
  if (seg) out.discSegmentNumber = Number(seg.ReferencedSOPSequence[0].ReferencedSegmentNumber);
  for (const f of FINDINGS) {
    const item = find(kids, f.concept);
    if (!item && 'optional' in f) continue; // an SR from a version before this finding existed
    if (!item) throw new Error(`readSr: level ${level} has no '${f.concept.CodeMeaning}'`);
    (out as Record<string, unknown>)[f.key] = readFinding(item, f.values as Record<string, CodedConcept>, byPath, measurementOf, PARSERS[f.key]);
  }
  // Evidence measurements are listed in `measurements` too (the writer stores each once); keep only
  // the level's own list order, which the writer preserved.
  return out as LevelReport;
}

/**
 * Reads an SR written by writeSr; the report's fromStoredSr names the SR itself (a new version written from it names it
 * as its predecessor).
 * @throws Error when the bytes are not a Comprehensive 3D SR TID 1500 report or a required item is missing
 */
export function readSr(buffer: ArrayBuffer): SpineReport {
  const ds = fromPart10(buffer);
  if (ds.SOPClassUID !== COMPREHENSIVE_3D_SR_SOP_CLASS_UID) throw new Error(`readSr: not a Comprehensive 3D SR (SOP Class ${ds.SOPClassUID})`);
  if (!sameCode(ds.ConceptNameCodeSequence?.[0], SR.imagingMeasurementReport)) throw new Error('readSr: the document is not an Imaging Measurement Report (TID 1500)');
  const root: Item[] = ds.ContentSequence ?? [];
  const byPath = new Map<string, Item>();
  indexPaths(root, [1], byPath);

  const seriesOfSop = new Map<string, string>();
  for (const study of ds.CurrentRequestedProcedureEvidenceSequence ?? []) {
    for (const series of study.ReferencedSeriesSequence ?? []) for (const ref of series.ReferencedSOPSequence ?? []) seriesOfSop.set(ref.ReferencedSOPInstanceUID, series.SeriesInstanceUID);
  }
  const measurementsContainer = find(root, SR.imagingMeasurements);
  const levels = children(measurementsContainer ?? {}).filter((g) => sameCode(nameOf(g), SR.measurementGroup)).map((g) => readLevel(g, byPath, seriesOfSop));

  const firstGroup = children(measurementsContainer ?? {})[0];
  const sourceSeriesUid = firstGroup ? find(children(firstGroup), SR.sourceSeriesForSegmentation)?.UID : undefined;
  const evidenceSeries: Item[] = ds.CurrentRequestedProcedureEvidenceSequence?.[0]?.ReferencedSeriesSequence ?? [];
  const seriesInstanceUid = sourceSeriesUid ?? evidenceSeries[0]?.SeriesInstanceUID ?? '';

  const [anchor, certainty, ...noteParts] = (text(root, PRIVATE.levelNaming) ?? 'none|uncertain|').split('|');
  const software = text(root, PRIVATE.softwareLevelNaming)?.split('|');
  const readerItem = find(root, SR.personObserverName);
  const versions: string[] = ([] as string[]).concat(ds.SoftwareVersions ?? []);
  const date = String(ds.ContentDate ?? ''), time = String(ds.ContentTime ?? '').padEnd(6, '0');
  const report: SpineReport = {
    schemaVersion: 1,
    studyInstanceUid: ds.StudyInstanceUID,
    seriesInstanceUid,
    frameOfReferenceUid: children(find(children(find(root, SR.imageLibrary) ?? {}), SR.imageLibraryGroup) ?? {}).find((i) => sameCode(nameOf(i), SR.frameOfReferenceUid))?.UID ?? '',
    sourceSeries: seriesInstanceUid ? [{ role: 'sagittal_t2', seriesInstanceUid }] : [],
    model: { name: text(root, SR.deviceObserverModelName) ?? '', version: versions[1] ?? '', sha256: sha256PrefixOf(find(root, SR.deviceObserverUid)?.UID) },
    software: { name: text(root, SR.deviceObserverName) ?? '', version: versions[0] ?? '' },
    region: (text(root, PRIVATE.regionOfSpine) ?? 'unknown') as SpineReport['region'],
    levelNaming: {
      anchor: anchor as SpineReport['levelNaming']['anchor'], certain: certainty === 'certain', note: noteParts.join('|'),
      ...(software && Number.isInteger(Number(software[0])) ? { automatic: { shift: Number(software[0]), certain: software[1] === 'certain', note: software.slice(2).join('|') } } : {}),
    },
    segments: [],
    levels,
    createdAt: date.length === 8 ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z` : '',
  };
  if (readerItem) report.reader = { name: personName(readerItem.PersonName) };
  if (ds.SeriesInstanceUID && ds.SOPInstanceUID) report.fromStoredSr = { studyInstanceUid: ds.StudyInstanceUID, seriesInstanceUid: ds.SeriesInstanceUID, sopInstanceUid: ds.SOPInstanceUID };
  return report;
}

/**
 * The SeriesInstanceUID of the SEG the SR refers to (its Current Requested Procedure Evidence Sequence lists it):
 * a version whose outlines did not change refers to an earlier version's SEG (store/save.ts buildRevision).
 * undefined when it lists no SEG.
 */
export function srSegSeries(buffer: ArrayBuffer): string | undefined {
  const series: Item[] = fromPart10(buffer).CurrentRequestedProcedureEvidenceSequence?.flatMap((study: Item) => study.ReferencedSeriesSequence ?? []) ?? [];
  return series.find((s) => (s.ReferencedSOPSequence ?? []).some((r: Item) => r.ReferencedSOPClassUID === SEG_SOP_CLASS_UID))?.SeriesInstanceUID;
}

/** The SEG references the SR makes: SEG SOP Instance UID and segment number per level. */
export function srSegmentReferences(buffer: ArrayBuffer): { level: string; segSopInstanceUid: string; segmentNumber: number }[] {
  const ds = fromPart10(buffer);
  const groups = children(find(ds.ContentSequence ?? [], SR.imagingMeasurements) ?? {});
  const out: { level: string; segSopInstanceUid: string; segmentNumber: number }[] = [];
  for (const g of groups) {
    const kids = children(g);
    const img = kids.find((k) => k.ValueType === 'IMAGE' && sameCode(nameOf(k), SR.referencedSegment));
    if (img) {
      const ref = img.ReferencedSOPSequence[0];
      out.push({ level: text(kids, SR.trackingIdentifier) ?? '', segSopInstanceUid: ref.ReferencedSOPInstanceUID, segmentNumber: Number(ref.ReferencedSegmentNumber) });
    }
  }
  return out;
}
