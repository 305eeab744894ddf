/** Results of a finished analysis: run info, level-naming caveat, per-level table and segments, click to jump. */
import { Fragment, useState, type KeyboardEvent } from 'react';
import type { AnalysisResult } from '../ohif/analysisProtocol';
import { LevelDetail } from './LevelDetail';
import { discGradesUnavailable } from './notices';
import { FINDING_CHOICES, findingLabel, regradedByRename, shiftLevelName, type FindingKey } from './readerEdits';
import { jumpToSegment } from '../ohif/showSegmentation';
import { outlineCentreLps, scrollSeriesTo } from '../ohif/scrollStacks';
import type { Side } from '../pipeline/foramen';
import { foramenMeasurementNames } from '../pipeline/grade/foramen';
import { measuredSlip } from '../pipeline/grade/listhesis';
import type { Finding, LevelReport, SegmentInfo, SpineReport } from '../pipeline/report';
import type { SpineVolume } from '../pipeline/volume';
import { colors, s } from './styles';
import { CAUTION_LEGEND, cautionsOf } from './cautions';
import { FindingsTextBox } from './FindingsTextBox';
import { PriorFindings } from './PriorFindings';

const INFERRED_DISC = 'Disc not segmented by the network: the space between the two vertebral bodies was painted by rule, and its grades rest on that';

function fmt<T>(f: Finding<T> | undefined, show: (v: T) => string = String): string {
  if (!f) return '–';
  return `${f.value === null ? 'n/a' : show(f.value)}${f.readerModified ? '*' : ''}`;
}

function findingTitle(f: Finding<unknown> | undefined): string | undefined {
  if (!f) return undefined;
  if (f.value === null) return f.notAssessableReason;
  return `${f.evidence.rule} — ${f.evidence.reference}`;
}

/** '?' after a grade whose evidence carries a caution (cautions.ts); its tooltip gives them. */
function CautionMark({ f }: { f: Finding<unknown> | undefined }) {
  const cautions = cautionsOf(f);
  return cautions.length ? <span style={{ color: colors.warn, fontWeight: 600 }} title={cautions.join('\n')} data-testid="spine-caution">?</span> : null;
}

/** The yes/no disc findings, as letters in the compact Disc column (absent in older reports: left out). */
const DISC_FLAGS = [['discNarrowing', 'N'], ['discBulging', 'B'], ['modicChange', 'M'], ['upperEndplateDefect', 'E↑'], ['lowerEndplateDefect', 'E↓']] as const;

/**
 * Letters of the disc findings present ('N B*'), and in their place those the reader set absent or not assessable,
 * struck out ('M̶*'), so that a removed finding stays marked as the reader's; 'none' when all were assessed absent,
 * else 'n/a'; the tooltip lists each.
 */
function DiscFlags({ l }: { l: LevelReport }) {
  const fs = DISC_FLAGS.flatMap(([k, letter]) => (l[k] ? [{ k, letter, f: l[k]! }] : []));
  const title = fs.map((x) => `${findingLabel(x.k, l.level)}: ${x.f.value === null ? 'not assessable' : x.f.value ? 'yes' : 'no'}${x.f.readerModified ? ' (reader)' : ''}`).join('; ');
  const letters = fs.filter((x) => x.f.value === true || x.f.readerModified).map((x) => (x.f.value === true
    ? <span key={x.k}>{x.letter + (x.f.readerModified ? '*' : '')}</span>
    : <span key={x.k} data-testid="spine-disc-removed" aria-label={`${findingLabel(x.k, l.level)} ${x.f.value === null ? 'not assessable' : 'absent'} (reader)`}><s>{x.letter}</s>*</span>));
  const text = letters.length
    ? letters.flatMap((x, i) => (i ? [' ', x] : [x]))
    : fs.some((x) => x.f.value === null) ? 'n/a' : 'none';
  // nowrap: 'B E↑ E↓' split over two lines reads as two findings rows.
  return <td style={{ ...s.td, whiteSpace: 'nowrap' }} title={title}>{text}</td>;
}

/** Meyerding grade with the slip's direction ('I ant', 'II retro'), 'none', or 'n/a'; '–' in reports from before the measure. */
function SlipCell({ l }: { l: LevelReport }) {
  const f = l.spondylolisthesis;
  const slip = measuredSlip(l.measurements);
  const show = (v: number) => (v ? `${FINDING_CHOICES.spondylolisthesis.show(v)}${slip ? (slip.direction === 'anterolisthesis' ? ' ant' : ' retro') : ''}` : 'none');
  return <td style={s.td} title={findingTitle(f)} data-testid="spine-slip">{fmt(f, show)}<CautionMark f={f} /></td>;
}

