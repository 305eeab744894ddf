/** Node-only: read an 8-bit grayscale mid-sagittal PNG (SPIDER-style) as a SpineVolume. */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { SpineVolume } from '../../extension/src/pipeline/volume';

/**
 * One 8-bit PNG as a 1-slice sagittal SpineVolume (columns = anterior→posterior, rows = superior→inferior),
 * PixelSpacing given as (row, column) mm, origin (0,0,0) LPS, no DICOM identity.
 */
export function pngVolume(path: string, rowSpacingMm: number, colSpacingMm: number, thicknessMm: number): SpineVolume {
  const png = PNG.sync.read(readFileSync(path));
  const voxels = new Float32Array(png.width * png.height);
  for (let p = 0; p < voxels.length; p++) voxels[p] = png.data[p * 4];
  return {
    voxels, dims: [png.width, png.height, 1], spacingMm: [colSpacingMm, rowSpacingMm, thicknessMm], originLps: [0, 0, 0],
    rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [''], role: 'sagittal_t2',
  };
}

