/** The study's series with their classification and the reasons, one row per series. */
import type { ClassifiedSeries, SeriesHeaders } from '../pipeline/series';
import { colors, s } from './styles';

const ROLE_LABEL: Record<string, string> = {
  sagittal_t2: 'SAG T2',
  sagittal_t1: 'SAG T1',
  sagittal_stir: 'SAG STIR',
  axial_t2: 'AX T2',
  other: 'other',
};

export function SeriesTable({ classified, analysisSeries }: { classified: ClassifiedSeries[]; analysisSeries?: SeriesHeaders }) {
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
        {classified.map(({ headers, classification }) => {
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
              </td>
              <td style={{ ...s.td, ...s.muted }}>{classification.reasons.join('; ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
