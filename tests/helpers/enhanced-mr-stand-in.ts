/**
 * Test stand-in for an Enhanced (multi-frame) MR series: the shared data holds none, so the single-frame
 * instances the importer writes for a volume are joined into one multi-frame instance with dcmjs' legacy
 * converter (dcmjs normalizers: frames, PlanePosition/PlaneOrientation/PixelMeasures functional groups), in
 * a study of its own (the pixels copied in by this helper: the converter leaves them zero). The converter keeps no MR timing, so the echo and repetition times go into the shared
 * functional groups as an Enhanced MR image carries them (MREchoSequence, MRTimingAndRelatedParametersSequence),
 * and nothing of the classifier's stays at the top level. Not a complete Enhanced MR object (dciodvfy lists the
 * MR macros the converter leaves out): an input for the reader, which only needs the frames and their geometry.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizers } from 'dcmjs';
import { fromPart10, toPart10 } from '../../extension/src/dicom/uids';
import { findDicomFiles, readPart10 } from '../../scripts/lib/sources';

export const ENHANCED_MR_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.4.1';

/**
 * Replaces the DICOM files in `dir` (one single-frame series) by one Enhanced MR instance with new UIDs.
 * @returns the new StudyInstanceUID and SeriesInstanceUID.
 */
export function writeEnhancedMrStandIn(dir: string, uidRoot = '2.25.9876543210123'): { studyInstanceUid: string; seriesInstanceUid: string } {
  const files = findDicomFiles(dir);
  const instances = files.map((f) => fromPart10(readPart10(f)));
  const { EchoTime, RepetitionTime, MRAcquisitionType } = instances[0];
  const mf = normalizers.Normalizer.normalizeToDataset(instances);
  if (!mf || Number(mf.NumberOfFrames) !== instances.length) throw new Error('dcmjs did not build a multi-frame MR dataset');
  // dcmjs leaves the frames' pixels zero: copy each source image in, matched by ImagePositionPatient.
  if (Number(mf.BitsAllocated) !== 16) throw new Error(`BitsAllocated ${mf.BitsAllocated}: the stand-in copies 16-bit images only`);
  const frameBytes = Number(mf.Rows) * Number(mf.Columns) * 2;
  const pixels = new Uint8Array(frameBytes * instances.length);
  const key = (ipp: unknown) => Array.from(ipp as ArrayLike<unknown>).map((x) => Number(x).toFixed(3)).join();
  const byPosition = new Map(instances.map((ds) => [key(ds.ImagePositionPatient), ds]));
  const frames: any[] = Array.isArray(mf.PerFrameFunctionalGroupsSequence) ? mf.PerFrameFunctionalGroupsSequence : [mf.PerFrameFunctionalGroupsSequence];
  frames.forEach((f, k) => {
    const pos = Array.isArray(f.PlanePositionSequence) ? f.PlanePositionSequence[0] : f.PlanePositionSequence;
    const src = byPosition.get(key(pos.ImagePositionPatient));
    if (!src) throw new Error(`frame ${k + 1}: no source image at ${key(pos.ImagePositionPatient)}`);
    const buf: ArrayBuffer = Array.isArray(src.PixelData) ? src.PixelData[0] : src.PixelData;
    pixels.set(new Uint8Array(buf, 0, frameBytes), k * frameBytes);
  });
  mf.PixelData = [pixels.buffer];
  const ids = { studyInstanceUid: `${uidRoot}.1`, seriesInstanceUid: `${uidRoot}.2` };
  const sopInstanceUid = `${uidRoot}.3`;
  const shared = mf.SharedFunctionalGroupsSequence;
  Object.assign(Array.isArray(shared) ? shared[0] : shared, {
    MREchoSequence: [{ EffectiveEchoTime: EchoTime }],
    MRTimingAndRelatedParametersSequence: [{ RepetitionTime }],
  });
  Object.assign(mf, {
    SOPClassUID: ENHANCED_MR_SOP_CLASS_UID, SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: ids.studyInstanceUid, SeriesInstanceUID: ids.seriesInstanceUid, SeriesNumber: 601,
    SeriesDescription: 'Enhanced MR (multi-frame test stand-in)', MRAcquisitionType,
    ImageType: ['ORIGINAL', 'PRIMARY', 'OTHER', 'NONE'],
  });
  delete mf._meta; // toPart10 writes the file meta information
  for (const f of files) rmSync(f);
  writeFileSync(join(dir, 'enhanced-mr.dcm'), Buffer.from(toPart10(mf)));
  return ids;
}
