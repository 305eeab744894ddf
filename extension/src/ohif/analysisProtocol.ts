/** Messages between the panel (main thread) and the analysis Web Worker. */
import type { LevelNaming } from '../pipeline/anatomy';
import type { SegmentInfo, SourceSeriesRef, SpineReport } from '../pipeline/report';
import type { Labelmap, SpineVolume } from '../pipeline/volume';
import type { AxialSlice } from '../pipeline/axial-canal';

export type AnalysisStage = 'read' | 'model' | 'preprocess' | 'inference' | 'postprocess' | 'report';

/** Where the models and onnxruntime-web come from, and how they run. */
export interface ModelRequest {
  /** Absolute or origin-relative URLs. */
  modelBaseUrl: string;
  ortBaseUrl: string;
  /** Force a backend (tests); default: WebGPU on a hardware adapter, else wasm. */
  prefer?: 'webgpu' | 'wasm';
  numThreads?: number;
}

/** Load the models and warm onnxruntime up before Analyze is pressed (the worker then keeps them for its one analysis). */
export interface PrepareRequest extends ModelRequest {
  type: 'prepare';
}

export interface AnalyzeRequest extends ModelRequest {
  type: 'analyze';
  volume: SpineVolume;
  /** The study's other series by role (sagittal T1, axial T2): the grading says "not assessable" without them. */
  otherSeries?: SourceSeriesRef[];
  /** The axial T2 images (dural sac area); absent when the study has none or they could not be read. */
  axialT2?: AxialSlice[];
  /** Why the study's axial T2 images are missing from `axialT2` (read failure). */
  axialT2Unavailable?: string;
  /** The study's sagittal T1 (foramina, as Lee graded them); absent when none, or it could not be read. */
  sagittalT1?: SpineVolume;
  /** Measure these outlines (the reader's corrections, pipeline/edited-outlines.ts) instead of segmenting: the network does not run. */
  readerOutlines?: ReaderOutlines;
}

/** Outlines the reader corrected, with the names and the segmentation run of the analysis they came from. */
export interface ReaderOutlines {
  labelmap: Labelmap;
  segments: SegmentInfo[];
  levelNaming: LevelNaming;
  run: { backend: string; seconds: number };
  /**
   * The segmentation model that made the outlines, where that is not the model loaded now: a stored SEG's, as its SR
   * names it (sha256: the SR's first 32 hex digits). The report, and the SEG and SR saved from it, name it.
   */
  model?: SpineReport['model'];
}

/** The segmentation model a report names: the reader's outlines' own (ReaderOutlines.model), else the model loaded (its manifest). */
export function reportModel(manifest: { name: string; version: string; sha256: string }, readerOutlines?: ReaderOutlines): SpineReport['model'] {
  return readerOutlines?.model ?? { name: manifest.name, version: manifest.version, sha256: manifest.sha256 };
}

export interface AnalysisResult {
  labelmap: Labelmap;
  segments: SegmentInfo[];
  levelNaming: LevelNaming;
  report: SpineReport;
  run: { backend: string; seconds: number };
  modelSource: 'cache' | 'network';
  /** Set when segmentation succeeded but measuring/grading failed: the report then has no levels. */
  gradingError?: string;
  /** Measured from the reader's corrected outlines (AnalyzeRequest.readerOutlines), in this many seconds; `run` is the segmentation's. */
  remeasuredSeconds?: number;
  /** Measured again from the outlines of a stored SEG as the reader corrected them: which ('the stored SEG (version 2)'; set by the panel). */
  remeasuredFrom?: string;
}

export type ToWorker = PrepareRequest | AnalyzeRequest | { type: 'cancel' };
export type FromWorker =
  | { type: 'progress'; stage: AnalysisStage; done: number; total: number }
  | { type: 'result'; result: AnalysisResult }
  | { type: 'error'; message: string; cancelled: boolean };
