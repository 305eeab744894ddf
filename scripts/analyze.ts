/**
 * Headless analysis without a PACS:
 *   npm run analyze -- --input <NIfTI file | DICOM folder> --out <dir> [--model models/manifest.json]
 *     [--series <SeriesInstanceUID> [--weighting t2|t1]]   (DICOM folder)   [--weighting t2|t1]   (NIfTI file)
 * runs the whole pipeline in Node (onnxruntime-node) and writes <out>/seg.dcm (binary DICOM SEG),
 * <out>/sr.dcm (TID 1500 Comprehensive 3D SR) and <out>/report.json (the SpineReport).
 * For NIfTI input the DICOM identity is the one `npm run import` gives the same file, so after importing
 * it the SEG and SR reference real instances in the PACS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Labelmap, SpineVolume } from '../extension/src/pipeline/volume';
import type { SpineReport } from '../extension/src/pipeline/report';
import { gradeSpine, type BuildReportOptions } from '../extension/src/pipeline/build-report';
import { loadNodeModels } from './lib/node-models';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import { checkNamesOn } from '../extension/src/pipeline/level-crosscheck';
import { SOFTWARE } from '../extension/src/software';
import { writeSeg } from '../extension/src/dicom/seg';
import { writeSr } from '../extension/src/dicom/sr';
import { readAnalysisInput } from './analyze-input';
import { loadPixelCodecs } from './lib/pixel-codecs';
import type { ReaderSeriesChoice } from '../extension/src/pipeline/series';


export interface PipelineOptions {
  /** Path of the model manifest.json (the ONNX file lies next to it). */
  manifestPath: string;
  threads?: number;
  readerName?: string;
  log?: (s: string) => void;
}

/** The whole pipeline on one volume, as in the viewer: models → segmentation + level names → measurements → grades → SpineReport. */
export async function runPipeline(volume: SpineVolume, o: PipelineOptions & Pick<BuildReportOptions, 'otherSeries' | 'axialT2' | 'axialT2Unavailable' | 'sagittalT1'>): Promise<{ report: SpineReport; labelmap: Labelmap }> {
  const models = await loadNodeModels(o.manifestPath, o.threads ?? 2);
  const { manifest, backend, classifier } = models;
  try {
    o.log?.(`model ${manifest.name} ${manifest.version} on ${backend.name}${classifier ? `, ${classifier.name}` : ''}`);
    const seg = await segmentSpine(volume, backend, manifest);
    // A second count on the sagittal T1 beside it: names it counts differently are marked uncertain (level-crosscheck.ts).
    const levelNaming = await checkNamesOn(o.sagittalT1, volume, seg.segments, seg.levelNaming, backend, manifest);
    const opts: BuildReportOptions = {
      model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 }, software: SOFTWARE, levelNaming, run: seg.run,
      otherSeries: o.otherSeries, axialT2: o.axialT2, axialT2Unavailable: o.axialT2Unavailable, sagittalT1: o.sagittalT1,
    };
    const built = await gradeSpine(volume, seg.labelmap, seg.segments, opts, classifier, manifest.pfirrmann,
      manifest.pfirrmannRefused ? `the disc classifier could not be loaded (${manifest.pfirrmannRefused})` : 'the model manifest lists no disc classifier');
    if (built.gradingError) o.log?.(built.gradingError);
    if (o.readerName) built.report.reader = { name: o.readerName };
    return { report: built.report, labelmap: built.labelmap };
  } finally {
    await models.release();
  }
}

export interface AnalyzeCliOptions extends PipelineOptions {
  input: string;
  out: string;
  /** In a DICOM folder, the series to analyse instead of the automatic choice (and its weighting where the headers give none). */
  series?: ReaderSeriesChoice;
  /** For a NIfTI file, its weighting where its source gives none. */
  niftiWeighting?: 't2' | 't1';
}

/** Reads the input, runs the pipeline, writes seg.dcm, sr.dcm, report.json. Returns the written paths. */
export async function analyze(o: AnalyzeCliOptions): Promise<{ report: SpineReport; files: string[] }> {
  const log = o.log ?? (() => undefined);
  await loadPixelCodecs(); // JPEG-LS files in a DICOM folder
  const input = readAnalysisInput(o.input, o.series, o.niftiWeighting);
  log(`input: ${input.description}`);
  for (const w of input.warnings ?? []) log(`warning: ${w}`);
  const { report, labelmap } = await runPipeline(input.volume, { ...o, otherSeries: input.otherSeries, axialT2: input.axialT2, axialT2Unavailable: input.axialT2Unavailable, sagittalT1: input.sagittalT1 });
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
    .option('--series <uid>', 'DICOM folder: analyse this series (SeriesInstanceUID; sagittal MR, not a localizer) instead of the automatic choice')
    .addOption(new Option('--weighting <w>', "with --series, or for a NIfTI file: its weighting, where its headers or source give no T2/T1/STIR weighting (said beside each grade it affects)").choices(['t2', 't1']))
    .parse();
  const opts = program.opts<{ input: string; out: string; model: string; threads: string; reader?: string; series?: string; weighting?: 't2' | 't1' }>();
  const series = opts.series ? { seriesInstanceUid: opts.series, ...(opts.weighting ? { statedWeighting: opts.weighting } : {}) } : undefined;
  const niftiWeighting = opts.series ? undefined : opts.weighting;
  analyze({ input: opts.input, out: opts.out, manifestPath: opts.model, threads: Number(opts.threads), readerName: opts.reader, series, niftiWeighting, log: (s) => console.log(s) })
    .then((r) => console.log(`wrote ${r.files.join(', ')}`))
    .catch((e: Error) => {
      console.error(`analyze: ${e.message}`);
      process.exitCode = 1;
    });
}
