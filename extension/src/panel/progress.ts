/** Progress bar arithmetic for the analysis stages (pure; unit-tested). */
import type { AnalysisStage } from '../ohif/analysisProtocol';

/** Share of the progress bar per stage (inference dominates). */
const STAGES: [AnalysisStage, number][] = [
  ['read', 0.15],
  ['model', 0.1],
  ['preprocess', 0.1],
  ['inference', 0.55],
  ['postprocess', 0.07],
  ['report', 0.03],
];

export const STAGE_LABEL: Record<AnalysisStage, string> = {
  read: 'Reading images',
  model: 'Loading model',
  preprocess: 'Preparing slices',
  inference: 'Segmenting',
  postprocess: 'Labelling levels',
  report: 'Building report',
};

/** Overall fraction 0..1 of a run at (stage, done/total). */
export function overallProgress(stage: AnalysisStage, done: number, total: number): number {
  let acc = 0;
  for (const [s, w] of STAGES) {
    if (s === stage) return acc + w * (total > 0 ? Math.min(1, done / total) : 0);
    acc += w;
  }
  return acc;
}

