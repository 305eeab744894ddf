/**
 * A stored result's SEG carried into a new result version, for a reader who changed the stored findings
 * (grades, level names) without analysing again: the same segments and pixels (renamed where the reader shifted
 * the level names), new series and instance UIDs, the new
 * version's SeriesDescription ('Spine MRI SEG v3'), SeriesNumber and content date. The new SR refers to this
 * copy, so every version stays a SEG + SR pair, as the loader expects (loadStoredReport.ts). A binary SEG of an earlier
 * build that the viewer would draw shifted (seg.ts storedSegDrawnShifted) is carried as the FRACTIONAL RLE SEG this
 * build writes for such images, with the same frames, so the reader's outlines show again in the new version.
 * Also reads back from a SEG the source series it segments, which the SR references (writeSr's sourceVolume).
 */
import type { NaturalDataset } from 'dcmjs';
import type { SpineVolume } from '../pipeline/volume';
import { utilities as dcmjsUtilities } from 'dcmjs';
import { FRACTIONAL_ELEMENTS, MAX_FRACTIONAL_VALUE, segVersionElements, segmentNaming, storedSegDrawnShifted } from './seg';
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
 * The series a SEG segments (its ReferencedSeriesSequence, instances in the SEG's order), and its patient/study.
 * @throws Error when the bytes are not a SEG or it names no source series
 */
export function segSource(bytes: ArrayBuffer): { source: SourceSeriesRef; patientStudy: PatientStudy } {
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
  };
}

/**
 * An earlier build's BINARY SEG whose frames start mid-byte (rows × columns not a multiple of 8), as seg.ts writes such
 * a SEG now: FRACTIONAL (0 or MAX_FRACTIONAL_VALUE per pixel), RLE Lossless, the same frames and per-frame items —
 * plus one empty frame where the decompressed length would be odd (seg.ts buildSegDataset says why), made from
 * another segment's frame on a slice the first segment without a frame there does not reach.
 * @param seg the naturalized stored SEG; its PixelData frames packed bit to bit (PS3.5 8.1.1)
 */
function asFractionalRle(seg: NaturalDataset): NaturalDataset {
  const rows = Number(seg.Rows), columns = Number(seg.Columns), sliceSize = rows * columns;
  const perFrame: NaturalDataset[] = [...(seg.PerFrameFunctionalGroupsSequence ?? [])];
  const bits = new Uint8Array(Array.isArray(seg.PixelData) ? seg.PixelData[0] : seg.PixelData);
  const frameCount = perFrame.length + (perFrame.length * sliceSize) % 2;
  if (frameCount > perFrame.length) {
    const segmentOf = (f: NaturalDataset) => Number(f.SegmentIdentificationSequence?.[0]?.ReferencedSegmentNumber);
    const sliceOf = (f: NaturalDataset) => String(f.PlanePositionSequence?.[0]?.ImagePositionPatient);
    const framed = new Set(perFrame.map((f) => `${segmentOf(f)} ${sliceOf(f)}`));
    const empty = (seg.SegmentSequence ?? []).map((item: NaturalDataset) => Number(item.SegmentNumber)).flatMap((n: number) => {
      const elsewhere = perFrame.find((f) => !framed.has(`${n} ${sliceOf(f)}`));
      if (!elsewhere) return [];
      const content = elsewhere.FrameContentSequence?.[0] ?? {};
      const [, ...position] = [content.DimensionIndexValues ?? []].flat(); // [segment, slice]
      return [{ ...elsewhere, SegmentIdentificationSequence: [{ ReferencedSegmentNumber: n }], FrameContentSequence: [{ ...content, DimensionIndexValues: [n, ...position] }] }];
    })[0];
    if (empty) perFrame.push(empty);
  }
  const bytes = new Uint8Array(perFrame.length * sliceSize);
  for (let n = 0; n < Math.min(bytes.length, bits.length * 8); n++) if (bits[n >> 3] & (1 << (n & 7))) bytes[n] = MAX_FRACTIONAL_VALUE;
  return {
    ...seg,
    ...FRACTIONAL_ELEMENTS,
    NumberOfFrames: perFrame.length,
    PerFrameFunctionalGroupsSequence: perFrame,
    PixelData: dcmjsUtilities.compression.encode(bytes.buffer, perFrame.length, rows, columns),
    _vrMap: { PixelData: 'OB' },
  };
}

/**
 * The stored SEG as the SEG of result `version` (see the module comment).
 * @param opts.segments the segments as the reader named them (levels shifted): a stored segment whose label
 *   differs gets the new name, codes and SEMIAUTOMATIC (seg.ts segmentNaming); its pixels stay.
 * @throws Error when the bytes are not a SEG
 */
export function reviseSeg(bytes: ArrayBuffer, opts: { version: number; now?: Date; seriesInstanceUid?: string; sopInstanceUid?: string; segments?: SegmentInfo[] }): ArrayBuffer {
  const { _meta: meta, ...stored } = parseSeg(bytes);
  const mend = !!storedSegDrawnShifted(stored);
  const seg = mend ? asFractionalRle(stored) : stored;
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
  }, mend ? RLE_LOSSLESS : meta?.TransferSyntaxUID ?? EXPLICIT_VR_LITTLE_ENDIAN); // else pixel data as stored (RLE frames of a FRACTIONAL SEG stay encoded)
}
