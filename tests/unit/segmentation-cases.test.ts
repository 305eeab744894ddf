import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { casesOf } from '../../scripts/lib/segmentation-cases';

describe('casesOf (the evaluation scripts\' --cases)', () => {
  const data = mkdtempSync(join(tmpdir(), 'cases-'));
  writeFileSync(join(data, 'cases.csv'), 'case,split,structure,levels\nvb1_02,dev,vertebral_body,\nvb2_02,dev,vertebral_body,\nvb3_05,dev,vertebral_body,\nvb3_06,val,vertebral_body,\nivd_11,dev,disc,\n');

  it('defaults to the T2 cases, takes case ids as given, and a set name as all of its cases', () => {
    expect(casesOf({ data })).toEqual(['vb2_02', 'ivd_11']);
    expect(casesOf({ data, cases: 'ivd_11,vb3_06' })).toEqual(['ivd_11', 'vb3_06']);
    expect(casesOf({ data, cases: 'vb1,vb3' })).toEqual(['vb1_02', 'vb3_05', 'vb3_06']);
  });

  it('refuses an entry that matches nothing, naming it', () => {
    expect(() => casesOf({ data, cases: 'vb3_99' })).toThrow(/--cases vb3_99: no such case or set in .*cases\.csv/);
    expect(() => casesOf({ data, cases: 'vb' })).toThrow(/--cases vb: no such case or set/);
  });
});
