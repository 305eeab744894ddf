/**
 * One level's findings with the evidence behind each (measurements, rule with thresholds, grading
 * system and source) and, when editable, a choice to override the grade (reader correction).
 * Optional findings a report lacks (disc bulging, Modic change, endplate defects in older reports) are not shown.
 */
import type { Finding, LevelReport, Measurement } from '../pipeline/report';
import { FINDING_CHOICES, FINDING_KEYS, findingLabel, shiftLevelName, type FindingKey } from './readerEdits';
import { colors, s } from './styles';
import { splitCautions } from './cautions';
import { HERNIATION_NOT_ASSESSED } from '../pipeline/grade/disc-findings';
import { csfEffacedIn, EFFACED_HERNIATION_HINT } from '../pipeline/grade/canal';

const UNIT: Record<string, string> = { mm: 'mm', mm2: 'mm²', '%': '%', '{ratio}': '', '1': '' };

const ACRONYMS: Record<string, string> = { ap: 'AP', csf: 'CSF', vb: 'VB', t1: 'T1', t2: 'T2', lr: 'L/R' };

/** 'canalApDiameterMm' → 'canal AP diameter'; 'nucleusCsfSignalRatio' → 'nucleus CSF signal ratio'. */
export function humanMeasurementName(name: string): string {
  return name
    .replace(/(Mm2|Mm|Percent)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ')
    .map((w) => ACRONYMS[w] ?? w)
    .join(' ');
}

/** 'canal AP diameter 9.2 mm', 'dural sac area 84.0 mm²', 'listhesis slip 16.0 %', 'nucleus CSF signal ratio 0.42'. */
export function formatMeasurement(m: Measurement): string {
  const digits = m.unit === 'mm' || m.unit === 'mm2' || m.unit === '%' ? 1 : 2;
  // A slip of −0.02 mm reads 0.0 mm, not "-0.0 mm".
  const shown = (Number(m.value.toFixed(digits)) || 0).toFixed(digits);
  return `${humanMeasurementName(m.name)} ${shown}${UNIT[m.unit] ? ` ${UNIT[m.unit]}` : ''}`;
}

type Value = string | number | boolean;

function FindingRow({ k, f, label, onEdit }: { k: FindingKey; f: Finding<Value>; label: string; onEdit?: (k: FindingKey, v: Value | null) => void }) {
  const c = FINDING_CHOICES[k];
  const shown = f.value === null ? 'not assessable' : c.show(f.value);
  const { rule, cautions } = splitCautions(f.evidence.rule);
  return (
    <div style={{ margin: '4px 0', paddingBottom: 4, borderBottom: `1px dotted ${colors.border}` }} data-testid={`finding-${k}`}>
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 6 }}>
        <span style={{ color: colors.muted }}>{label}</span>
        {onEdit ? (
          <select
            value={f.value === null ? '' : String(f.value)}
            onChange={(e) => {
              // '' is "not assessable": a reader may say so of any grade (e.g. a level blurred by motion).
              const v = e.target.value === '' ? null : c.values.find((x) => String(x) === e.target.value);
              if (v !== undefined) onEdit(k, v);
            }}
            style={{ background: '#0b1a2a', color: colors.text, border: `1px solid ${colors.border}`, fontSize: 12 }}
            aria-label={label}
          >
            <option value="">not assessable</option>
            {c.values.map((v) => (
              <option key={String(v)} value={String(v)}>
                {c.show(v)}
              </option>
            ))}
          </select>
        ) : (
          <b>{shown}</b>
        )}
      </div>
      {f.readerModified && (
        <div style={{ ...s.muted, color: colors.warn }}>
          changed by the reader; software said {f.automaticValue === null || f.automaticValue === undefined ? 'not assessable' : c.show(f.automaticValue)}
        </div>
      )}
      {f.value === null && f.notAssessableReason && <div style={s.muted}>{f.notAssessableReason}</div>}
      {rule && <div style={s.muted}>{rule}</div>}
      {cautions.map((c) => <div key={c} style={{ ...s.muted, color: colors.warn }} data-testid="finding-caution">⚠ {c}</div>)}
      {f.evidence.measurements.length > 0 && <div style={s.muted}>{f.evidence.measurements.map(formatMeasurement).join(' · ')}</div>}
      {f.evidence.reference && <div style={{ ...s.muted, fontStyle: 'italic' }}>{f.evidence.reference}</div>}
    </div>
  );
}

/** Names a reader may give this level: up to two vertebrae higher or lower (every other level follows). */
const RENAME_DELTAS = [-2, -1, 0, 1, 2];

/**
 * @param onRename renames this level (delta vertebrae, +1 = one lower) and every other level with it
 *   (readerEdits.ts shiftLevels): names are counted, so one level cannot change alone.
 */
export function LevelDetail({ level, onEdit, onRename }: { level: LevelReport; onEdit?: (k: FindingKey, v: Value | null) => void; onRename?: (delta: number) => void }) {
  const names = RENAME_DELTAS.map((d) => [d, shiftLevelName(level.level, d)] as const).filter(([, n]) => n);
  return (
    // overflowWrap 'anywhere': a long unbroken reason (a checksum) must wrap, not widen the levels table.
    <div data-testid="spine-level-detail" style={{ overflowWrap: 'anywhere' }}>
      {onRename && (
        <div style={{ display: 'flex', justifyContent: 'space-between', gap: 6, margin: '4px 0' }}>
          <span style={{ color: colors.muted }}>This level is (the others follow)</span>
          <select
            value="0"
            onChange={(e) => Number(e.target.value) && onRename(Number(e.target.value))}
            style={{ background: '#0b1a2a', color: colors.text, border: `1px solid ${colors.border}`, fontSize: 12 }}
            aria-label="Level name"
          >
            {names.map(([d, n]) => (
              <option key={d} value={String(d)}>
                {n}
              </option>
            ))}
          </select>
        </div>
      )}
      {FINDING_KEYS.map((k) => level[k] && <FindingRow key={k} k={k} f={level[k] as Finding<Value>} label={findingLabel(k, level.level)} onEdit={onEdit} />)}
      <div style={{ margin: '4px 0', paddingBottom: 4, borderBottom: `1px dotted ${colors.border}` }} data-testid="finding-discHerniation">
        <div style={{ display: 'flex', justifyContent: 'space-between', gap: 6 }}>
          <span style={{ color: colors.muted }}>Disc herniation</span>
          <b>not assessed</b>
        </div>
        <div style={s.muted}>{HERNIATION_NOT_ASSESSED}.</div>
        {csfEffacedIn(level.centralCanalStenosis) && (
          <div style={{ ...s.muted, color: colors.warn }} data-testid="finding-herniation-hint">⚠ {EFFACED_HERNIATION_HINT}.</div>
        )}
      </div>
      {level.measurements.length > 0 && (
        <div style={s.muted}>
          <b>All measurements:</b> {level.measurements.map((m) => `${formatMeasurement(m)} (${m.method})`).join('; ')}
        </div>
      )}
    </div>
  );
}
