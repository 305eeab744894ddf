/**
 * A segmentation mask is not imported or analysed as an MR image, whatever its name (nifti.ts labelVolumeReason):
 * in a folder it is skipped with a line saying why; given by itself it is refused with that reason.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNifti } from '../helpers/nifti-writer';
import { labelVolumeReason, readNiftiFile, type NiftiImage } from '../../scripts/lib/nifti';
import { importPaths } from '../../scripts/import';
import { readAnalysisInput } from '../../scripts/analyze-input';

const SHAPE: [number, number, number] = [16, 12, 6];
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];
const AFFINE = [[0, 0, 1, 0], [0, -1, 0, 0], [-1, 0, 0, 0]]; // axis 0 S→I, axis 1 A→P, axis 2 left–right, as the shared data
/** An MR-like image: integer grey levels 20..219 (as the 8-bit shared images), no zeros. */
const image = Float32Array.from({ length: N }, (_, i) => 20 + ((i * 37) % 200));
/** A mask: labels 1–3 in a small block, 0 elsewhere. */
const mask = Float32Array.from({ length: N }, (_, i) => (i % 16 < 4 ? 1 + (i % 3) : 0));

const asImage = (values: Float32Array, intent = 0): NiftiImage => ({ header: { intent_code: intent } as NiftiImage['header'], shape: SHAPE, values, affineLps: [] });

describe('labelVolumeReason', () => {
  it('calls a mostly-zero volume of a few integers a label volume, and says why', () => {
    expect(labelVolumeReason(asImage(mask))).toBe('3 distinct integer values besides 0, 75 % of voxels 0');
  });
  it('calls integer grey levels without much zero, and any non-integer value, an image', () => {
    expect(labelVolumeReason(asImage(image))).toBeUndefined();
    expect(labelVolumeReason(asImage(Float32Array.from(mask, (v, i) => (i === 7 ? 0.5 : v))))).toBeUndefined();
    // Many distinct values, even mostly 0 (an image masked to the spine), is an image too.
    expect(labelVolumeReason(asImage(Float32Array.from({ length: N }, (_, i) => (i % 4 === 0 ? i : 0))))).toBeUndefined();
  });
  it('believes the NIfTI label intent', () => {
    expect(labelVolumeReason(asImage(image, 1002))).toMatch(/intent code is 1002/);
  });
});

describe('npm run import / analyze given a mask', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spine-label-import-'));
    writeNifti(join(dir, 'case7.nii'), SHAPE, image, AFFINE);
    writeNifti(join(dir, 'case7_seg.nii'), SHAPE, mask, AFFINE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('skips a mask in a folder, saying so, and imports the image', async () => {
    expect(labelVolumeReason(readNiftiFile(join(dir, 'case7_seg.nii')))).toBeDefined();
    const lines: string[] = [];
    const out = join(dir, 'out');
    const r = await importPaths([dir], undefined, { outDir: out, log: (s) => lines.push(s) });
    expect(r.series).toBe(1);
    expect(lines.filter((l) => l.startsWith('skipped'))).toEqual(['skipped case7_seg.nii is a label volume (a segmentation mask: 3 distinct integer values besides 0, 75 % of voxels 0), not an MR image; give the image it labels']);
    expect(readdirSync(out)).toHaveLength(1);
  });
  it('refuses a mask given by itself, to import or to analyse', async () => {
    await expect(importPaths([join(dir, 'case7_seg.nii')], undefined, { outDir: join(dir, 'out2'), log: () => {} })).rejects.toThrow(/case7_seg\.nii is a label volume/);
    expect(() => readAnalysisInput(join(dir, 'case7_seg.nii'))).toThrow(/case7_seg\.nii is a label volume/);
  });
});
