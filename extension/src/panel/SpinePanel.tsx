/**
 * The Spine MRI panel (right side of the Spine MRI mode): which series the analysis uses and why,
 * the Analyze flow and the per-level results.
 */
import { useState } from 'react';
import { useSeriesChoice } from './useSeriesChoice';
import { SeriesTable } from './SeriesTable';
import { AnalyzeSection } from './AnalyzeSection';
import { StoredResults } from './StoredResults';
import { s } from './styles';

export function SpinePanel() {
  const choice = useSeriesChoice();
  const [showSeries, setShowSeries] = useState(true);
  const ds = choice.displaySetOf(choice.analysisSeries);
  const role = choice.analysisSeries === choice.sagittalT2 ? 'sagittal_t2' : choice.analysisSeries === choice.sagittalT1 ? 'sagittal_t1' : 'sagittal_stir';
  return (
    <div style={s.panel} data-testid="spine-mri-panel">
      <div style={s.h}>Spine MRI</div>
      <div style={choice.suitable ? s.message : s.error} data-testid="spine-series-message">
        {choice.message}
      </div>
      {choice.warnings.map((w) => (
        <div key={w} style={s.warn}>
          ⚠ {w}
        </div>
      ))}
      <AnalyzeSection
        key={choice.analysisSeries?.SeriesInstanceUID ?? 'none'}
        displaySet={ds}
        role={role}
        disabledReason={choice.suitable ? undefined : choice.message}
      />
      {choice.studyInstanceUid && <StoredResults studyInstanceUid={choice.studyInstanceUid} analysedSeriesUid={ds?.SeriesInstanceUID} />}
      <div style={{ ...s.h, cursor: 'pointer' }} onClick={() => setShowSeries(!showSeries)}>
        {showSeries ? '▾' : '▸'} Series
      </div>
      {showSeries && <SeriesTable classified={choice.classified} analysisSeries={choice.analysisSeries} />}
    </div>
  );
}
