/**
 * The Spine MRI panel (right side of the Spine MRI mode): which series the analysis uses and why,
 * the Analyze flow and the per-level results.
 */
import { useEffect, useState } from 'react';
import { useSeriesChoice } from './useSeriesChoice';
import { SeriesTable } from './SeriesTable';
import { AnalyzeSection } from './AnalyzeSection';
import { StoredResults } from './StoredResults';
import { s } from './styles';
import type { SourceSeriesRef } from '../pipeline/report';
import { leaveOutlineEditing } from '../ohif/outlineEditingTools';
import { StorageRefusedWarning } from './StorageRefusedWarning';
import { KeptMeasurementsOffer } from './KeptMeasurementsOffer';

export function SpinePanel() {
  const choice = useSeriesChoice();
  const [showSeries, setShowSeries] = useState(true);
  // OHIF mounts the panel each time its tab is shown: the outlines are no longer edited by a drag meant to window the image.
  useEffect(() => {
    try { leaveOutlineEditing(); } catch (e) { console.warn('Spine MRI: could not put window/level back as the mouse tool', e); }
  }, []);
  const ds = choice.displaySetOf(choice.analysisSeries);
  const role = choice.analysisRole ?? 'sagittal_t2';
  const otherSeries: SourceSeriesRef[] = [];
  if (choice.sagittalT1 && choice.sagittalT1 !== choice.analysisSeries) otherSeries.push({ role: 'sagittal_t1', seriesInstanceUid: choice.sagittalT1.SeriesInstanceUID });
  if (choice.axialT2) otherSeries.push({ role: 'axial_t2', seriesInstanceUid: choice.axialT2.SeriesInstanceUID });
  return (
    <div style={s.panel} data-testid="spine-mri-panel">
      <div style={s.h}>Spine MRI</div>
      <div style={choice.suitable ? s.message : s.error} data-testid="spine-series-message">
        {choice.message}
        {choice.readerChosen && (
          <button type="button" style={{ ...s.secondaryButton, marginLeft: 8 }} data-testid="spine-series-automatic" onClick={() => choice.chooseForAnalysis(undefined)}>
            Back to the automatic choice
          </button>
        )}
      </div>
      {choice.warnings.map((w) => (
        <div key={w} style={s.warn}>
          ⚠ {w}
        </div>
      ))}
      <StorageRefusedWarning />
      {choice.studyInstanceUid && <KeptMeasurementsOffer key={choice.studyInstanceUid} studyInstanceUid={choice.studyInstanceUid} />}
      <AnalyzeSection
        key={`${choice.analysisSeries?.SeriesInstanceUID ?? 'none'} ${role}`}
        displaySet={ds}
        role={role}
        weightingStatedByReader={!!choice.statedWeighting}
        otherSeries={otherSeries}
        axialT2={choice.axialT2 && choice.displaySetOf(choice.axialT2)}
        sagittalT1={choice.sagittalT1 && choice.sagittalT1 !== choice.analysisSeries ? choice.displaySetOf(choice.sagittalT1) : undefined}
        disabledReason={choice.suitable ? undefined : choice.message}
      />
      {choice.studyInstanceUid && <StoredResults studyInstanceUid={choice.studyInstanceUid} analysedSeriesUid={ds?.SeriesInstanceUID} />}
      <div style={{ ...s.h, cursor: 'pointer' }} onClick={() => setShowSeries(!showSeries)}>
        {showSeries ? '▾' : '▸'} Series
      </div>
      {showSeries && <SeriesTable classified={choice.classified} analysisSeries={choice.analysisSeries} statedWeighting={choice.statedWeighting} onChoose={(h, statedWeighting) => choice.chooseForAnalysis({ seriesInstanceUid: h.SeriesInstanceUID, statedWeighting })} />}
    </div>
  );
}
