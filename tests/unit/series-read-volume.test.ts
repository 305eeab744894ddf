/**
 * Reading an OHIF display set into a SpineVolume (extension/src/ohif/readVolume.ts) with a stand-in
 * for cornerstone's metadata and image loader: slice order along the normal, spacing, geometry,
 * modality rescale, and clear errors for stacks that are not volumes.
 */
import { setOhifContext } from '../../extension/src/ohif/context';
import { frameNumbersOf, readDisplaySetVolume } from '../../extension/src/ohif/readVolume';
import { voxelToLps } from '../../extension/src/pipeline/volume';
import type { DisplaySet } from '../../types/ohif';

const ROWS = 3;
const COLS = 4;
/** Sagittal: rows along +P, columns along -S; slices along +L (x), 4 mm apart, starting at x = -8. */
const ROW_COS = [0, 1, 0];
const COL_COS = [0, 0, -1];

interface FakeSlice {
  id: string;
  x: number;
  value: number;
  rows?: number;
}

function install(slices: FakeSlice[], slope = 1, intercept = 0) {
  const byId = new Map(slices.map((s) => [s.id, s]));
  const core = {
    metaData: {
      get(type: string, id: string) {
        const s = byId.get(id)!;
        if (type === 'imagePlaneModule')
          return {
            rows: s.rows ?? ROWS,
            columns: COLS,
            rowCosines: ROW_COS,
            columnCosines: COL_COS,
            imagePositionPatient: [s.x, -20, 50],
            rowPixelSpacing: 0.5, // PixelSpacing[0]: between rows
            columnPixelSpacing: 0.8, // PixelSpacing[1]: between columns
            sliceThickness: 4,
            frameOfReferenceUID: '1.2.3.4',
          };
        if (type === 'instance') return { SOPInstanceUID: `sop-${id}` };
        return undefined;
      },
    },
    imageLoader: {
      loadAndCacheImage: async (id: string) => {
        const s = byId.get(id)!;
        const px = new Uint16Array(ROWS * COLS).map((_, i) => s.value * 100 + i);
        return { getPixelData: () => px, slope, intercept };
      },
    },
  };
  setOhifContext({
    servicesManager: { services: {} as never },
    commandsManager: { runCommand: () => undefined },
    extensionManager: {
      getModuleEntry: (id: string) => (id === '@ohif/extension-cornerstone.utilityModule.common' ? { exports: { getCornerstoneLibraries: () => ({ cornerstone: core, cornerstoneTools: {} }) } } : undefined),
      getActiveDataSource: () => [],
    },
  });
}

function displaySet(ids: string[]): DisplaySet {
  return { displaySetInstanceUID: 'ds', StudyInstanceUID: 'st', SeriesInstanceUID: 'se', SeriesDescription: 't2_tse_sag', imageIds: ids, instances: [{ SOPInstanceUID: 'x', SOPClassUID: '1.2.840.10008.5.1.4.1.1.4', PixelSpacing: [0.5, 0.8] }] };
}

