/**
 * A stored result's SEG carried into a new result version, for a reader who changed the stored findings
 * (grades, level names) without analysing again: the same segments and pixels (renamed where the reader shifted
 * the level names), new series and instance UIDs, the new
 * version's SeriesDescription ('Spine MRI SEG v3'), SeriesNumber and content date. The new SR refers to this
 * copy. Where the SEG serves as it is (segSource's asIs: grades changed, not names), no copy is made: the new SR
 * refers to the stored SEG, and the loader finds it through that reference (loadStoredReport.ts). A SEG of images whose
 * rows × columns is not a multiple of 8 is carried as the FRACTIONAL RLE SEG this build writes for them, with the same
 * frames: an earlier build's binary SEG, which the viewer would draw shifted, then shows in the new version.
 * Also reads back from a SEG the source series it segments, which the SR references (writeSr's sourceVolume).
 */
import type { NaturalDataset } from 'dcmjs';
import type { SpineVolume } from '../pipeline/volume';
import { utilities as dcmjsUtilities } from 'dcmjs';
import { FRACTIONAL_ELEMENTS, MAX_FRACTIONAL_VALUE, SEG_SERIES_DESCRIPTION, binaryFramesStartMidByte, segVersionElements, segmentNaming, storedSegDrawnShifted } from './seg';
import type { SegmentInfo } from '../pipeline/report';
import { patientStudyFrom, type PatientStudy } from './patient-study';
import { EXPLICIT_VR_LITTLE_ENDIAN, MR_IMAGE_SOP_CLASS_UID, RLE_LOSSLESS, SEG_SOP_CLASS_UID, fromPart10, newUid, toPart10 } from './uids';

/** What an SR needs of its source series: UIDs, in slice order, and the frame of reference. */
export type SourceSeriesRef = Pick<SpineVolume, 'studyInstanceUid' | 'seriesInstanceUid' | 'sopInstanceUids' | 'frameOfReferenceUid' | 'sopClassUid'>;

function parseSeg(bytes: ArrayBuffer): NaturalDataset {
  const seg = fromPart10(bytes);
  if (seg.SOPClassUID !== SEG_SOP_CLASS_UID) throw new Error(`The stored SEG is not a Segmentation (SOP Class ${seg.SOPClassUID})`);
  return seg;
}

/**
 * The series a SEG segments (its ReferencedSeriesSequence, instances in the SEG's order), its patient/study, and, where
 * it serves a new result version with `segments` as it is, its reference (storedSegAsIs), from one parse of the bytes.
 * @throws Error when the bytes are not a SEG or it names no source series
 */
export function segSource(bytes: ArrayBuffer, segments: SegmentInfo[] = []): { source: SourceSeriesRef; patientStudy: PatientStudy; asIs?: StoredSegRef } {
  const seg = parseSeg(bytes);
  const ref = seg.ReferencedSeriesSequence?.[0];
  const instances: NaturalDataset[] = ref?.ReferencedInstanceSequence ?? [];
  if (!ref?.SeriesInstanceUID || !instances.length || !seg.FrameOfReferenceUID) throw new Error('The stored SEG names no source series (ReferencedSeriesSequence) or frame of reference');
  return {
    source: {
      studyInstanceUid: seg.StudyInstanceUID,
      seriesInstanceUid: ref.SeriesInstanceUID,
      sopInstanceUids: instances.map((i) => i.ReferencedSOPInstanceUID),
      frameOfReferenceUid: seg.FrameOfReferenceUID,
      sopClassUid: instances[0].ReferencedSOPClassUID ?? MR_IMAGE_SOP_CLASS_UID,
    },
    patientStudy: patientStudyFrom(seg),
    asIs: storedSegAsIs(seg, segments),
  };
}

/**
 * A SEG of images whose rows × columns is not a multiple of 8, as seg.ts writes one now: FRACTIONAL (0 or
 * MAX_FRACTIONAL_VALUE per pixel) in RLE Lossless, with the same frames. From an earlier build's BINARY SEG, whose
 * frames start mid-byte (drawn shifted: seg.ts storedSegDrawnShifted), or from a FRACTIONAL one the PACS sent
 * decompressed (Orthanc's WADO-RS sends Explicit VR Little Endian unless asked otherwise), which would be stored
 * 8 times the size. undefined for any other SEG, which is carried as it came.
 * An empty frame is added where the frames' decompressed length would be odd (seg.ts buildSegDataset says why): the
 * first segment that lacks a frame on some slice gets one there, copied from another segment's frame on that slice.
 * @param seg the naturalized stored SEG; @param transferSyntaxUid the one it came in
 */