/** Facet grades 'L / R'; one 'n/a' when neither side could be assessed (the usual case without an axial T2), to keep the table narrow. */
function FacetCell({ l }: { l: LevelReport }) {
  const [left, right] = [l.facetArthropathyLeft, l.facetArthropathyRight];
  if (left.value === null && right.value === null && !left.readerModified && !right.readerModified) {
    return <td style={s.td} title={findingTitle(left)} data-testid="spine-facets">n/a</td>;
  }
  return (
    <td style={s.td} data-testid="spine-facets">
      <span title={findingTitle(left)}>{fmt(left)}</span><CautionMark f={left} /> / <span title={findingTitle(right)}>{fmt(right)}</span><CautionMark f={right} />
    </td>
  );
}

export function LevelsTable({
  levels,
  segments,
  segmentationId,
  axialSeriesUid,
  onEdit,
  onShiftLevels,
}: {
  levels: LevelReport[];
  segments: SegmentInfo[];
  segmentationId?: string;
  /** The study's axial T2 series: a clicked level scrolls it to the disc even where no area was measured. */
  axialSeriesUid?: string;
  /** When given, the evidence view offers grade overrides. */
  onEdit?: (level: string, key: FindingKey, value: string | number | boolean | null) => void;
  /** When given, the evidence view lets the reader rename the level (all levels shift by the same delta, vertebrae). */
  onShiftLevels?: (delta: number) => void;
}) {
  const [open, setOpen] = useState<string | undefined>();
  const click = (l: LevelReport) => {
    const seg = segments.find((x) => x.segmentNumber === l.discSegmentNumber);
    // A graded slip or canal stenosis: to the image its lines are drawn on (the disc's own centre may lie a slice away).
    const slipLines = l.spondylolisthesis?.value ? l.measurements.find((m) => m.name === 'vertebralSlipMm')?.lineLps : undefined;
    const stenotic = l.centralCanalStenosis.value && l.centralCanalStenosis.value !== 'none';
    const canalLine = stenotic ? l.measurements.find((m) => m.name === 'canalApDiameterMm')?.lineLps : undefined;
    const drawn = slipLines?.length ? slipLines : canalLine?.length ? canalLine : undefined;
    if (seg && segmentationId) jumpToSegment(segmentationId, seg, drawn ? outlineCentreLps(drawn) : undefined);
    else {
      // No outlines to jump to (a stored SEG still loading, deleted, or not drawn): the image of a line measured at this disc.
      const measured = l.measurements.find((m) => (m.name === 'vertebralSlipMm' || m.name === 'canalApDiameterMm') && m.lineLps?.length && m.sourceImage);
      if (measured) scrollSeriesTo(measured.sourceImage!.seriesInstanceUid, outlineCentreLps(measured.lineLps!));
    }
    // The axial image the dural sac was measured on (also for a stored SR), else the one nearest the disc.
    const area = l.measurements.find((m) => m.name === 'duralSacAreaMm2');
    if (area?.sourceImage && area.outlineLps?.length) scrollSeriesTo(area.sourceImage.seriesInstanceUid, outlineCentreLps(area.outlineLps));
    else if (seg && axialSeriesUid) scrollSeriesTo(axialSeriesUid, seg.centroidLps);
    setOpen(open === l.level ? undefined : l.level);
  };
  /**
   * The level's row opens, and the viewports move to the slice the foramen was measured on: the segmentation's
   * (this analysis) and the stacks showing the measured series (the sagittal T1, or the series a stored SR names).
   */
  const clickForamen = (l: LevelReport, side: Side) => {
    const area = l.measurements.find((m) => m.name === foramenMeasurementNames(side).area);
    if (area?.outlineLps?.length) {
      const centre = outlineCentreLps(area.outlineLps);
      const seg = segments.find((x) => x.segmentNumber === l.discSegmentNumber);
      if (seg && segmentationId) jumpToSegment(segmentationId, seg, centre);
      if (area.sourceImage) scrollSeriesTo(area.sourceImage.seriesInstanceUid, centre);
    }
    setOpen(l.level);
  };
  /**
   * Reading by keyboard: Enter or Space opens a level as a click does; ↓ / ↑ open the next / previous level, move the
   * viewports there and focus its row. The keys stop here, so OHIF's own arrow-key hotkeys do not also scroll the image.
   */
  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, l: LevelReport) => {
    const next = e.key === 'ArrowDown' ? levels[levels.indexOf(l) + 1] : e.key === 'ArrowUp' ? levels[levels.indexOf(l) - 1] : undefined;
    if (e.key !== 'Enter' && e.key !== ' ' && !next) return;
    e.preventDefault();
    e.stopPropagation();
    if (!next) return click(l);
    if (open !== next.level) click(next);
    e.currentTarget.parentElement?.querySelector<HTMLElement>(`tr[data-level-row="${next.level}"]`)?.focus();
  };
  return (
    <table style={s.table} data-testid="spine-levels-table">
      <thead>
        <tr>
          <th style={s.th}>Level</th>
          <th style={s.th}>Pfirrmann</th>
          <th style={s.th} title="Disc findings present: N narrowing, B bulging, M Modic change, E↑ / E↓ defect of the endplate above / below the disc. Disc herniation is not assessed (click a level for why)">Disc</th>
          <th style={s.th} title="Spondylolisthesis: Meyerding grade, anterolisthesis (ant) or retrolisthesis (retro)">Slip</th>
          <th style={s.th}>Canal</th>
          <th style={s.th}>Foramen L/R</th>
          <th style={s.th}>Facet L/R</th>
        </tr>
      </thead>
      <tbody>
        {levels.map((l) => (
          <Fragment key={l.level}>
            <tr onClick={() => click(l)} onKeyDown={(e) => onRowKey(e, l)} tabIndex={0} data-level-row={l.level}
              style={{ cursor: 'pointer', background: open === l.level ? colors.rowAlt : undefined }} title="Click to show this level and the evidence (or Enter; ↓ / ↑ for the next level)">
              <td style={{ ...s.td, fontWeight: 600, whiteSpace: 'nowrap' }}>
                {open === l.level ? '▾' : '▸'} {l.level}
                {segments.find((x) => x.segmentNumber === l.discSegmentNumber)?.inferred && (
                  <span style={{ color: colors.warn }} title={INFERRED_DISC} data-testid="spine-level-inferred">
                    †
                  </span>
                )}
              </td>
              <td style={s.td} title={findingTitle(l.pfirrmannGrade)}>
                {fmt(l.pfirrmannGrade, FINDING_CHOICES.pfirrmannGrade.show)}
                <CautionMark f={l.pfirrmannGrade} />
              </td>
              <DiscFlags l={l} />
              <SlipCell l={l} />
              <td style={s.td} title={findingTitle(l.centralCanalStenosis)} data-testid="spine-canal">
                {fmt(l.centralCanalStenosis)}
                <CautionMark f={l.centralCanalStenosis} />
              </td>
              <td style={s.td}>
                {(['left', 'right'] as const).map((side) => {
                  const f = side === 'left' ? l.foraminalStenosisLeft : l.foraminalStenosisRight;
                  return (
                    <Fragment key={side}>
                      {side === 'right' && ' / '}
                      <span title={`${findingTitle(f)} — click to show the ${side} foramen`} data-testid={`spine-foramen-${side}`}
                        onClick={(e) => { e.stopPropagation(); clickForamen(l, side); }} style={{ textDecoration: f.value !== null ? 'underline dotted' : undefined }}>
                        {fmt(f)}
                      </span>
                      <CautionMark f={f} />
                    </Fragment>
                  );
                })}
              </td>
              <FacetCell l={l} />
            </tr>
            {open === l.level && (
              <tr>
                <td colSpan={7} style={{ ...s.td, background: colors.rowAlt }}>
                  <LevelDetail
                    level={l}
                    onEdit={onEdit ? (k, v) => onEdit(l.level, k, v) : undefined}
                    onRename={onShiftLevels ? (delta) => { onShiftLevels(delta); setOpen(shiftLevelName(l.level, delta)); } : undefined}
                  />
                </td>
              </tr>
            )}
          </Fragment>
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
            <td style={s.td} title={seg.inferred ? INFERRED_DISC : undefined}>
              {seg.label}{seg.inferred ? <span style={s.muted}> (inferred)</span> : null}{seg.outlineCorrected ? <span style={s.muted}> (outline corrected)</span> : null}
            </td>
            <td style={{ ...s.td, ...s.muted }}>{seg.voxelCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How the levels were named (and whether the names are certain), and what renaming them changed, for a live or a stored result. */
export function LevelNamingLine({ report, testId }: { report: SpineReport; testId: string }) {
  const naming = report.levelNaming;
  const regraded = regradedByRename(report);
  return (
    <>
      <div style={naming.certain ? s.muted : s.warn} data-testid={testId}>
        {naming.certain ? 'Levels: ' : '⚠ Level names uncertain: '}
        {naming.note}
      </div>
      {regraded.length > 0 && (
        <div style={s.warn} data-testid={`${testId}-regraded`}>
          Graded again under the new names: {regraded.join('; ')}.
        </div>
      )}
    </>
  );
}

/**
 * How the result was made: backend and time, or that it measured the reader's corrected outlines; the model. The time
 * comes first: the outlines' source can end in words ('…, kept in this browser') that the time would seem to belong to.
 */
function runLine(result: AnalysisResult): string {
  const { run, report } = result;
  const parts = [
    ...(result.remeasuredSeconds !== undefined ? [`Measured again in ${result.remeasuredSeconds.toFixed(1)} s from your corrected outlines${result.remeasuredFrom ? ` of ${result.remeasuredFrom}` : ''}`] : []),
    // A stored SEG's outlines were segmented in an earlier session: how, the stored report does not say.
    ...(result.remeasuredFrom ? [] : [`${result.remeasuredSeconds !== undefined ? 'segmented by ' : ''}${run.backend}`,
      `${run.seconds.toFixed(1)} s${'totalSeconds' in result && result.remeasuredSeconds === undefined ? ` (total ${(result as { totalSeconds: number }).totalSeconds.toFixed(1)} s)` : ''}`]),
    // Outlines measured again were made by the model the report names (a stored SEG's may be an earlier one), not loaded now.
    result.remeasuredSeconds !== undefined
      ? `outlines by model ${report.model.name} ${report.model.version}`
      : `model ${report.model.name} ${report.model.version} (${result.modelSource === 'cache' ? 'cached' : 'downloaded'})`,
  ];
  return parts.join(' · ');
}

export function ResultsView({
  result,
  segmentationId,
  displayError,
  onEdit,
  onShiftLevels,
  onConfirmLevels,
}: {
  result: AnalysisResult;
  segmentationId?: string;
  displayError?: string;
  onEdit?: (level: string, key: FindingKey, value: string | number | boolean | null) => void;
  /** +1: every name one vertebra lower (L5 → S1); -1: one higher. */
  onShiftLevels?: (delta: number) => void;
  /** The reader confirms level names the software marked uncertain. */
  onConfirmLevels?: () => void;
}) {
  const { report, segments } = result;
  // A live result of a series with a gap: only its evenly spaced slices were analysed (pipeline/slice-run.ts).
  const slicesNote = (result as Partial<{ sourceVolume: SpineVolume }>).sourceVolume?.analysedSlicesNote;
  return (
    <div data-testid="spine-results">
      <div style={s.muted} data-testid="spine-run-info">
        {runLine(result)}
      </div>
      {slicesNote && <div style={s.warn} data-testid="spine-analysed-slices">⚠ {slicesNote}</div>}
      {displayError && <div style={s.error}>{displayError}</div>}
      {result.gradingError && (
        <div style={s.error} data-testid="spine-grading-error">
          {result.gradingError}
        </div>
      )}
      <LevelNamingLine report={report} testId="spine-level-naming" />
      {onShiftLevels && segments.some((x) => x.level) && (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center', margin: '4px 0' }}>
          <span style={s.muted}>Level names wrong?</span>
          <button type="button" style={s.secondaryButton} data-testid="spine-shift-up" onClick={() => onShiftLevels(-1)} title="Rename every level one vertebra higher (e.g. L5 → L4)">
            Shift up (L5→L4)
          </button>
          <button type="button" style={s.secondaryButton} data-testid="spine-shift-down" onClick={() => onShiftLevels(1)} title="Rename every level one vertebra lower (e.g. L5 → S1)">
            Shift down (L5→S1)
          </button>
          {onConfirmLevels && !report.levelNaming.certain && (
            <button type="button" style={s.secondaryButton} data-testid="spine-confirm-levels" onClick={onConfirmLevels} title="The names are right: I checked them against the sacrum or a localiser">
              Names are right
            </button>
          )}
        </div>
      )}
      {segments.length === 0 && <div style={s.error}>No vertebral bodies or discs were found in this series.</div>}
      {report.levels.length > 0 && (
        <>
          <div style={s.h}>Levels</div>
          {discGradesUnavailable(report.levels) && (
            <div style={{ ...s.warn, overflowWrap: 'anywhere' }} data-testid="spine-disc-grades-unavailable">⚠ No automatic disc grades (Pfirrmann, bulging, Modic, endplates): {discGradesUnavailable(report.levels)}</div>
          )}
          <LevelsTable levels={report.levels} segments={segments} segmentationId={segmentationId} axialSeriesUid={report.sourceSeries.find((x) => x.role === 'axial_t2')?.seriesInstanceUid} onEdit={onEdit} onShiftLevels={onShiftLevels} />
          <div style={s.muted}>Click a level for the measurements, rules and sources behind each grade, and to correct a grade. Disc: N narrowing, B bulging, M Modic change, E↑ / E↓ endplate defect above / below the disc present (struck out: set absent by the reader). n/a = not assessable; * = changed by the reader; † = disc inferred by rule, not segmented; {CAUTION_LEGEND}.</div>
          <PriorFindings report={report} />
          <FindingsTextBox report={report} />
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
