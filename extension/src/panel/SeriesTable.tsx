/**
 * The study's series with their classification and the reasons, one row per series; a sagittal MR series that is not
 * the analysed one can be chosen for the analysis (the automatic choice misread it, or the reader prefers another).
 */
import { readerMayChoose, type ClassifiedSeries, type SeriesHeaders } from '../pipeline/series';
import { colors, s } from './styles';

const ROLE_LABEL: Record<string, string> = {
  sagittal_t2: 'SAG T2',
  sagittal_t1: 'SAG T1',
  sagittal_stir: 'SAG STIR',
  axial_t2: 'AX T2',
  other: 'other',
};

export function SeriesTable({ classified, analysisSeries, onChoose }: { classified: ClassifiedSeries[]; analysisSeries?: SeriesHeaders; onChoose?: (h: SeriesHeaders) => void }) {
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
                {!used && onChoose && readerMayChoose(c) && (
                  <button type="button" style={{ ...s.secondaryButton, marginTop: 4 }} data-testid="spine-series-choose" title="Run the analysis on this series instead" onClick={() => onChoose(headers)}>
                    Analyse this
                  </button>
                )}
              </td>
              <td style={{ ...s.td, ...s.muted }}>{classification.reasons.join('; ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
