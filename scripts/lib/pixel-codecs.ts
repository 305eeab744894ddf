/**
 * Compressed pixel data for the CLI reader (scripts/analyze-input.ts), with the codecs OHIF's image loader uses in
 * the browser: JPEG Lossless (process 14, and its selection value 1 form; jpeg-lossless-decoder-js) and JPEG-LS
 * (lossless and near-lossless; @cornerstonejs/codec-charls). Native (uncompressed) little-endian data passes
 * through. Other transfer syntaxes (JPEG 2000, RLE, lossy JPEG) are refused with the list of those read.
 */
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import charls from '@cornerstonejs/codec-charls';

/** Uncompressed transfer syntaxes whose pixel data dcmjs hands over as little-endian words. */
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);
/** Compressed transfer syntaxes read here (DICOM PS3.5 Annex A). */
export const DECODED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
};

type CharlsModule = { JpegLSDecoder: new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; getDecodedBuffer(): Uint8Array; delete(): void } };
let charlsModule: CharlsModule | undefined;

/** Loads the JPEG-LS codec (once); call before reading a folder that may hold JPEG-LS images. */
export async function loadPixelCodecs(): Promise<void> {
  charlsModule ??= (await (charls as unknown as () => Promise<CharlsModule>)()) as CharlsModule;
}

/**
 * One frame's pixels as stored, decompressed: little-endian samples of `bytesPerSample` bytes each.
 * @param transferSyntaxUid the file's TransferSyntaxUID (undefined: treated as native).
 * @throws Error for a transfer syntax not read here, or JPEG-LS before loadPixelCodecs().
 */
export function decodeFrame(transferSyntaxUid: string | undefined, frame: ArrayBuffer, sopInstanceUid: string): ArrayBuffer {
  const ts = transferSyntaxUid ?? '1.2.840.10008.1.2.1';
  if (NATIVE.has(ts)) return frame;
  if (ts === '1.2.840.10008.1.2.4.57' || ts === '1.2.840.10008.1.2.4.70') {
    const out = new JpegLosslessDecoder().decode(frame, 0, frame.byteLength) as ArrayBuffer | ArrayBufferView;
    return ArrayBuffer.isView(out) ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice().buffer : out;
  }
  if (ts === '1.2.840.10008.1.2.4.80' || ts === '1.2.840.10008.1.2.4.81') {
    if (!charlsModule) throw new Error('decodeFrame: the JPEG-LS codec is not loaded (await loadPixelCodecs() first)');
    const decoder = new charlsModule.JpegLSDecoder();
    try {
      decoder.getEncodedBuffer(frame.byteLength).set(new Uint8Array(frame));
      decoder.decode();
      return decoder.getDecodedBuffer().slice().buffer;
    } finally {
      decoder.delete();
    }
  }
  const read = Object.entries(DECODED_TRANSFER_SYNTAXES).map(([uid, name]) => `${name} ${uid}`).join(', ');
  throw new Error(`instance ${sopInstanceUid}: transfer syntax ${ts} is not read by the CLI (it reads uncompressed data and ${read}); the viewer reads it from the PACS — or store the series uncompressed`);
}
