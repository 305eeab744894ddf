/**
 * A stored result's SEG carried into a new result version, for a reader who changed the stored findings
 * (grades, level names) without analysing again: the same segments and pixels (renamed where the reader shifted
 * the level names), new series and instance UIDs, the new
 * version's SeriesDescription ('Spine MRI SEG v3'), SeriesNumber and content date. The new SR refers to this
 * copy, so every version stays a SEG + SR pair, as the loader expects (loadStoredReport.ts).
 * Also reads back from a SEG the source series it segments, which the SR references (writeSr's sourceVolume).
 */
import type { NaturalDataset } from 'dcmjs';
import type { SpineVolume } from '../pipeline/volume';
import { segVersionElements, segmentNaming } from './seg';
import type { SegmentInfo } from '../pipeline/report';
import { patientStudyFrom, type PatientStudy } from './patient-study';
import { EXPLICIT_VR_LITTLE_ENDIAN, MR_IMAGE_SOP_CLASS_UID, SEG_SOP_CLASS_UID, fromPart10, newUid, toPart10 } from './uids';

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
 * The stored SEG as the SEG of result `version` (see the module comment).
 * @param opts.segments the segments as the reader named them (levels shifted): a stored segment whose label
 *   differs gets the new name, codes and SEMIAUTOMATIC (seg.ts segmentNaming); its pixels stay.
 * @throws Error when the bytes are not a SEG
 */
export function reviseSeg(bytes: ArrayBuffer, opts: { version: number; now?: Date; seriesInstanceUid?: string; sopInstanceUid?: string; segments?: SegmentInfo[] }): ArrayBuffer {
  const { _meta: meta, ...seg } = parseSeg(bytes);
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
  }, meta?.TransferSyntaxUID ?? EXPLICIT_VR_LITTLE_ENDIAN); // pixel data as stored (RLE frames of a FRACTIONAL SEG stay encoded)
}
