/** The per-level table as markup (react-dom/server): a level whose disc was inferred by rule is marked in its row. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { LevelsTable } from '../../extension/src/panel/ResultsView';
import type { Finding, LevelReport, SegmentInfo } from '../../extension/src/pipeline/report';

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
