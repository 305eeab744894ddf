/**
 * OHIF display set → the DICOM attributes the series classifier reads (pipeline/series.ts).
 */
import type { DisplaySet } from '../../../types/ohif';
import { chooseSeries, type ReaderSeriesChoice, type SeriesChoice, type SeriesHeaders } from '../pipeline/series';
import { seriesHeadersFrom } from '../dicom/series-headers';

/** Headers of one display set, from its first instance (Enhanced MR: its functional groups); numberOfSlices = frames or instances. */
export function displaySetToHeaders(ds: DisplaySet): SeriesHeaders {
  const instances = ds.instances ?? (ds.instance ? [ds.instance] : []);
  return seriesHeadersFrom(ds.SeriesInstanceUID, instances, Math.max(ds.numImageFrames ?? 0, instances.length), ds);
}

/**
 * Image display sets of one study (SEG/SR/unsupported excluded, and the KO stack OHIF makes of the images an SR it shows
 * refers to: those images' own series are listed), each with its headers.
 */
export function studyImageSeries(all: DisplaySet[], studyInstanceUid: string): { ds: DisplaySet; headers: SeriesHeaders }[] {
  return all
    .filter((ds) => ds.StudyInstanceUID === studyInstanceUid && !ds.unsupported && !['SEG', 'SR', 'RTSTRUCT', 'PR', 'KO'].includes(ds.Modality ?? ''))
    .map((ds) => ({ ds, headers: displaySetToHeaders(ds) }));
}

/**
 * chooseSeries over one study's image display sets, plus the display set of each chosen series.
 * @param readerChoice the series the reader chose for the analysis (chooseSeries), if any.
 */
export function chooseForStudy(all: DisplaySet[], studyInstanceUid: string, readerChoice?: ReaderSeriesChoice): SeriesChoice & { displaySetOf: (h?: SeriesHeaders) => DisplaySet | undefined } {
  const series = studyImageSeries(all, studyInstanceUid);
  const choice = chooseSeries(series.map((s) => s.headers), readerChoice);
  return { ...choice, displaySetOf: (h) => series.find((s) => s.headers === h)?.ds };
}
