/** What differs from the patient's prior study's stored findings (priorChanges.ts), under the levels table. */
import type { SpineReport } from '../pipeline/report';
import { comparePrior, dicomDate, priorChangesText } from './priorChanges';
import { usePriorReport } from './usePriorReport';
import { s } from './styles';

export function PriorFindings({ report }: { report: SpineReport }) {
  const state = usePriorReport(report.studyInstanceUid);
  if (state.status === 'loading') return null;
  if (state.status === 'none') return <div style={s.muted} data-testid="spine-prior">No earlier study of this patient holds Spine MRI findings to compare with.</div>;
  if (state.status === 'error') return <div style={s.muted} data-testid="spine-prior">No prior comparison: {state.message}.</div>;
  const { prior } = state;
  const c = comparePrior(report, prior.report);
  return (
    <div style={{ margin: '6px 0' }} data-testid="spine-prior">
      <div style={s.h}>Prior study ({dicomDate(prior.studyDate)})</div>
      {c.changes.length ? (
        <table style={s.table} data-testid="spine-prior-changes">
          <thead>
            <tr>
              <th style={s.th}>Level</th>
              <th style={s.th}>Finding</th>
              <th style={s.th}>Prior</th>
              <th style={s.th}>Now</th>
            </tr>
          </thead>
          <tbody>
            {c.changes.map((x) => (
              <tr key={`${x.level} ${x.key}`}>
                <td style={s.td}>{x.level}</td>
                <td style={s.td}>{x.label}</td>
                <td style={s.td}>{x.prior}</td>
                <td style={s.td}>{x.now}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div style={s.message}>{priorChangesText(c, prior.studyDate)}</div>
      )}
      <div style={s.muted}>
        Compared with the stored findings (version {prior.version}) of the study of {dicomDate(prior.studyDate)}, level by level by name; a finding not assessed in
        either is not compared. A difference may come from the images (scanner, sequence, slice) as well as from the spine.
      </div>
    </div>
  );
}
