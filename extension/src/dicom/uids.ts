/**
 * DICOM UIDs and Part 10 encoding helpers shared by the SEG and SR writers.
 * UIDs are '2.25.' + a random 128-bit integer in decimal (PS3.5 B.2, ITU-T X.667 UUID-derived UIDs),
 * so no organisational root is needed. Works in the browser and in Node (globalThis.crypto).
 */
import { data as dcmData, type NaturalDataset } from 'dcmjs';
import type { PatientStudy } from './patient-study';

/** Identity and time of a SEG or SR the writers create (each writer's options add what is its own). */
export interface NewInstanceOptions {
  /** Version of this result: 1 for the first save, +1 for each save after edits (SeriesDescription '… v2'). */
  version?: number;
  /** SeriesInstanceUID / SOPInstanceUID to use (default: new UIDs, i.e. a new series on each save). */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** SeriesNumber (default: 9000 + version for the SEG, 9100 + version for the SR). */
  seriesNumber?: number;
  /** Patient and study module values copied from the analysed images. */
  patientStudy?: PatientStudy;
  /** Content time (default now). */
  now?: Date;
}

/** Binary Segmentation Storage (PS3.4 B.5). */
export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
/** Comprehensive 3D SR Storage (PS3.4 B.5). */
export const COMPREHENSIVE_3D_SR_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.88.34';
/** MR Image Storage. */
export const MR_IMAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.4';
/** Explicit VR Little Endian. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** RLE Lossless (PS3.5 A.4.2, G): encapsulated pixel data, one fragment per frame. */
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
/** Our ImplementationClassUID (a fixed UUID-derived UID) and version name (≤16 chars). */
export const IMPLEMENTATION_CLASS_UID = '2.25.178122625337958717734180374932263423291';
export const IMPLEMENTATION_VERSION_NAME = 'SPINEMRI_0_1';

/**
 * A new '2.25.<decimal 128-bit>' UID (≤ 44 characters; PS3.5 B.2) from a time-ordered UUID (version 7, RFC 9562: the
 * first 48 bits are the Unix time in ms, the rest random). Why time-ordered: OHIF 3.13's study browser lists SR and SEG
 * series newest first by SeriesDate and SeriesTime, which its SR display sets do not carry, then by SeriesInstanceUID;
 * these UIDs, 37 digits from 1996 to 2232, so compare as their times do, put the newest stored version on top.
 * @param nowMs the time to put in it (tests)
 */
export function newUid(nowMs = Date.now()): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  for (let i = 0; i < 6; i++) b[i] = Math.floor(nowMs / 2 ** (8 * (5 - i))) & 0xff;
  b[6] = (b[6] & 0x0f) | 0x70; // UUID version 7
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return '2.25.' + n.toString(10);
}

/** DICOM DA (YYYYMMDD) and TM (HHMMSS) of a Date, in UTC. */
export function dicomDateTime(d: Date): { date: string; time: string } {
  const iso = d.toISOString(); // 2026-11-22T03:39:34.123Z
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

/**
 * Encodes a naturalized dataset (keyword → value, with SOPClassUID and SOPInstanceUID) as a Part 10 file using
 * dcmjs' writer (no hand-rolled byte encoding), in Explicit VR Little Endian or, for a dataset whose PixelData is
 * already RLE-encoded frames (one ArrayBuffer each), RLE Lossless: each frame one fragment, as PS3.5 A.4.2 requires.
 */
export function toPart10(dataset: NaturalDataset, transferSyntaxUid = EXPLICIT_VR_LITTLE_ENDIAN): ArrayBuffer {
  if (!dataset.SOPClassUID || !dataset.SOPInstanceUID) throw new Error('toPart10: dataset needs SOPClassUID and SOPInstanceUID');
  const version = new Uint8Array([0, 1]);
  const meta = {
    FileMetaInformationVersion: version.buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    _vrMap: { FileMetaInformationVersion: 'OB' },
  };
  const dict = new dcmData.DicomDict(dcmData.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmData.DicomMetaDictionary.denaturalizeDataset(dataset);
  return dict.write({ fragmentMultiframe: false });
}

/**
 * dcmjs 0.52 bug: `ReadBufferStream.more()` (used for defined-length sequence items) makes a new stream
 * with the default latin1 decoder, so UTF-8 text inside sequences (e.g. '→', '²' in SR TEXT items)
 * comes back garbled although the top level is decoded with the SpecificCharacterSet. Patch `more()`
 * once to pass the parent's decoder on. Verified by the SR round-trip test.
 */
let decoderPatched = false;
function patchDcmjsSequenceDecoder(): void {
  if (decoderPatched) return;
  decoderPatched = true;
  const proto = (dcmData as unknown as { ReadBufferStream?: { prototype: Record<string, unknown> } }).ReadBufferStream?.prototype;
  const more = proto?.more as ((this: { decoder?: unknown }, length: number) => { decoder?: unknown }) | undefined;
  if (!proto || typeof more !== 'function') return;
  proto.more = function (this: { decoder?: unknown }, length: number) {
    const sub = more.call(this, length);
    if (this.decoder) sub.decoder = this.decoder;
    return sub;
  };
}

/** Parses Part 10 bytes into a naturalized dataset (dcmjs). Throws with a clear message on non-DICOM input. */
export function fromPart10(buffer: ArrayBuffer): NaturalDataset {
  patchDcmjsSequenceDecoder();
  let dict;
  try {
    dict = dcmData.DicomMessage.readFile(buffer);
  } catch (e) {
    throw new Error(`Not a DICOM Part 10 file: ${(e as Error).message}`);
  }
  const ds = dcmData.DicomMetaDictionary.naturalizeDataset(dict.dict);
  ds._meta = dcmData.DicomMetaDictionary.naturalizeDataset(dict.meta);
  return ds;
}

/** The attributes of a DICOM Part 10 file before its pixel data (which is not read). @throws Error when it is not Part 10. */
export function part10Header(buffer: ArrayBuffer): NaturalDataset {
  patchDcmjsSequenceDecoder();
  try {
    return dcmData.DicomMetaDictionary.naturalizeDataset(dcmData.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false }).dict);
  } catch (e) {
    throw new Error(`Not a DICOM Part 10 file: ${(e as Error).message}`);
  }
}
