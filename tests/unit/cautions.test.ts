/** The levels table's caution mark: read from the caution sentences the grading rules write, and shown beside those grades only. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { cautionsOf, splitCautions } from '../../extension/src/panel/cautions';
import { LevelDetail } from '../../extension/src/panel/LevelDetail';
import { colors } from '../../extension/src/panel/styles';
import { LevelsTable } from '../../extension/src/panel/ResultsView';
import { apSpreadCaution, AREA_AP_DISAGREE, gradeCentralCanal } from '../../extension/src/pipeline/grade/canal';
import { gradePfirrmann, threeDAcquisitionCaution } from '../../extension/src/pipeline/grade/pfirrmann';
import type { Finding, LevelReport, Measurement, SegmentInfo, StenosisGrade } from '../../extension/src/pipeline/report';

const outline = (value: number): Measurement => ({ name: 'discOutlineFraction', value, unit: '{ratio}', method: 'test' });
const pfirrmann = (fraction: number, acquisitionCaution?: string) => gradePfirrmann([0, 0.2, 0.6, 0.2, 0], [outline(fraction)], { name: 'cnn', ...(acquisitionCaution ? { acquisitionCaution } : {}) });

describe('cautionsOf', () => {
  it('finds each caution sentence the rules append, and nothing in a plain grade', () => {
    expect(cautionsOf(pfirrmann(0.9))).toEqual([]);
    expect(cautionsOf(pfirrmann(0.3))).toEqual([expect.stringMatching(/^Caution: the disc outline covers 30 % .*check the outline before trusting the grade$/)]);
    const both = cautionsOf(pfirrmann(0.3, threeDAcquisitionCaution(0.44, 0.62)));
    expect(both).toHaveLength(2);
    expect(both[1]).toMatch(/^Caution: a 3D T2 series/);
    expect(cautionsOf(gradeCentralCanal(9, [], null, undefined, false, 'L5/S1'))).toEqual([expect.stringMatching(/^Caution at L5\/S1: the normal canal narrows/)]);
    expect(cautionsOf(gradeCentralCanal(9, [], null, undefined, false, 'L4/L5'))).toEqual([]);
    expect(cautionsOf(gradeCentralCanal(14, [], 80))).toEqual([AREA_AP_DISAGREE]);
    const spread = gradeCentralCanal(11, []);
    expect(cautionsOf({ ...spread, evidence: { ...spread.evidence, rule: spread.evidence.rule + apSpreadCaution([8, 14]) } })).toEqual([expect.stringMatching(/^Caution: the dural sac's posterior wall is unclear .*which would grade severe to none: check the AP line on the image$/)]);
  });
  it('says nothing for a grade the reader changed or one not assessable', () => {
    const f = pfirrmann(0.3);
    expect(cautionsOf({ ...f, readerModified: true })).toEqual([]);
    expect(cautionsOf({ ...f, value: null })).toEqual([]);
    expect(cautionsOf(undefined)).toEqual([]);
  });
});

describe('LevelsTable caution mark', () => {
  const plain = <T,>(value: T): Finding<T> => ({ value, evidence: { measurements: [], rule: '', reference: '' }, readerModified: false });
  const level = (name: string, disc: number, canal: Finding<StenosisGrade>): LevelReport => ({
    level: name, discSegmentNumber: disc, measurements: [], pfirrmannGrade: pfirrmann(0.9), discNarrowing: plain(false), centralCanalStenosis: canal,
    foraminalStenosisLeft: plain(0), foraminalStenosisRight: plain(0), facetArthropathyLeft: plain(null), facetArthropathyRight: plain(null),
  }) as unknown as LevelReport;
  const disc = (n: number, name: string): SegmentInfo => ({ segmentNumber: n, kind: 'disc', level: name, label: `${name} disc`, voxelCount: 1, centroidLps: [0, 0, 0] });
  it('marks the canal grade that carries a caution, with the caution as its tooltip, and no other cell', () => {
    const html = renderToStaticMarkup(createElement(LevelsTable, {
      levels: [level('L4/L5', 1, gradeCentralCanal(9, [], null, undefined, false, 'L4/L5')), level('L5/S1', 2, gradeCentralCanal(9, [], null, undefined, false, 'L5/S1'))],
      segments: [disc(1, 'L4/L5'), disc(2, 'L5/S1')],
    }));
    const rows = html.split('<tr').filter((r) => /L[45]\/(L5|S1)/.test(r));
    expect(rows.find((r) => r.includes('L4/L5'))).not.toContain('spine-caution');
    const l5s1 = rows.find((r) => r.includes('L5/S1'))!;
    expect(l5s1.match(/spine-caution/g)).toHaveLength(1);
    expect(l5s1).toMatch(/data-testid="spine-canal"[^>]*>severe<span[^>]*title="Caution at L5\/S1: the normal canal narrows[^"]*"[^>]*data-testid="spine-caution">\?</);
  });
});

describe('LevelDetail cautions', () => {
  it('shows each caution on a line of its own, after the rule without it', () => {
    expect(splitCautions('AP 9 mm → severe. Caution at L5/S1: x. Caution: y')).toEqual({ rule: 'AP 9 mm → severe', cautions: ['Caution at L5/S1: x', 'Caution: y'] });
    expect(splitCautions('Caution: y')).toEqual({ rule: '', cautions: ['Caution: y'] });
    const canal = gradeCentralCanal(9, [], null, undefined, false, 'L5/S1');
    const l = { level: 'L5/S1', discSegmentNumber: 1, measurements: [], pfirrmannGrade: pfirrmann(0.9), centralCanalStenosis: canal } as unknown as LevelReport;
    const html = renderToStaticMarkup(createElement(LevelDetail, { level: l }));
    expect(html).toMatch(new RegExp(String.raw`data-testid="finding-centralCanalStenosis">.*?AP diameter 9\.0 mm &lt; 10 mm → absolute stenosis \(severe\)[^<]*confirm on the image<\/div><div style="color:${colors.warn}[^"]*" data-testid="finding-caution">⚠ Caution at L5\/S1: the normal canal narrows`));
    expect(html.match(/data-testid="finding-caution"/g)).toHaveLength(1); // the Pfirrmann grade has none
  });
});