function asFractionalRle(seg: NaturalDataset, transferSyntaxUid: string | undefined): NaturalDataset | undefined {
  const rows = Number(seg.Rows), columns = Number(seg.Columns), sliceSize = rows * columns;
  const pixelData = new Uint8Array(Array.isArray(seg.PixelData) ? seg.PixelData[0] : seg.PixelData);
  let isSet: (n: number) => boolean;
  if (storedSegDrawnShifted(seg)) isSet = (n) => (pixelData[n >> 3] & (1 << (n & 7))) !== 0; // bit n (PS3.5 8.1.1)
  else if (seg.SegmentationType === 'FRACTIONAL' && transferSyntaxUid !== RLE_LOSSLESS && binaryFramesStartMidByte(rows, columns)) isSet = (n) => pixelData[n] > 0;
  else return undefined;
  const stored: NaturalDataset[] = seg.PerFrameFunctionalGroupsSequence ?? [];
  const perFrame = [...stored];
  if ((perFrame.length * sliceSize) % 2 === 1) {
    const segmentOf = (f: NaturalDataset) => Number(f.SegmentIdentificationSequence?.[0]?.ReferencedSegmentNumber);
    const sliceOf = (f: NaturalDataset) => String(f.PlanePositionSequence?.[0]?.ImagePositionPatient);
    const framed = new Set(perFrame.map((f) => `${segmentOf(f)} ${sliceOf(f)}`));
    for (const n of (seg.SegmentSequence ?? []).map((item: NaturalDataset) => Number(item.SegmentNumber))) {
      const other = perFrame.find((f) => !framed.has(`${n} ${sliceOf(f)}`));
      if (!other) continue;
      const content = other.FrameContentSequence?.[0] ?? {};
      const [, ...slice] = [content.DimensionIndexValues ?? []].flat(); // DimensionIndexValues: [segment, slice]
      perFrame.push({ ...other, SegmentIdentificationSequence: [{ ReferencedSegmentNumber: n }], FrameContentSequence: [{ ...content, DimensionIndexValues: [n, ...slice] }] });
      break;
    }
  }
  const bytes = new Uint8Array(perFrame.length * sliceSize);
  for (let n = 0; n < stored.length * sliceSize; n++) if (isSet(n)) bytes[n] = MAX_FRACTIONAL_VALUE;
  return {
    ...seg,
    ...FRACTIONAL_ELEMENTS,
    NumberOfFrames: perFrame.length,
    PerFrameFunctionalGroupsSequence: perFrame,
    PixelData: dcmjsUtilities.compression.encode(bytes.buffer, perFrame.length, rows, columns),
    _vrMap: { PixelData: 'OB' },
  };
}

/** A stored SEG as a new result version's SR refers to it: its UIDs, and its version where its SeriesDescription names one. */
export interface StoredSegRef { seriesInstanceUid: string; sopInstanceUid: string; version?: number }

/**
 * The stored SEG `seg` (parsed), where it serves a new result version as it is: none of `segments` renamed (the labels
 * reviseSeg would change), and not an earlier build's SEG the viewer draws shifted (which reviseSeg rewrites). The new
 * version's SR then refers to it, and no copy is stored (store/save.ts buildRevision). undefined where it does not serve.
 */
function storedSegAsIs(seg: NaturalDataset, segments: SegmentInfo[]): StoredSegRef | undefined {
  if (storedSegDrawnShifted(seg)) return undefined;
  const labels = new Map<number, string>((seg.SegmentSequence ?? []).map((item: NaturalDataset) => [Number(item.SegmentNumber), item.SegmentLabel]));
  if (!segments.every((x) => !labels.has(x.segmentNumber) || labels.get(x.segmentNumber) === x.label)) return undefined;
  const version = Number(SEG_SERIES_DESCRIPTION.exec(seg.SeriesDescription ?? '')?.[1]);
  return { seriesInstanceUid: seg.SeriesInstanceUID, sopInstanceUid: seg.SOPInstanceUID, ...(version ? { version } : {}) };
}

/**
 * The stored SEG as the SEG of result `version` (see the module comment).
 * @param opts.segments the segments as the reader named them (levels shifted): a stored segment whose label
 *   differs gets the new name, codes and SEMIAUTOMATIC (seg.ts segmentNaming); its pixels stay.
 * @throws Error when the bytes are not a SEG
 */
export function reviseSeg(bytes: ArrayBuffer, opts: { version: number; now?: Date; seriesInstanceUid?: string; sopInstanceUid?: string; segments?: SegmentInfo[] }): ArrayBuffer {
  const { _meta: meta, ...stored } = parseSeg(bytes);
  const rewritten = asFractionalRle(stored, meta?.TransferSyntaxUID);
  const seg = rewritten ?? stored;
  const renamed = new Map((opts.segments ?? []).map((s) => [s.segmentNumber, s]));
  const segmentSequence = (seg.SegmentSequence ?? []).map((item: NaturalDataset) => {
    const s = renamed.get(Number(item.SegmentNumber));
    if (!s || s.label === item.SegmentLabel) return item;
    const { AnatomicRegionSequence: _old, ...rest } = item;
    return { ...rest, ...segmentNaming(s) };
  });
  return toPart10({
    ...seg,
    SegmentSequence: segmentSequence,
    SOPInstanceUID: opts.sopInstanceUid ?? newUid(),
    SeriesInstanceUID: opts.seriesInstanceUid ?? newUid(),
    ...segVersionElements(opts.version, opts.now ?? new Date()),
  }, rewritten ? RLE_LOSSLESS : meta?.TransferSyntaxUID ?? EXPLICIT_VR_LITTLE_ENDIAN); // else pixel data as it came
}
