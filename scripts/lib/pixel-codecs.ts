/**
 * Compressed pixel data for the CLI reader (scripts/analyze-input.ts), with the codecs OHIF's image loader uses in
 * the browser: JPEG Lossless (process 14, and its selection value 1 form; jpeg-lossless-decoder-js), JPEG-LS
 * (lossless and near-lossless; @cornerstonejs/codec-charls) and JPEG 2000 (@cornerstonejs/codec-openjpeg). Native
 * (uncompressed) little-endian data passes through. Other transfer syntaxes (RLE, lossy JPEG, HTJ2K) are refused
 * with the list of those read.
 */
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import charls from '@cornerstonejs/codec-charls';
import openjpeg from '@cornerstonejs/codec-openjpeg';

/** Uncompressed transfer syntaxes whose pixel data dcmjs hands over as little-endian words. */
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);
/** Compressed transfer syntaxes read here (DICOM PS3.5 Annex A). */
export const DECODED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
};

/** The decoder class both Emscripten codecs export (CharLS JpegLSDecoder, OpenJPEG J2KDecoder). */
type WasmDecoder = new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; getDecodedBuffer(): Uint8Array; delete(): void };
type CodecFactory = (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<Record<string, unknown>>;
let jpegLs: WasmDecoder | undefined;
let jpeg2000: WasmDecoder | undefined;

/** Loads the JPEG-LS and JPEG 2000 codecs (once; their log lines silenced); call before reading a folder that may hold such images. */
export async function loadPixelCodecs(): Promise<void> {
  // A fresh options object each: Emscripten builds its module on the object it is given.
  const quiet = () => ({ print: () => undefined, printErr: () => undefined });
  jpegLs ??= (await (charls as unknown as CodecFactory)(quiet())).JpegLSDecoder as WasmDecoder;
  jpeg2000 ??= (await (openjpeg as unknown as CodecFactory)(quiet())).J2KDecoder as WasmDecoder;
}

/** One frame through an Emscripten decoder (its buffers live in the codec's heap: copied out). */
function wasmDecode(Decoder: WasmDecoder, frame: ArrayBuffer): ArrayBuffer {
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(frame.byteLength).set(new Uint8Array(frame));
    decoder.decode();
    return decoder.getDecodedBuffer().slice().buffer;
  } finally {
    decoder.delete();
  }
}

/**
 * One frame's pixels decompressed: little-endian samples of BitsAllocated bits, as uncompressed data stores them.
 * @param transferSyntaxUid the file's TransferSyntaxUID (undefined: treated as native).
 * @throws Error for a transfer syntax not read here, or JPEG-LS / JPEG 2000 before loadPixelCodecs().
 */
export function decodeFrame(transferSyntaxUid: string | undefined, frame: ArrayBuffer, sopInstanceUid: string): ArrayBuffer {
  const ts = transferSyntaxUid ?? '1.2.840.10008.1.2.1';
  if (NATIVE.has(ts)) return frame;
  if (ts === '1.2.840.10008.1.2.4.57' || ts === '1.2.840.10008.1.2.4.70') {
    const out = new JpegLosslessDecoder().decode(frame, 0, frame.byteLength) as ArrayBuffer | ArrayBufferView;
    return ArrayBuffer.isView(out) ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice().buffer : out;
  }
  const wasm = { '1.2.840.10008.1.2.4.80': jpegLs, '1.2.840.10008.1.2.4.81': jpegLs, '1.2.840.10008.1.2.4.90': jpeg2000, '1.2.840.10008.1.2.4.91': jpeg2000 }[ts];
  if (ts in DECODED_TRANSFER_SYNTAXES && !wasm) throw new Error('decodeFrame: the JPEG-LS / JPEG 2000 codecs are not loaded (await loadPixelCodecs() first)');
  if (wasm) return wasmDecode(wasm, frame);
  const read = Object.entries(DECODED_TRANSFER_SYNTAXES).map(([uid, name]) => `${name} ${uid}`).join(', ');
  throw new Error(`instance ${sopInstanceUid}: transfer syntax ${ts} is not read by the CLI (it reads uncompressed data and ${read}); the viewer reads it from the PACS — or store the series uncompressed`);
}
