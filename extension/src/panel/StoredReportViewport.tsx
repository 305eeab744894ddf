/**
 * A stored 'Spine MRI Report v<n>' opened from the study browser: the report's findings as text (the same
 * text as the panel's "Findings as text"), its version, date and software, read from the SR in the PACS.
 * Older versions can be read here too; the Spine MRI panel works on the newest one. Opened by double-click, it
 * takes the place of the images in that viewport: "Back to the images" puts back the series that viewport showed
 * before (ohif/imagesShown.ts), else the analysed one.
 */
import { useEffect, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import { readStoredReportSeries } from '../ohif/loadStoredReport';
import { getOhifContext, viewportsShowing } from '../ohif/context';
import { chooseForStudy } from '../ohif/headers';
import { lastImagesShownIn } from '../ohif/imagesShown';
import { findingsText } from './findingsText';
import { colors, s } from './styles';

/**
 * In the viewport that shows `report`, the MR series of that study it showed before; else the study's analysis series
 * (sagittal T2 first, as the panel chooses).
 * @returns false when the study has no image series to show or no viewport shows the report.
 */
function showImagesInstead(report: DisplaySet): boolean {
  const { services } = getOhifContext().servicesManager;
  const { displaySetService, viewportGridService } = services;
  const [viewport] = viewportsShowing(report.displaySetInstanceUID);
  if (!viewport) return false;
  const choice = chooseForStudy(displaySetService.getActiveDisplaySets(), report.StudyInstanceUID);
  const images = lastImagesShownIn(viewport.viewportId, report.StudyInstanceUID, services) ?? choice.displaySetOf(choice.analysisSeries ?? choice.classified[0]?.headers)?.displaySetInstanceUID;
  if (!images) return false;
  viewportGridService.setDisplaySetsForViewport({ viewportId: viewport.viewportId, displaySetInstanceUIDs: [images] });
  return true;
}

type Loaded = { status: 'loading' } | { status: 'shown'; text: string; createdAt: string } | { status: 'error'; message: string };

export function StoredReportViewport({ displaySets }: { displaySets?: DisplaySet[] }) {
  const ds = displaySets?.[0];
  const [state, setState] = useState<Loaded>({ status: 'loading' });
  const [noImages, setNoImages] = useState(false);
  useEffect(() => {
    if (!ds) return;
    let live = true;
    setState({ status: 'loading' });
    readStoredReportSeries(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SeriesDescription?.replace(/^Spine MRI Report /, 'SR ')).then(
      (report) => live && setState({ status: 'shown', text: findingsText(report), createdAt: report.createdAt }),
      (e: Error) => live && setState({ status: 'error', message: e.message }),
    );
    return () => { live = false; };
  }, [ds?.StudyInstanceUID, ds?.SeriesInstanceUID]);
  return (
    <div style={{ ...s.panel, height: '100%', overflow: 'auto', background: '#000', padding: '16px 24px' }} data-testid="spine-stored-report-viewport">
      <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
        <div style={s.h}>{ds?.SeriesDescription ?? 'Spine MRI Report'}</div>
        {ds && (
          <button type="button" style={s.secondaryButton} data-testid="spine-stored-report-back" onClick={() => setNoImages(!showImagesInstead(ds))} title="Show the images this viewport showed before the report">
            Back to the images
          </button>
        )}
      </div>
      {noImages && <div style={s.error}>No image series of this study to show here: double-click one in the study browser.</div>}
      {state.status === 'loading' && <div style={s.muted}>Reading the report from the PACS…</div>}
      {state.status === 'error' && <div style={s.error}>{state.message}</div>}
      {state.status === 'shown' && (
        <>
          <div style={s.muted}>Stored {new Date(state.createdAt).toLocaleString()}. To review or correct the findings, use the Spine MRI panel (it opens the newest stored version).</div>
          <pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', fontSize: 14, color: colors.text, margin: '12px 0' }} data-testid="spine-stored-report-text">
            {state.text}
          </pre>
        </>
      )}
    </div>
  );
}
