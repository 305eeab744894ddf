/**
 * Minimal typing of the parts of dcmjs 0.52 this project uses (dcmjs ships no .d.ts).
 * Naturalized datasets are plain objects keyed by DICOM keyword (e.g. `SOPInstanceUID`);
 * sequences are arrays of such objects; `_vrMap` overrides a keyword's VR (e.g. PixelData 'OB').
 */
declare module 'dcmjs' {
  /** A naturalized dataset: DICOM keyword → value. */
  export type NaturalDataset = Record<string, any>;
  /** A denaturalized dataset: 8-hex-digit tag → { vr, Value }. */
  export type DenaturalDataset = Record<string, { vr: string; Value?: any[]; InlineBinary?: string }>;

  export namespace data {
    class DicomDict {
      constructor(meta: DenaturalDataset);
      meta: DenaturalDataset;
      dict: DenaturalDataset;
      /** Part 10 bytes: 128-byte preamble, "DICM", file meta (explicit VR LE), then the dataset. */
      write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
    }
    const DicomMessage: {
      /** Parses Part 10 bytes. */
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean }): DicomDict;
    };
    const DicomMetaDictionary: {
      naturalizeDataset(dataset: DenaturalDataset): NaturalDataset;
      denaturalizeDataset(dataset: NaturalDataset): DenaturalDataset;
      uid(): string;
      date(): string;
      time(): string;
    };
  }
  export namespace normalizers {
    const Normalizer: {
      /** Joins single-frame instances of one series into one (legacy converted) multi-frame dataset (tests only). */
      normalizeToDataset(datasets: NaturalDataset[]): NaturalDataset | undefined;
    };
  }
  export namespace utilities {
    const compression: {
      /** RLE Lossless (PS3.5 G) of 8-bit, one-sample frames stored back to back: one encoded ArrayBuffer per frame. */
      encode(pixels: ArrayBuffer, numberOfFrames: number, rows: number, columns: number): ArrayBuffer[];
      /** The inverse of encode: frames back to back, rows × columns bytes each. */
      decode(frames: ArrayBuffer[], rows: number, columns: number): Uint8Array;
    };
  }
  const dcmjs: { data: typeof data; normalizers: typeof normalizers; utilities: typeof utilities };
  export default dcmjs;
}
