/**
 * Wraps the segmentation result into the SpineReport contract (pipeline/report.ts) for the panel.
 *
 * Fallback only, used when the report builder (pipeline/build-report.ts, the one place grades are
 * computed) fails: identity, segments and level naming, with no graded `levels`.
 */
import type { SegmentSpineResult } from '../pipeline/analyze';
import type { ModelManifest } from '../pipeline/model';
import type { SpineReport } from '../pipeline/report';
import type { SpineVolume } from '../pipeline/volume';

export const SOFTWARE = { name: 'ohif-spine-mri', version: '0.1.0' };

export function assembleReport(volume: SpineVolume, seg: SegmentSpineResult, manifest: ModelManifest): SpineReport {
  const hasLumbar = seg.segments.some((s) => s.level?.startsWith('L'));
  const hasCervical = seg.segments.some((s) => s.level?.startsWith('C'));
  return {
    schemaVersion: 1,
    studyInstanceUid: volume.studyInstanceUid,
    seriesInstanceUid: volume.seriesInstanceUid,
    frameOfReferenceUid: volume.frameOfReferenceUid,
    sourceSeries: [{ role: volume.role && volume.role !== 'other' ? volume.role : 'sagittal_t2', seriesInstanceUid: volume.seriesInstanceUid }],
    model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
    software: SOFTWARE,
    region: hasLumbar ? 'lumbar' : hasCervical ? 'cervical' : 'unknown',
    levelNaming: seg.levelNaming,
    segments: seg.segments,
    levels: [],
    createdAt: new Date().toISOString(),
    run: seg.run,
  };
}
