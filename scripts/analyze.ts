/**
 * Headless analysis without a PACS:
 *   npm run analyze -- --input <NIfTI file | DICOM folder> --out <dir> [--model models/manifest.json]
 * runs the whole pipeline in Node (onnxruntime-node) and writes <out>/seg.dcm (binary DICOM SEG),
 * <out>/sr.dcm (TID 1500 Comprehensive 3D SR) and <out>/report.json (the SpineReport).
 * For NIfTI input the DICOM identity is the one `npm run import` gives the same file, so after importing
 * it the SEG and SR reference real instances in the PACS.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Labelmap, SpineVolume } from '../extension/src/pipeline/volume';
import type { Finding, LevelReport, SegmentInfo, SpineReport } from '../extension/src/pipeline/report';
import { createNodeBackend, parseModelManifest, verifyModelBytes, type OrtModule } from '../extension/src/pipeline/model';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import { writeSeg } from '../extension/src/dicom/seg';
import { writeSr } from '../extension/src/dicom/sr';
import { readAnalysisInput } from './analyze-input';

const SOFTWARE = { name: 'ohif-spine-mri', version: (JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')) as { version: string }).version };

export interface PipelineOptions {
  /** Path of the model manifest.json (the ONNX file lies next to it). */
  manifestPath: string;
  threads?: number;
  readerName?: string;
  log?: (s: string) => void;
}

function notGraded<T>(reason: string): Finding<T> {
  return { value: null, notAssessableReason: reason, evidence: { measurements: [], rule: 'not graded', reference: '-' }, readerModified: false };
}

/**
 * Levels from the disc segments. Grading (pipeline/grade/) is not wired here yet: every finding is
 * written as not assessable with that reason, so nothing is invented.
 */
export function levelsFromSegments(segments: SegmentInfo[]): LevelReport[] {
  const reason = 'automatic grading is not available in this build';
  return segments
    .filter((s) => s.kind === 'disc' && s.level)
    .map((s) => ({
      level: s.level!,
      discSegmentNumber: s.segmentNumber,
      measurements: [],
      pfirrmannGrade: notGraded(reason),
      discNarrowing: notGraded(reason),
      centralCanalStenosis: notGraded(reason),
      foraminalStenosisLeft: notGraded(reason),
      foraminalStenosisRight: notGraded(reason),
      facetArthropathyLeft: notGraded(reason),
      facetArthropathyRight: notGraded(reason),
    }));
}

/** The whole pipeline on one volume: model → segmentation + level names → (grades) → SpineReport. */
export async function runPipeline(volume: SpineVolume, o: PipelineOptions): Promise<{ report: SpineReport; labelmap: Labelmap }> {
  const manifestPath = resolve(o.manifestPath);
  let manifestText: string;
  try {
    manifestText = readFileSync(manifestPath, 'utf8');
  } catch {
    throw new Error(`model manifest ${manifestPath} not found (train/export a model into models/, or pass --model <manifest.json>)`);
  }
  const manifest = parseModelManifest(manifestText);
  const modelBytes = new Uint8Array(readFileSync(join(dirname(manifestPath), manifest.file)));
  await verifyModelBytes(modelBytes, manifest);
  const ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  const backend = await createNodeBackend(ort, modelBytes, manifest, o.threads ?? 2);
  try {
    o.log?.(`model ${manifest.name} ${manifest.version} on ${backend.name}`);
    const seg = await segmentSpine(volume, backend, manifest);
    const levels = levelsFromSegments(seg.segments);
    const region: SpineReport['region'] = levels.some((l) => l.level.startsWith('C')) ? 'cervical' : levels.some((l) => l.level.startsWith('L')) ? 'lumbar' : 'unknown';
    const report: SpineReport = {
      schemaVersion: 1,
      studyInstanceUid: volume.studyInstanceUid,
      seriesInstanceUid: volume.seriesInstanceUid,
      frameOfReferenceUid: volume.frameOfReferenceUid,
      sourceSeries: [{ role: volume.role === 'sagittal_t1' || volume.role === 'sagittal_stir' ? volume.role : 'sagittal_t2', seriesInstanceUid: volume.seriesInstanceUid }],
      model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
      software: SOFTWARE,
      region,
      levelNaming: seg.levelNaming,
      segments: seg.segments,
      levels,
      createdAt: new Date().toISOString(),
      run: seg.run,
      ...(o.readerName ? { reader: { name: o.readerName } } : {}),
    };
    return { report, labelmap: seg.labelmap };
  } finally {
    await backend.release?.();
  }
}

export interface AnalyzeCliOptions extends PipelineOptions {
  input: string;
  out: string;
}

/** Reads the input, runs the pipeline, writes seg.dcm, sr.dcm, report.json. Returns the written paths. */
export async function analyze(o: AnalyzeCliOptions): Promise<{ report: SpineReport; files: string[] }> {
  const log = o.log ?? (() => undefined);
  const input = readAnalysisInput(o.input);
  log(`input: ${input.description}`);
  const { report, labelmap } = await runPipeline(input.volume, o);
  mkdirSync(o.out, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | ArrayBuffer) => {
    const p = join(o.out, name);
    writeFileSync(p, typeof data === 'string' ? data : Buffer.from(data));
    files.push(p);
  };
  put('report.json', JSON.stringify(report, null, 2) + '\n');
  if (report.segments.length === 0) {
    throw new Error(`no spine structures were found in ${o.input}; wrote only ${files[0]} (no SEG/SR without segments)`);
  }
  const seg = writeSeg(report, labelmap, input.volume, { patientStudy: input.patientStudy });
  put('seg.dcm', seg);
  put('sr.dcm', writeSr(report, { seg, sourceVolume: input.volume, patientStudy: input.patientStudy }));
  log(`${report.segments.length} segments, ${report.levels.length} levels in ${report.run?.seconds.toFixed(1)} s`);
  return { report, files };
}

if (require.main === module) {
  const program = new Command()
    .name('analyze')
    .description('Spine MRI analysis without a PACS: writes seg.dcm (DICOM SEG), sr.dcm (TID 1500 SR) and report.json')
    .requiredOption('--input <path>', 'NIfTI file (.nii/.nii.gz) or folder of DICOM files')
    .requiredOption('--out <dir>', 'output folder')
    .option('--model <manifest>', 'model manifest.json', 'models/manifest.json')
    .option('--threads <n>', 'onnxruntime CPU threads', '2')
    .option('--reader <name>', 'reader name for the SR observer context (DICOM PN, e.g. Doe^Jane)')
    .parse();
  const opts = program.opts<{ input: string; out: string; model: string; threads: string; reader?: string }>();
  analyze({ input: opts.input, out: opts.out, manifestPath: opts.model, threads: Number(opts.threads), readerName: opts.reader, log: (s) => console.log(s) })
    .then((r) => console.log(`wrote ${r.files.join(', ')}`))
    .catch((e: Error) => {
      console.error(`analyze: ${e.message}`);
      process.exitCode = 1;
    });
}
