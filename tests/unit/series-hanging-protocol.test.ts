/**
 * The Spine MRI hanging protocol's custom attributes pick the same series as the panel
 * (chooseSeries), and its stages go 1×3 → 1×2 → 1×1 in that order (OHIF takes the first stage
 * whose minViewportsMatched is met).
 */
import { ATTR_CHOSEN_AS, ATTR_SUITABLE, chosenRoles, registerSpineAttributes, spineFallbackHangingProtocol, spineHangingProtocol } from '../../extension/src/ohif/hangingProtocol';
import { displaySetToHeaders } from '../../extension/src/ohif/headers';
import type { DisplaySet, HangingProtocolService } from '../../types/ohif';

const SAG = [0, 1, 0, 0, 0, -1];
const AX = [1, 0, 0, 0, 1, 0];
const STUDY = '2.25.1';

function ds(uid: string, desc: string, iop: number[], te: number, tr: number, n = 15, extra: Record<string, unknown> = {}): DisplaySet {
  const instances = Array.from({ length: n }, (_, k) => ({ SOPInstanceUID: `${uid}.${k}`, ImageOrientationPatient: iop, EchoTime: te, RepetitionTime: tr, Modality: 'MR', PixelSpacing: [0.6, 0.6], ...extra }));
  return { displaySetInstanceUID: `ds-${uid}`, StudyInstanceUID: STUDY, SeriesInstanceUID: uid, SeriesDescription: desc, Modality: 'MR', numImageFrames: n, instances };
}

const sagT2 = ds('2.25.1.1', 't2_tse_sag_384', SAG, 96, 3500, 15, { MRAcquisitionType: '2D' });
const sagT1 = ds('2.25.1.2', 't1_tse_sag_320', SAG, 11, 550);
const axT2 = ds('2.25.1.3', 't2_tse_tra', AX, 104, 4800, 30);
const loc = ds('2.25.1.4', 'localizer', SAG, 4, 9, 3, { ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] });
const seg = { ...ds('2.25.1.5', 'Spine SEG', SAG, 0, 0, 1), Modality: 'SEG' };

describe('displaySetToHeaders', () => {
  it('reads the first instance and counts slices; flags mixed orientations', () => {
    const h = displaySetToHeaders(sagT2);
    expect(h).toMatchObject({ SeriesInstanceUID: '2.25.1.1', Modality: 'MR', EchoTime: 96, RepetitionTime: 3500, MRAcquisitionType: '2D', numberOfSlices: 15, orientationsDiffer: false });
    const mixed = { ...loc, instances: [...loc.instances!.slice(0, 2), { ...loc.instances![2], ImageOrientationPatient: AX }] };
    expect(displaySetToHeaders(mixed).orientationsDiffer).toBe(true);
  });
});

describe('chosenRoles (custom attribute spineMriChosenAs)', () => {
  const all = [loc, sagT1, axT2, sagT2, seg];
  it('marks the sagittal T2 as analysis + sagittal_t2, the others by their role, sagittal images as such, the localizer and SEG as nothing', () => {
    expect(chosenRoles(sagT2, all)).toEqual(['analysis', 'sagittal_t2', 'sagittal_image']);
    expect(chosenRoles(sagT1, all)).toEqual(['sagittal_t1', 'sagittal_image']);
    expect(chosenRoles(axT2, all)).toEqual(['axial_t2']);
    expect(chosenRoles(loc, all)).toEqual([]);
    expect(chosenRoles(seg, all)).toEqual([]);
  });
  it('makes the sagittal T1 the analysis series when there is no T2', () => {
    expect(chosenRoles(sagT1, [sagT1, axT2])).toEqual(['analysis', 'sagittal_t1', 'sagittal_image']);
  });
  it('marks a sagittal series of unknown weighting (the reader chooses it) only as a sagittal image', () => {
    const unknown = ds('2.25.1.6', 'SAG MR', SAG, 0, 0, 40);
    delete (unknown.instances![0] as Record<string, unknown>).EchoTime;
    expect(chosenRoles(unknown, [unknown, axT2])).toEqual(['sagittal_image']);
    expect(chosenRoles(axT2, [unknown, axT2])).toEqual(['axial_t2']);
  });
});

describe('registerSpineAttributes', () => {
  it('registers both attributes; the study attribute says whether anything can be analysed', () => {
    const callbacks: Record<string, (m: any, o: any) => unknown> = {};
    const hp = { addCustomAttribute: (id: string, _n: string, cb: (m: any, o: any) => unknown) => (callbacks[id] = cb) } as unknown as HangingProtocolService;
    registerSpineAttributes(hp);
    expect(Object.keys(callbacks).sort()).toEqual([ATTR_CHOSEN_AS, ATTR_SUITABLE].sort());
    expect(callbacks[ATTR_SUITABLE]({ StudyInstanceUID: STUDY }, { displaySets: [sagT2, axT2] })).toBe(true);
    expect(callbacks[ATTR_SUITABLE]({ StudyInstanceUID: STUDY }, { displaySets: [axT2, loc] })).toBe(false);
    expect(callbacks[ATTR_CHOSEN_AS](sagT1, { displaySets: [sagT2, sagT1] })).toEqual(['sagittal_t1', 'sagittal_image']);
  });
});

describe('spineHangingProtocol', () => {
  const p = spineHangingProtocol() as any;
  it('orders stages 1×3, 1×2 (T2+T1), 1×2 (T2+axial), 1×1, each enabled only when all its viewports match', () => {
    expect(p.stages.map((s: any) => s.name)).toEqual(['sagT2-sagT1-axT2', 'sagT2-sagT1', 'sagT2-axT2', 'analysis']);
    for (const s of p.stages) {
      expect(s.stageActivation.enabled.minViewportsMatched).toBe(s.viewports.length);
      expect(s.viewportStructure.properties).toEqual({ rows: 1, columns: s.viewports.length });
      for (const v of s.viewports) expect(p.displaySetSelectors[v.displaySets[0].id]).toBeDefined();
    }
    expect(p.stages[0].viewports.map((v: any) => v.displaySets[0].id)).toEqual(['sagittalT2', 'sagittalT1', 'axialT2']);
  });
  it('requires a suitable study and matches series through spineMriChosenAs', () => {
    expect(p.protocolMatchingRules[0]).toMatchObject({ attribute: ATTR_SUITABLE, required: true });
    expect(p.displaySetSelectors.sagittalT1.seriesMatchingRules[0]).toMatchObject({ attribute: ATTR_CHOSEN_AS, required: true, constraint: { contains: 'sagittal_t1' } });
  });
});

describe('spineFallbackHangingProtocol', () => {
  const p = spineFallbackHangingProtocol() as any;
  it('matches only studies the Spine MRI protocol does not (nothing chosen automatically)', () => {
    expect(p.protocolMatchingRules).toEqual([expect.objectContaining({ attribute: ATTR_SUITABLE, required: true, constraint: { equals: { value: false } } })]);
  });
  it('shows one series, preferring a sagittal one, at its middle image', () => {
    expect(p.stages).toHaveLength(1);
    const [v] = p.stages[0].viewports;
    expect(v.viewportOptions.initialImageOptions).toEqual({ preset: 'middle' });
    const rules = p.displaySetSelectors[v.displaySets[0].id].seriesMatchingRules;
    expect(rules).toContainEqual(expect.objectContaining({ attribute: ATTR_CHOSEN_AS, constraint: { contains: 'sagittal_image' } }));
  });
});
