/** Level names checked on the study's other sagittal series: discs matched by position, names compared, never changed. */
import { checkNamesOn, crossCheckedNaming, nameDifferences, partingPlaces, slabThrough } from '../../extension/src/pipeline/level-crosscheck';
import type { InferenceBackend } from '../../extension/src/pipeline/model';
import type { SegmentInfo } from '../../extension/src/pipeline/report';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelManifest } from '../../extension/src/pipeline/model';
import { makeVolume } from './dicom-fixtures';

const disc = (level: string, z: number, x = 0): SegmentInfo => ({ segmentNumber: 1, kind: 'disc', level, label: `${level} disc`, voxelCount: 100, centroidLps: [x, 10, z] });
const body = (level: string, z: number): SegmentInfo => ({ segmentNumber: 2, kind: 'vertebral_body', level, label: `${level} vertebral body`, voxelCount: 400, centroidLps: [0, 10, z] });
const T2 = [disc('L3/L4', 35), disc('L4/L5', 0), body('L5', -18), disc('L5/S1', -35)];
const NAMING = { anchor: 'sacrum' as const, certain: true, note: 'Counted upward from the sacrum.' };

describe('level names checked on another sagittal series', () => {
  it('matches discs within 10 mm and says how many vertebrae the other count names them lower', () => {
    const t1 = [disc('L4/L5', 36, 3), disc('L5/S1', 1), disc('S1/S2', -33), disc('T12/L1', 120)];
    expect(nameDifferences(T2, t1)).toEqual([
      { level: 'L3/L4', otherLevel: 'L4/L5', shift: 1 }, { level: 'L4/L5', otherLevel: 'L5/S1', shift: 1 }, { level: 'L5/S1', otherLevel: 'S1/S2', shift: 1 },
    ]);
    // A disc of the other series more than 10 mm away is no match.
    expect(nameDifferences(T2, [disc('L4/L5', 12)])).toEqual([]);
  });

  it('marks names the other count gives differently uncertain, saying how, and keeps them', () => {
    const t1 = [disc('L4/L5', 36), disc('L5/S1', 1), disc('S1/S2', -33)];
    const checked = crossCheckedNaming(NAMING, T2, t1, 'the sagittal T1 "T1 TSE SAG"');
    expect(checked.certain).toBe(false);
    expect(checked.anchor).toBe('sacrum');
    expect(checked.note).toBe('Counted upward from the sacrum. Counted the same way on the sagittal T1 "T1 TSE SAG", the discs are named 1 level lower (its S1/S2 is this series\' L5/S1): one of the two counts is wrong — count on a localiser or whole-spine image.');
    expect(crossCheckedNaming(NAMING, T2, [disc('L2/L3', 34), disc('L3/L4', -1)], 'T1').note).toContain('named 1 level higher (its L3/L4 is this series\' L4/L5)');
    expect(crossCheckedNaming(NAMING, T2, [disc('L4/L5', 34), disc('L3/L4', 0)], 'T1').note).toContain('named differently');
  });

  it('says where to look when the counts part only at the lowest disc', () => {
    // The other series shows no disc at this series' L5/S1 (its network missed it, or this one is not a disc).
    const noLowest = crossCheckedNaming(NAMING, T2, [disc('L4/L5', 36), disc('L5/S1', 1)], 'the sagittal T1');
    expect(noLowest.note).toContain("(its L5/S1 is this series' L4/L5): one of the two counts is wrong. They part at this series' L5/S1: that series shows no disc there. Check on the image whether it is a disc: if it is, that series missed it; if not (a sacral remnant, or tissue in front of the sacrum), every name here is 1 level too high.");
    expect(partingPlaces(T2, [disc('L4/L5', 36), disc('L5/S1', 1)])).toMatchObject([{ shownBy: 'analysed', discs: [{ level: 'L5/S1' }], lowest: true }]);
    // The other series shows a disc below this series' L5/S1, where this one has none.
    const lower = [disc('L2/L3', 35), disc('L3/L4', 0), disc('L4/L5', -35), disc('L5/S1', -68)];
    expect(crossCheckedNaming(NAMING, T2, lower, 'the sagittal T1').note).toContain("They part below this series' L5/S1: that series shows a disc 33 mm below it, where this series has none. Check on the image whether there is a disc there: if there is, this series missed it and every name here is 1 level too low; if not, that series took something else for a disc.");
    const twoLower = [disc('L1/L2', 35), disc('L2/L3', 0), disc('L3/L4', -35), disc('L4/L5', -68), disc('L5/S1', -100)];
    expect(crossCheckedNaming(NAMING, T2, twoLower, 'T1').note).toContain('shows 2 discs, the first 33 mm below it, where this series has none. Check on the image whether there are discs there: if there are, this series missed them and every name here is 2 levels too low');
    // Not when the unshared discs do not account for the difference (one disc, names two levels apart; the same discs
    // named apart, each count taking another body for S1): then only a count of the whole spine settles it.
    const twoApart = [disc('L1/L2', 35), disc('L2/L3', 0), disc('L3/L4', -35), disc('L4/L5', -68)];
    expect(partingPlaces(T2, twoApart)).toBeUndefined();
    expect(crossCheckedNaming(NAMING, T2, twoApart, 'T1').note).toMatch(/one of the two counts is wrong — count on a localiser or whole-spine image\.$/);
    expect(partingPlaces(T2, [disc('L4/L5', 36), disc('L5/S1', 1), disc('S1/S2', -34)])).toBeUndefined();
    // A disc a series named below S1 moves none of its names: the other's S1/S2 15 mm below this L5/S1 is no answer.
    expect(partingPlaces(T2, [disc('L4/L5', 36), disc('L5/S1', 1), disc('S1/S2', -50)])).toMatchObject([{ shownBy: 'analysed', discs: [{ level: 'L5/S1' }] }]);
  });

  it('says where to look when the counts part at a disc between shared ones, or at several places', () => {
    const T2long = [disc('L1/L2', 105), disc('L2/L3', 70), ...T2];
    // The other series shows no disc at this series' L3/L4: the names above it are one level apart, those below agree.
    const noL3L4 = [disc('L2/L3', 106), disc('L3/L4', 71), disc('L4/L5', 1), disc('L5/S1', -34)];
    expect(nameDifferences(T2long, noL3L4).map((p) => p.shift)).toEqual([1, 1, 0, 0]);
    expect(partingPlaces(T2long, noL3L4)).toMatchObject([{ shownBy: 'analysed', discs: [{ level: 'L3/L4' }], lowest: false }]);
    expect(crossCheckedNaming(NAMING, T2long, noL3L4, 'T1').note).toContain("They part at this series' L3/L4: that series shows no disc there. Check on the image whether it is a disc: if it is, that series missed it; if not, every name here above it is 1 level too high.");
    // The other series shows a disc between this series' L2/L3 and L3/L4: the names above it are one level apart.
    const extra = [disc('T12/L1', 105), disc('L1/L2', 71), disc('L2/L3', 52), disc('L3/L4', 36), disc('L4/L5', 1), disc('L5/S1', -34)];
    expect(nameDifferences(T2long, extra).map((p) => p.shift)).toEqual([-1, -1, 0, 0, 0]);
    expect(crossCheckedNaming(NAMING, T2long, extra, 'T1').note).toContain("They part below this series' L2/L3: that series shows a disc 18 mm below it, where this series has none. Check on the image whether there is a disc there: if there is, this series missed it and every name here above it is 1 level too low; if not, that series took something else for a disc.");
    // Two places: this series shows a disc the other lacks at L2/L3, and the other a disc 30 mm below this L5/S1.
    const two = [disc('L1/L2', 105), disc('L2/L3', 35), disc('L3/L4', 0), disc('L4/L5', -35), disc('L5/S1', -65)];
    expect(nameDifferences(T2long, two).map((p) => p.shift)).toEqual([0, -1, -1, -1]);
    expect(crossCheckedNaming(NAMING, T2long, two, 'T1').note).toContain(
      "They part in 2 places; check each on the image. 1) At this series' L2/L3: that series shows no disc there. Check whether it is a disc: if it is, that series missed it; if not, every name here above it is 1 level too high."
      + " 2) Below this series' L5/S1: that series shows a disc 30 mm below it, where this series has none. Check whether there is a disc there: if there is, this series missed it and every name here is 1 level too low; if not, that series took something else for a disc.");
  });

  it('leaves names alone where the other count agrees or matches no disc', () => {
    expect(crossCheckedNaming(NAMING, T2, [disc('L3/L4', 36), disc('L4/L5', -1)], 'T1')).toBe(NAMING);
    expect(crossCheckedNaming(NAMING, T2, [], 'T1')).toBe(NAMING);
  });

  it('segments only the other series\' slices through the analysed discs, as a volume of their own', () => {
    const v = makeVolume(); // 5 slices 3.5 mm apart along −x from x = −7.25
    const slab = slabThrough(v, [disc('L4/L5', 0, -14.25)])!; // slice k = 2
    expect(slab.dims).toEqual([v.dims[0], v.dims[1], 3]); // within 5 mm: k = 1..3
    expect(slab.originLps).toEqual([-10.75, v.originLps[1], v.originLps[2]]);
    expect(slab.sopInstanceUids).toEqual(v.sopInstanceUids.slice(1, 4));
    const perSlice = v.dims[0] * v.dims[1];
    expect(slab.voxels[0]).toBe(v.voxels[perSlice]);
    expect(slab.voxels.length).toBe(3 * perSlice);
    expect(slabThrough(v, [disc('L4/L5', 0, 40)])).toBeUndefined(); // no slice there
    // 1 mm slices: 5 of the 11 within 5 mm.
    const thin = { ...makeVolume(), dims: [24, 40, 20] as [number, number, number], spacingMm: [0.75, 0.8, 1] as [number, number, number], voxels: new Float32Array(24 * 40 * 20), sopInstanceUids: Array.from({ length: 20 }, (_, k) => `1.${k}`) };
    const five = slabThrough(thin, [disc('L4/L5', 0, -7.25 - 10)])!; // slice k = 10
    expect(five.sopInstanceUids).toEqual(['1.8', '1.9', '1.10', '1.11', '1.12']);
  });

  it('does not compare a series in another frame of reference (its positions mean nothing here)', async () => {
    const v = makeVolume();
    const refuse: InferenceBackend = { name: 'none', run: async () => { throw new Error('must not run'); }, release: async () => undefined } as unknown as InferenceBackend;
    expect(await checkNamesOn({ ...makeVolume(), frameOfReferenceUid: '1.2.3' }, v, [disc('L4/L5', 0, -14.25)], NAMING, refuse, {} as never)).toBe(NAMING);
    expect(await checkNamesOn(undefined, v, T2, NAMING, refuse, {} as never)).toBe(NAMING);
  });

  it('leaves the names as they are when the other series cannot be segmented, and passes a cancellation on', async () => {
    const v = makeVolume();
    const manifest = parseModelManifest(readFileSync(join(__dirname, '../../models/manifest.json'), 'utf8'));
    let runs = 0;
    const failing = { name: 'wasm', run: async () => { runs++; throw new Error('backend failed'); }, release: async () => undefined } as unknown as InferenceBackend;
    expect(await checkNamesOn({ ...makeVolume(), frameOfReferenceUid: v.frameOfReferenceUid }, v, [disc('L4/L5', 0, -14.25)], NAMING, failing, manifest)).toBe(NAMING);
    expect(runs).toBe(1);
    const cancelled = new AbortController();
    cancelled.abort(new Error('Analysis cancelled'));
    await expect(checkNamesOn({ ...makeVolume(), frameOfReferenceUid: v.frameOfReferenceUid }, v, [disc('L4/L5', 0, -14.25)], NAMING, failing, manifest, cancelled.signal)).rejects.toThrow(/cancelled/);
  });
});
