/** Minimal typing of the pixel codecs scripts/lib/pixel-codecs.ts uses (neither package ships a usable .d.ts). */
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decodes one JPEG Lossless image; samples as 8- or 16-bit words. */
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): ArrayBuffer | ArrayBufferView;
  }
}
declare module '@cornerstonejs/codec-charls' {
  /** Emscripten module factory of CharLS (JPEG-LS). */
  const factory: () => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg' {
  /** Emscripten module factory of OpenJPEG (JPEG 2000). */
  const factory: () => Promise<unknown>;
  export default factory;
}
