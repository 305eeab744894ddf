/**
 * Test input: a single-frame DICOM file with its pixels as a JPEG 2000 lossless codestream (transfer syntax
 * 1.2.840.10008.1.2.4.90, encapsulated by dcmjs), encoded with OpenJPEG — the Orthanc here (DCMTK) transcodes to
 * JPEG Lossless and JPEG-LS but not to JPEG 2000.
 */
import { data as dcmData } from 'dcmjs';
import openjpeg from '@cornerstonejs/codec-openjpeg';
import { fromPart10 } from '../../extension/src/dicom/uids';

export const JPEG_2000_LOSSLESS = '1.2.840.10008.1.2.4.90';

type Encoder = { getDecodedBuffer(f: object): Uint8Array; setQuality(lossless: boolean, q: number): void; setDecompositions(n: number): void; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void };

/** The Part 10 bytes of `part10` (16-bit unsigned, single frame) re-encoded as JPEG 2000 lossless. */
export async function toJpeg2000(part10: ArrayBuffer): Promise<ArrayBuffer> {
  const m = (await (openjpeg as unknown as (o: object) => Promise<{ J2KEncoder: new () => Encoder }>)({ print: () => undefined, printErr: () => undefined }));
  const { _meta: meta, ...ds } = fromPart10(part10);
  const pixels = new Uint8Array(Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData);
  const encoder = new m.J2KEncoder();
  try {
    encoder.getDecodedBuffer({ width: Number(ds.Columns), height: Number(ds.Rows), bitsPerSample: 16, componentCount: 1, isSigned: false }).set(pixels);
    encoder.setQuality(true, 0);
    encoder.setDecompositions(2); // small test images: the default 5 levels need more pixels
    encoder.encode();
    const codestream = encoder.getEncodedBuffer().slice();
    const dict = new dcmData.DicomDict(dcmData.DicomMetaDictionary.denaturalizeDataset({ ...meta, TransferSyntaxUID: JPEG_2000_LOSSLESS }));
    dict.dict = dcmData.DicomMetaDictionary.denaturalizeDataset({ ...ds, PixelData: [codestream.buffer], _vrMap: { PixelData: 'OB' } });
    return dict.write();
  } finally {
    encoder.delete();
  }
}
