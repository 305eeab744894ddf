/** React state of one analysis run: idle → running (stage progress) → done | error; cancel. */
import { useCallback, useRef, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import type { AnalysisResult, AnalysisStage } from '../ohif/analysisProtocol';
import { startAnalysis, type AnalysisRun } from '../ohif/analysisClient';
import { showLabelmap } from '../ohif/showSegmentation';
import type { SeriesRole } from '../pipeline/volume';

export type AnalysisState =
  | { status: 'idle' }
  | { status: 'running'; stage: AnalysisStage; done: number; total: number; startedAt: number }
  | { status: 'done'; result: AnalysisResult; segmentationId?: string; displayError?: string }
  | { status: 'error'; message: string; cancelled: boolean };

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

export function useAnalysis() {
  const [state, setState] = useState<AnalysisState>({ status: 'idle' });
  const run = useRef<AnalysisRun | undefined>(undefined);

  const start = useCallback((ds: DisplaySet, role: SeriesRole) => {
    const startedAt = Date.now();
    setState({ status: 'running', stage: 'read', done: 0, total: 1, startedAt });
    const r = startAnalysis(ds, role, (stage, done, total) => setState({ status: 'running', stage, done, total, startedAt }));
    run.current = r;
    r.promise.then(
      async (result) => {
        let segmentationId: string | undefined;
        let displayError: string | undefined;
        try {
          if (result.segments.length) segmentationId = await showLabelmap(ds, result.imageIds, result.labelmap, result.segments);
        } catch (e) {
          displayError = `Could not show the segmentation: ${(e as Error).message}`;
          console.error(e);
        }
        if (run.current === r) setState({ status: 'done', result, segmentationId, displayError });
      },
      (e: Error) => {
        if (run.current === r) setState({ status: 'error', message: e.message, cancelled: /cancel/i.test(e.message) });
      },
    );
  }, []);

  const cancel = useCallback(() => run.current?.cancel(), []);
  return { state, start, cancel };
}
