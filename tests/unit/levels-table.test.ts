/** The per-level table as markup (react-dom/server): a level whose disc was inferred by rule is marked in its row. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { LevelsTable } from '../../extension/src/panel/ResultsView';
import { LevelDetail } from '../../extension/src/panel/LevelDetail';
import type { Finding, LevelReport, MeyerdingGrade, SegmentInfo } from '../../extension/src/pipeline/report';

const f = <T,>(value: T | null): Finding<T> => ({ value, evidence: { measurements: [], rule: '', reference: '' }, readerModified: false });
const level = (name: string, disc: number): LevelReport => ({
  level: name, discSegmentNumber: disc, measurements: [], pfirrmannGrade: f(3), discNarrowing: f(false), centralCanalStenosis: f('none'),
  foraminalStenosisLeft: f(0), foraminalStenosisRight: f(0), facetArthropathyLeft: f(null), facetArthropathyRight: f(null),
}) as unknown as LevelReport;
const disc = (n: number, name: string, inferred = false): SegmentInfo => ({ segmentNumber: n, kind: 'disc', level: name, label: `${name} disc`, voxelCount: 1, centroidLps: [0, 0, 0], ...(inferred ? { inferred: true as const } : {}) });

describe('LevelsTable', () => {
  it('marks the level whose disc was inferred by rule (†, with why), and only that one', () => {
    const html = renderToStaticMarkup(createElement(LevelsTable, { levels: [level('L3/L4', 1), level('L4/L5', 2)], segments: [disc(1, 'L3/L4'), disc(2, 'L4/L5', true)] }));
    const rows = html.split('<tr').filter((r) => /L[34]\/L[45]/.test(r));
    expect(rows.find((r) => r.includes('L4/L5'))).toMatch(/data-testid="spine-level-inferred"[^>]*>†</);
    expect(rows.find((r) => r.includes('L3/L4'))).not.toContain('†');
    expect(html).toMatch(/title="Disc not segmented by the network/);
  });
});

describe('LevelsTable Slip column', () => {
  const slip = (value: MeyerdingGrade | null, slipMm?: number, readerModified = false): LevelReport => ({
    ...level('L4/L5', 1),
    measurements: slipMm === undefined ? [] : [{ name: 'vertebralSlipMm', value: slipMm, unit: 'mm', method: '' }],
    spondylolisthesis: { ...f(value), readerModified, evidence: { measurements: [], rule: 'L4 lies 6.0 mm anterior to L5', reference: 'Meyerding' } },
  });
  const cell = (l: LevelReport) => renderToStaticMarkup(createElement(LevelsTable, { levels: [l], segments: [disc(1, 'L4/L5')] })).match(/data-testid="spine-slip">([^<]*)</)![1];

  it('shows the Meyerding grade with the measured direction, none, n/a, a reader change, and – for reports from before the measure', () => {
    expect(cell(slip(1, 6))).toBe('I ant');
    expect(cell(slip(2, -9))).toBe('II retro');
    expect(cell(slip(0, 1.2))).toBe('none');
    expect(cell(slip(null))).toBe('n/a');
    expect(cell(slip(1, undefined, true))).toBe('I*');
    expect(cell(level('L4/L5', 1))).toBe('–');
  });
});

describe('LevelsTable Facet column', () => {
  const cell = (l: LevelReport) => renderToStaticMarkup(createElement(LevelsTable, { levels: [l], segments: [disc(1, 'L4/L5')] })).match(/data-testid="spine-facets"[^>]*>(.*?)<\/td>/)![1].replace(/<[^>]+>/g, '');
  it('says n/a once when neither side was assessable, and shows both sides otherwise', () => {
    expect(cell(level('L4/L5', 1))).toBe('n/a');
    expect(cell({ ...level('L4/L5', 1), facetArthropathyLeft: f<0 | 1 | 2 | 3>(2), facetArthropathyRight: f<0 | 1 | 2 | 3>(null) })).toBe('2 / n/a');
    expect(cell({ ...level('L4/L5', 1), facetArthropathyLeft: { ...f<0 | 1 | 2 | 3>(null), readerModified: true } })).toBe('n/a* / n/a'); // a side the reader set to not assessable stays shown per side, marked as the reader's
  });
});

describe('LevelDetail', () => {
  it('says that disc herniation is not assessed, and why, at every level', () => {
    const html = renderToStaticMarkup(createElement(LevelDetail, { level: level('L4/L5', 1) })).replace(/<[^>]+>/g, ' ');
    expect(html).toMatch(/Disc herniation\s+not assessed\s+Disc herniation is not assessed by this software: .*AUC 0\.75/);
  });
});

describe('LevelsTable Disc column', () => {
  const withDisc = (over: Partial<LevelReport>): LevelReport => ({ ...level('L4/L5', 1), discBulging: f(false), modicChange: f(false), ...over });
  const cell = (l: LevelReport) => renderToStaticMarkup(createElement(LevelsTable, { levels: [l], segments: [disc(1, 'L4/L5')] }))
    .split('<tr')[2].split('<td')[3];
  const text = (l: LevelReport) => cell(l).replace(/<[^>]+>/g, '').replace(/^[^>]*>/, '');
  it('lists the findings present, and keeps one the reader set absent, struck out and marked', () => {
    expect(text(withDisc({ discBulging: f(true) }))).toBe('B');
    expect(text(withDisc({}))).toBe('none');
    const removed = withDisc({ discBulging: f(true), modicChange: { ...f(false), readerModified: true, automaticValue: true }, lowerEndplateDefect: f(true) });
    expect(text(removed)).toBe('B M* E↓'); // in its place, in the legend's order N B M E↑ E↓
    expect(cell(removed)).toMatch(/aria-label="Modic change absent \(reader\)"><s>M<\/s>\*/);
    expect(cell(removed)).toContain('Modic change: no (reader)');
    // Nothing present: the reader's removal still shows (it read 'none*' before, which hid which finding changed).
    expect(text(withDisc({ modicChange: { ...f(false), readerModified: true, automaticValue: true } }))).toBe('M*');
  });
});
