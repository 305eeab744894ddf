/**
 * The study's series with their classification and the reasons, one row per series; a sagittal MR series that is not
 * the analysed one can be chosen for the analysis (the automatic choice misread it, or the reader prefers another),
 * unless it has no PixelSpacing (nothing could be measured on it; its Why says so).
 */
import { readerMayChoose, readerMayStateWeighting, type ClassifiedSeries, type SeriesHeaders } from '../pipeline/series';
import { colors, s } from './styles';

const ROLE_LABEL: Record<string, string> = {
  sagittal_t2: 'SAG T2',
  sagittal_t1: 'SAG T1',
  sagittal_stir: 'SAG STIR',
  axial_t2: 'AX T2',
  other: 'other',
};

/** Buttons that choose a series: as its headers weight it, or, where they give no T2/T1/STIR weighting, as the reader states. */
function chooseButtons(c: ClassifiedSeries): { label: string; testId: string; stated?: 't2' | 't1' }[] {
  return !readerMayStateWeighting(c) ? [{ label: 'Analyse this', testId: 'spine-series-choose' }] : [
    { label: 'Analyse as T2', testId: 'spine-series-choose-t2', stated: 't2' },
    { label: 'Analyse as T1', testId: 'spine-series-choose-t1', stated: 't1' },
    { label: `Analyse as ${c.classification.weighting}`, testId: 'spine-series-choose' },
  ];
}

/**
 * @param statedWeighting the weighting the reader stated for the analysed series, if any (its other weightings stay offered).
 */
export function SeriesTable({ classified, analysisSeries, statedWeighting, onChoose }: { classified: ClassifiedSeries[]; analysisSeries?: SeriesHeaders; statedWeighting?: 't2' | 't1'; onChoose?: (h: SeriesHeaders, statedWeighting?: 't2' | 't1') => void }) {
  return (
    <table style={s.table} data-testid="spine-series-table">
      <thead>
        <tr>
          <th style={s.th}>Series</th>
          <th style={s.th}>Class</th>
          <th style={s.th}>Why</th>
        </tr>
      </thead>
      <tbody>
        {classified.map((c) => {
          const { headers, classification } = c;
          const used = headers === analysisSeries;
          const color = classification.role === 'other' ? colors.muted : used ? colors.ok : colors.accent;
          return (
            <tr key={headers.SeriesInstanceUID}>
              <td style={s.td}>
                {headers.SeriesNumber !== undefined ? `${headers.SeriesNumber} ` : ''}
                {headers.SeriesDescription || <i>no description</i>}
                <div style={s.muted}>
                  {headers.Modality ?? '?'} · {headers.numberOfSlices} slice{headers.numberOfSlices === 1 ? '' : 's'}
                </div>
              </td>
              <td style={s.td}>
                <span style={{ ...s.badge, color, border: `1px solid ${color}` }}>{ROLE_LABEL[classification.role]}</span>
                {used && <div style={{ ...s.muted, color: colors.ok }}>analysed</div>}
                {onChoose && readerMayChoose(c) && !headers.pixelSpacingMissing && chooseButtons(c).filter((b) => !used || (b.stated && b.stated !== statedWeighting)).map((b) => (
                  <button key={b.testId} type="button" style={{ ...s.secondaryButton, marginTop: 4, marginRight: 4 }} data-testid={b.testId}
                    title={b.stated ? `Its headers do not say; analyse it as ${b.stated.toUpperCase()}-weighted` : 'Run the analysis on this series instead'} onClick={() => onChoose(headers, b.stated)}>
                    {b.label}
                  </button>
                ))}
              </td>
              <td style={{ ...s.td, ...s.muted }}>{[...classification.reasons, ...(headers.pixelSpacingMissing ? ['no PixelSpacing (0028,0030): nothing can be measured in mm on it'] : [])].join('; ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