describe('readDisplaySetVolume', () => {
  it('leaves the spacing NaN when the instance holds no PixelSpacing, whatever cornerstone fills in (the pipeline refuses it)', async () => {
    install([{ id: 'a', x: -8, value: 1 }, { id: 'b', x: -4, value: 2 }]);
    const ds = displaySet(['a', 'b']);
    const { volume } = await readDisplaySetVolume({ ...ds, instances: [{ SOPInstanceUID: 'x' }] });
    expect(volume.spacingMm.slice(0, 2)).toEqual([NaN, NaN]);
  });

  it('orders slices along the normal, maps PixelSpacing to [column, row] spacing and keeps imageIds in that order', async () => {
    // imageIds arrive out of anatomical order (as a PACS may list them).
    install([
      { id: 'b', x: -4, value: 2 },
      { id: 'c', x: 0, value: 3 },
      { id: 'a', x: -8, value: 1 },
    ]);
    const progress: number[] = [];
    const { volume, imageIds } = await readDisplaySetVolume(displaySet(['b', 'c', 'a']), (d) => progress.push(d));
    expect(imageIds).toEqual(['c', 'b', 'a']);
    expect(volume.dims).toEqual([COLS, ROWS, 3]);
    expect(volume.spacingMm).toEqual([0.8, 0.5, 4]);
    // Normal = row × column = (0,1,0)×(0,0,-1) = (-1,0,0): slices sorted along -x, so k=0 is the one at x=0.
    expect(volume.sliceDirection).toEqual([-1, 0, 0]);
    expect(volume.originLps).toEqual([0, -20, 50]);
    expect(volume.sopInstanceUids).toEqual(['sop-c', 'sop-b', 'sop-a']);
    expect(voxelToLps(volume, 1, 2, 2)).toEqual([-8, -20 + 0.8, 50 - 2 * 0.5]);
    // Voxel (i=1, j=2, k=0) = pixel (row 2, column 1) of slice c: 300 + 2*COLS + 1.
    expect(volume.voxels[1 + 2 * COLS]).toBe(300 + 2 * COLS + 1);
    expect(volume.frameOfReferenceUid).toBe('1.2.3.4');
    expect(progress[progress.length - 1]).toBe(3);
  });

  it('applies RescaleSlope/Intercept', async () => {
    install([{ id: 'a', x: 0, value: 1 }], 2, -10);
    const { volume } = await readDisplaySetVolume(displaySet(['a']));
    expect(volume.voxels[0]).toBe(100 * 2 - 10);
    expect(volume.spacingMm[2]).toBe(4); // single slice: SliceThickness
  });

  it('reads the evenly spaced slices of a stack with an image missing, and says so in the volume', async () => {
    install([
      { id: 'a', x: 0, value: 1 },
      { id: 'b', x: 4, value: 2 },
      { id: 'c', x: 12, value: 3 },
    ]);
    const { volume, imageIds } = await readDisplaySetVolume(displaySet(['c', 'a', 'b']));
    expect(imageIds).toEqual(['b', 'a']); // along the normal, row × column = -x
    expect(volume.sopInstanceUids).toEqual(['sop-b', 'sop-a']);
    expect(volume.dims[2]).toBe(2);
    expect(volume.spacingMm[2]).toBe(4);
    expect(volume.analysedSlicesNote).toMatch(/^Slices 2–3 of 3 analysed: .* 8 mm between slices 1 and 2/);
  });

  it('refuses unevenly spaced stacks and mixed image sizes with clear messages', async () => {
    install([0, 1, 3, 6, 10].map((x, k) => ({ id: `s${k}`, x, value: 1 })));
    await expect(readDisplaySetVolume(displaySet(['s0', 's1', 's2', 's3', 's4']))).rejects.toThrow(/^Series "t2_tse_sag": its slices are not evenly spaced/);
    install([
      { id: 'a', x: 0, value: 1 },
      { id: 'b', x: 4, value: 1, rows: 5 },
    ]);
    await expect(readDisplaySetVolume(displaySet(['a', 'b']))).rejects.toThrow(/slice \d is 4×5, not 4×3/);
    await expect(readDisplaySetVolume(displaySet([]))).rejects.toThrow(/has no images/);
  });
});

describe('frameNumbersOf (frames of a multi-frame instance)', () => {
  const wado = (n: number) => `wadors:/dicom-web/studies/1/series/2/instances/3/frames/${n}`;
  it('gives nothing for single-frame images (their imageIds name frame 1 too), the frame of each image otherwise', () => {
    expect(frameNumbersOf([wado(1), wado(1)], ['a', 'b'])).toEqual({});
    expect(frameNumbersOf([wado(3), wado(1), wado(2)], ['m', 'm', 'm'])).toEqual({ frameNumbers: [3, 1, 2] });
  });
  it('refuses repeated instances whose imageIds name no frame', () => {
    expect(() => frameNumbersOf(['dicomfile:0', 'dicomfile:1'], ['m', 'm'], 'SAG T2')).toThrow(/Series "SAG T2": its images are frames of a multi-frame instance, but their image IDs do not say which frame/);
  });
});
