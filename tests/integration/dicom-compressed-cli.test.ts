/**
 * The CLI reader (scripts/analyze-input.ts) on compressed DICOM made by a real Orthanc (DCMTK transcoding: POST
 * /instances/{id}/modify with Transcode): JPEG Lossless (process 14 and SV1) and JPEG-LS read back to the very
 * voxels of the uncompressed series, single-frame and as frames of an Enhanced MR instance; a transfer syntax not
 * read says so. Skips with a message when Orthanc is not installed. JPEG 2000, which this Orthanc cannot transcode
 * to, from files encoded with OpenJPEG (tests/helpers/jpeg2000-copy.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomFolder } from '../../scripts/analyze-input';
import { decodeFrame, loadPixelCodecs } from '../../scripts/lib/pixel-codecs';
import { findDicomFiles, readPart10 } from '../../scripts/lib/sources';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';
import { fromPart10 } from '../../extension/src/dicom/uids';
import { writeEnhancedMrStandIn } from '../helpers/enhanced-mr-stand-in';
import { makeSourceInstances, makeVolume } from '../unit/dicom-fixtures';
import { JPEG_2000_LOSSLESS, toJpeg2000 } from '../helpers/jpeg2000-copy';

const installed = orthancInstalled();
if (!installed.ok) console.log(`dicom-compressed-cli: skipped, Orthanc not installed (missing ${installed.missing.join(', ')})`);
const d = installed.ok ? describe : describe.skip;

/** TransferSyntaxUID of the first DICOM file in `dir`. */
const transferSyntaxOf = (dir: string) => fromPart10(readPart10(findDicomFiles(dir)[0]))._meta?.TransferSyntaxUID;
/** Largest |voxel read − source voxel| (the fixture's voxels are whole numbers once stored). */
const maxVoxelError = (voxels: Float32Array, v: ReturnType<typeof makeVolume>) => voxels.reduce((m, x, n) => Math.max(m, Math.abs(x - Math.round(v.voxels[n]))), 0);

const COMPRESSED = { jpegLossless: '1.2.840.10008.1.2.4.57', jpegLosslessSv1: '1.2.840.10008.1.2.4.70', jpegLs: '1.2.840.10008.1.2.4.80' };

d('analyze CLI reads JPEG Lossless and JPEG-LS DICOM (transcoded by Orthanc)', () => {
  let orthanc: RunningOrthanc;
  let tmp: string;
  const v = makeVolume();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'compressed-cli-'));
    orthanc = await startOrthanc({ dataDir: join(tmp, 'orthanc'), httpPort: await findFreePort(), user: 'u', password: 'compressed-' + Date.now() });
    await loadPixelCodecs();
  }, 60000);
  afterAll(async () => {
    await orthanc?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Stores each file of `files` in Orthanc and writes it back transcoded to `ts` into a new folder. */
  async function transcoded(files: ArrayBuffer[], ts: string, name: string): Promise<string> {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const [n, b] of files.entries()) {
      const stored = (await (await fetch(`${orthanc.url}/instances`, { method: 'POST', body: Buffer.from(b), headers: { Authorization: orthanc.authorization } })).json()) as { ID: string };
      const r = await fetch(`${orthanc.url}/instances/${stored.ID}/modify`, { method: 'POST', body: JSON.stringify({ Transcode: ts, Keep: ['SOPInstanceUID'], Force: true }), headers: { Authorization: orthanc.authorization } });
      if (!r.ok) throw new Error(`Orthanc transcoding to ${ts}: HTTP ${r.status}`);
      writeFileSync(join(dir, `${n}.dcm`), Buffer.from(await r.arrayBuffer()));
    }
    return dir;
  }

  it.each(Object.entries(COMPRESSED))('%s: the same voxels as the uncompressed series', async (name, ts) => {
    const dir = await transcoded(makeSourceInstances(v), ts, name);
    expect(transferSyntaxOf(dir)).toBe(ts);
    const { volume } = readDicomFolder(dir);
    expect(volume.dims).toEqual(v.dims);
    expect(maxVoxelError(volume.voxels, v)).toBe(0);
  }, 60000);

  it('JPEG-LS frames of an Enhanced MR instance: the same volume, a frame number per slice', async () => {
    const native = join(tmp, 'enhanced-native');
    mkdirSync(native, { recursive: true });
    makeSourceInstances(v).forEach((b, n) => writeFileSync(join(native, `${n}.dcm`), Buffer.from(b)));
    writeEnhancedMrStandIn(native);
    const dir = await transcoded([readPart10(findDicomFiles(native)[0])], COMPRESSED.jpegLs, 'enhanced-jpegls');
    expect(transferSyntaxOf(dir)).toBe(COMPRESSED.jpegLs);
    const { volume } = readDicomFolder(dir);
    expect(volume.frameNumbers).toHaveLength(v.dims[2]);
    expect(maxVoxelError(volume.voxels, v)).toBe(0);
  }, 60000);

});

describe('analyze CLI reads JPEG 2000 DICOM', () => {
  it('JPEG 2000 lossless (OpenJPEG-encoded copies): the same voxels as the uncompressed series', async () => {
    await loadPixelCodecs();
    const v = makeVolume();
    const dir = mkdtempSync(join(tmpdir(), 'j2k-cli-'));
    try {
      for (const [n, b] of makeSourceInstances(v).entries()) writeFileSync(join(dir, `${n}.dcm`), Buffer.from(await toJpeg2000(b)));
      expect(transferSyntaxOf(dir)).toBe(JPEG_2000_LOSSLESS);
      const { volume } = readDicomFolder(dir);
      expect(maxVoxelError(volume.voxels, v)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which transfer syntaxes it reads when given another (RLE)', () => {
    expect(() => decodeFrame('1.2.840.10008.1.2.5', new ArrayBuffer(8), '2.25.1')).toThrow(/instance 2\.25\.1: transfer syntax 1\.2\.840\.10008\.1\.2\.5 is not read by the CLI \(it reads uncompressed data and JPEG Lossless .*JPEG-LS Lossless .*JPEG 2000 Lossless/);
  });
});
