/**
 * Test stand-in for a sagittal T1 series: the shared data holds no patient with both a sagittal T2 and T1
 * volume, so the T2 instances of a folder are stored again as a series labelled T1 (T1 timing, the same
 * frame of reference). Tests with it check that a study's T1 is read and used (the foramina are measured
 * on it); they say nothing about T1 contrast.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPart10, toPart10 } from '../../extension/src/dicom/uids';
import { findDicomFiles, readPart10 } from '../../scripts/lib/sources';

/**
 * Writes the T1 copies of every DICOM file in `dir` beside them; returns the new SeriesInstanceUID.
 * @param headShiftMm moves the copies this far towards the head (ImagePositionPatient z), as if the patient had moved
 *   between the series: by one disc spacing, the T1 then puts each disc where the T2 has the next one up.
 * @param change applied to each copy last (e.g. a header deleted).
 */
export function writeT1StandIn(dir: string, seriesInstanceUid = '2.25.1234567890123456789', headShiftMm = 0, change: (ds: ReturnType<typeof fromPart10>) => void = () => undefined): string {
  for (const [n, f] of findDicomFiles(dir).entries()) {
    const ds = fromPart10(readPart10(f));
    const [x, y, z] = (ds.ImagePositionPatient as number[]).map(Number);
    Object.assign(ds, {
      SeriesInstanceUID: seriesInstanceUid, SOPInstanceUID: `${seriesInstanceUid}.${n + 1}`, SeriesNumber: 2,
      SeriesDescription: 'SAG T1 TSE (T2 voxels, test stand-in)', EchoTime: '10', RepetitionTime: '550',
      ImagePositionPatient: [x, y, Math.round((z + headShiftMm) * 1e4) / 1e4], // DS: at most 16 characters
    });
    change(ds);
    writeFileSync(join(dir, `t1-${n}.dcm`), Buffer.from(toPart10(ds)));
  }
  return seriesInstanceUid;
}
