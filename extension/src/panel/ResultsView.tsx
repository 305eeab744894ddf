/** Results of a finished analysis: run info, level-naming caveat, per-level table and segments, click to jump. */
import type { AnalysisResult } from '../ohif/analysisProtocol';
import { jumpToSegment } from '../ohif/showSegmentation';
import type { Finding, LevelReport, SegmentInfo } from '../pipeline/report';
import { colors, s } from './styles';

function fmt<T>(f: Finding<T> | undefined, show: (v: T) => string = String): string {
  if (!f) return '–';
  if (f.value === null) return 'n/a';
  return `${show(f.value)}${f.readerModified ? '*' : ''}`;
}

function findingTitle(f: Finding<unknown> | undefined): string | undefined {
  if (!f) return undefined;
  if (f.value === null) return f.notAssessableReason;
  return `${f.evidence.rule} — ${f.evidence.reference}`;
}

const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V'];

export function LevelsTable({ levels, segments, segmentationId }: { levels: LevelReport[]; segments: SegmentInfo[]; segmentationId?: string }) {
  const jump = (l: LevelReport) => {
    const seg = segments.find((x) => x.segmentNumber === l.discSegmentNumber);
    if (seg && segmentationId) jumpToSegment(segmentationId, seg);
  };
  return (
    <table style={s.table} data-testid="spine-levels-table">
      <thead>
        <tr>
          <th style={s.th}>Level</th>
          <th style={s.th}>Pfirrmann</th>
          <th style={s.th}>Canal</th>
          <th style={s.th}>Foramen L/R</th>
          <th style={s.th}>Facet L/R</th>
        </tr>
      </thead>
      <tbody>
        {levels.map((l) => (
          <tr key={l.level} onClick={() => jump(l)} style={{ cursor: l.discSegmentNumber ? 'pointer' : 'default' }} title="Click to show this level">
            <td style={{ ...s.td, fontWeight: 600 }}>{l.level}</td>
            <td style={s.td} title={findingTitle(l.pfirrmannGrade)}>
              {fmt(l.pfirrmannGrade, (v) => ROMAN[v] ?? String(v))}
            </td>
            <td style={s.td} title={findingTitle(l.centralCanalStenosis)}>
              {fmt(l.centralCanalStenosis)}
            </td>
            <td style={s.td}>
              <span title={findingTitle(l.foraminalStenosisLeft)}>{fmt(l.foraminalStenosisLeft)}</span> /{' '}
              <span title={findingTitle(l.foraminalStenosisRight)}>{fmt(l.foraminalStenosisRight)}</span>
            </td>
            <td style={s.td}>
              <span title={findingTitle(l.facetArthropathyLeft)}>{fmt(l.facetArthropathyLeft)}</span> /{' '}
              <span title={findingTitle(l.facetArthropathyRight)}>{fmt(l.facetArthropathyRight)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SegmentsTable({ segments, segmentationId }: { segments: SegmentInfo[]; segmentationId?: string }) {
  return (
    <table style={s.table} data-testid="spine-segments-table">
      <thead>
        <tr>
          <th style={s.th}>#</th>
          <th style={s.th}>Structure</th>
          <th style={s.th}>Voxels</th>
        </tr>
      </thead>
      <tbody>
        {segments.map((seg) => (
          <tr
            key={seg.segmentNumber}
            onClick={() => segmentationId && jumpToSegment(segmentationId, seg)}
            style={{ cursor: segmentationId ? 'pointer' : 'default' }}
            title="Click to show this structure"
          >
            <td style={s.td}>{seg.segmentNumber}</td>
            <td style={s.td}>{seg.label}</td>
            <td style={{ ...s.td, ...s.muted }}>{seg.voxelCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ResultsView({ result, segmentationId, displayError }: { result: AnalysisResult; segmentationId?: string; displayError?: string }) {
  const { report, segments, run } = result;
  return (
    <div data-testid="spine-results">
      <div style={s.muted} data-testid="spine-run-info">
        {run.backend} · {run.seconds.toFixed(1)} s · model {report.model.name} {report.model.version} ({result.modelSource === 'cache' ? 'cached' : 'downloaded'})
      </div>
      {displayError && <div style={s.error}>{displayError}</div>}
      <div style={report.levelNaming.certain ? s.muted : s.warn} data-testid="spine-level-naming">
        {report.levelNaming.certain ? 'Levels: ' : '⚠ Level names uncertain: '}
        {report.levelNaming.note}
      </div>
      {segments.length === 0 && <div style={s.error}>No vertebral bodies or discs were found in this series.</div>}
      {report.levels.length > 0 && (
        <>
          <div style={s.h}>Levels</div>
          <LevelsTable levels={report.levels} segments={segments} segmentationId={segmentationId} />
          <div style={s.muted}>n/a = not assessable (hover for the reason); * = changed by the reader. Hover a grade for its rule and source.</div>
        </>
      )}
      {segments.length > 0 && (
        <>
          <div style={s.h}>Segments</div>
          <SegmentsTable segments={segments} segmentationId={segmentationId} />
        </>
      )}
      <div style={{ ...s.muted, color: colors.muted, marginTop: 8 }}>Automated result for review by a radiologist; not for diagnosis on its own.</div>
    </div>
  );
}
