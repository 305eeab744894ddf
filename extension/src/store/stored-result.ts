/**
 * Which stored result of ours a study holds: its newest 'Spine MRI Report vN' SR series and the 'Spine MRI SEG vN'
 * beside it, from the study's series list (QIDO-RS), or the earlier SEG the SR refers to where it has none, and whether a newer one was stored than a version opened. Framework-free: the viewer (ohif/loadStoredReport.ts) and
 * `npm run analyze:pacs` both read a study's stored result through it.
 */
import { SEG_SERIES_DESCRIPTION, segSeriesDescription } from '../dicom/seg';
import { srSegSeries } from '../dicom/sr-read';
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
  /** The SEG's version where it is an earlier version's, which this version's SR refers to (segReferredTo). */
  segVersion?: number;
  /** Where the study holds no SEG for this version: the SeriesInstanceUID of the SEG its SR refers to (deleted, or never stored). */
  missingSegSeriesInstanceUid?: string;
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
 * The SEG a stored SR refers to, where the study holds it: a version whose outlines did not change refers to an
 * earlier version's SEG rather than a copy (store/save.ts buildRevision). Where the study lacks it (deleted, or never
 * stored), only its SeriesInstanceUID, as missingSegSeriesInstanceUid; empty when the SR refers to no SEG.
 * @param sr the SR's Part 10 bytes; @param series the study's series list
 */
export function segReferredTo(sr: ArrayBuffer, series: StudySeriesRow[]): Pick<StoredReportRef, 'segSeriesInstanceUid' | 'segVersion' | 'missingSegSeriesInstanceUid'> {
  const uid = srSegSeries(sr);
  if (!uid) return {};
  const row = series.find((s) => s.seriesInstanceUid === uid && (!s.modality || s.modality === 'SEG'));
  if (!row) return { missingSegSeriesInstanceUid: uid };
  const version = Number(SEG_SERIES_DESCRIPTION.exec(row.description ?? '')?.[1]);
  return { segSeriesInstanceUid: row.seriesInstanceUid, ...(version ? { segVersion: version } : {}) };
}

/**
 * The study's newest stored result when it is newer than the version a reader opened (stored since from another page,
 * by another reader, or by `npm run analyze:pacs --redo`); undefined when the opened version is still the newest.
 */
export function newerStoredReport(series: StudySeriesRow[], openedVersion: number): StoredReportRef | undefined {
  const newest = latestStoredReport(series);
  return newest && newest.version > openedVersion ? newest : undefined;
}
