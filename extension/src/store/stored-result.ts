/**
 * Which stored result of ours a study holds: its newest 'Spine MRI Report vN' SR series and the 'Spine MRI SEG vN'
 * beside it, from the study's series list (QIDO-RS), and whether a newer one was stored than a version opened. Framework-free: the viewer (ohif/loadStoredReport.ts) and
 * `npm run analyze:pacs` both read a study's stored result through it.
 */
import { segSeriesDescription } from '../dicom/seg';
import { SR_SERIES_DESCRIPTION } from '../dicom/sr';

/** One series of a study: SeriesInstanceUID, Modality and SeriesDescription (0008,103E) as QIDO-RS returns them. */
export interface StudySeriesRow {
  seriesInstanceUid: string;
  modality?: string;
  description?: string;
}

/** Our newest stored result in a study: SR series and, when present, the SEG series of the same version. */
export interface StoredReportRef {
  version: number;
  srSeriesInstanceUid: string;
  segSeriesInstanceUid?: string;
}

/**
 * The highest-version SR of ours in a study's series list, with the SEG of that version where the study holds it
 * (a SEG without its SR is an unfinished save, not a result); undefined when the study has none.
 * A row without a Modality is taken at its description.
 */
export function latestStoredReport(series: StudySeriesRow[]): StoredReportRef | undefined {
  let best: StoredReportRef | undefined;
  for (const s of series) {
    const m = SR_SERIES_DESCRIPTION.exec(s.description ?? '');
    if (!m || (s.modality && s.modality !== 'SR')) continue;
    const version = Number(m[1]);
    if (!best || version > best.version) best = { version, srSeriesInstanceUid: s.seriesInstanceUid };
  }
  if (best) {
    const segDescription = segSeriesDescription(best.version);
    const seg = series.find((s) => s.description === segDescription && (!s.modality || s.modality === 'SEG'));
    if (seg) best.segSeriesInstanceUid = seg.seriesInstanceUid;
  }
  return best;
}

/**
 * The study's newest stored result when it is newer than the version a reader opened (stored since from another page,
 * by another reader, or by `npm run analyze:pacs --redo`); undefined when the opened version is still the newest.
 */
export function newerStoredReport(series: StudySeriesRow[], openedVersion: number): StoredReportRef | undefined {
  const newest = latestStoredReport(series);
  return newest && newest.version > openedVersion ? newest : undefined;
}
