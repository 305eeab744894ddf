import { findingsText, UNCERTAIN_NAMES_LINE } from '../../extension/src/panel/findingsText';
import { canalLineLabel } from '../../extension/src/ohif/canalOverlay';
import { applyReaderEdit } from '../../extension/src/panel/readerEdits';
import type { Finding, LevelReport, SpineReport } from '../../extension/src/pipeline/report';

const f = <T,>(value: T | null, notAssessableReason?: string): Finding<T> => ({ value, notAssessableReason, evidence: { measurements: [], rule: '', reference: '' }, readerModified: false });
const level = (name: string, over: Partial<LevelReport> = {}): LevelReport => ({
  level: name, measurements: [],
  pfirrmannGrade: f(3), discNarrowing: f(false), discBulging: f(false), modicChange: f(false),
  centralCanalStenosis: f<'none' | 'mild' | 'moderate' | 'severe'>('none'),
  foraminalStenosisLeft: f<0 | 1 | 2 | 3>(0), foraminalStenosisRight: f<0 | 1 | 2 | 3>(null, 'not assessable: right foramen: no nerve root seen'),
  facetArthropathyLeft: f<0 | 1 | 2 | 3>(null, 'not assessable: no axial T2 series in this study'),
  facetArthropathyRight: f<0 | 1 | 2 | 3>(null, 'not assessable: no axial T2 series in this study'),
  ...over,
});
const report = {
  software: { name: 'ohif-spine-mri', version: '0.1.0' }, model: { name: 'spine-sag-unet', version: '1.0.0', sha256: '' },
  levelNaming: { anchor: 'sacrum', certain: true, note: 'Counted upward from the sacrum.' },
  levels: [
    level('L2/L3', { centralCanalStenosis: f<'none' | 'mild' | 'moderate' | 'severe'>(null, 'not assessable: no CSF'), foraminalStenosisLeft: f<0 | 1 | 2 | 3>(null, 'x') }),
    level('L3/L4'),
    level('L4/L5', {
      discBulging: f(true), modicChange: f(true), upperEndplateDefect: f(false), lowerEndplateDefect: f(true),
      centralCanalStenosis: f<'none' | 'mild' | 'moderate' | 'severe'>('moderate'),
      measurements: [{ name: 'canalApDiameterMm', value: 9.14, unit: 'mm', method: '' }, { name: 'duralSacAreaMm2', value: 84.4, unit: 'mm2', method: '' }],
    }),
  ],
} as unknown as SpineReport;

describe('findingsText', () => {
  it('writes one line per level with grades, present disc findings and the measurements behind the canal grade', () => {
    const lines = findingsText(report).split('\n');
    expect(lines[0]).toMatch(/^Spine MRI, automated findings for review/);
    expect(lines).toContain('L3/L4: Pfirrmann III; canal no stenosis; foramina Lee L 0 / R n/a.');
    // Not assessed here but elsewhere: said at the level, not left out (a gap would read as normal).
    expect(lines).toContain('L2/L3: Pfirrmann III; canal not assessed; foramina not assessed.');
    expect(lines).toContain('L4/L5: Pfirrmann III, bulging, Modic change, L5 superior endplate defect; canal moderate stenosis (9.1 mm AP, 84 mm² dural sac); foramina Lee L 0 / R n/a.');
    // A grade no level has is said once, with why; then software and model.
    expect(lines).toContain('Facet arthropathy (Pathria) not assessed: no axial T2 series in this study.');
    // Herniation is never graded: said, so that a level listing no disc finding does not read as free of herniation.
    expect(lines).toContain('Disc herniation not assessed by the software: look for it on the images.');
    expect(lines[lines.length - 1]).toBe('ohif-spine-mri 0.1.0, model spine-sag-unet 1.0.0.');
  });
  it('marks reader changes with * and puts the naming caveat first when names are uncertain', () => {
    const edited = applyReaderEdit({ ...report, levelNaming: { anchor: 'assumed_lowest_is_L5', certain: false, note: 'The sacrum was not identified.' } }, 'L3/L4', 'pfirrmannGrade', 5);
    const lines = findingsText(edited).split('\n');
    expect(lines[1]).toBe(UNCERTAIN_NAMES_LINE);
    expect(findingsText(report)).not.toContain('Level names uncertain');
    expect(lines).toContain('L3/L4: Pfirrmann V*; canal no stenosis; foramina Lee L 0 / R n/a.');
  });
  it('says "not assessable*" where the reader set a grade to not assessable, never leaving it out', () => {
    let edited = applyReaderEdit(report, 'L3/L4', 'pfirrmannGrade', null);
    edited = applyReaderEdit(edited, 'L3/L4', 'centralCanalStenosis', null);
    edited = applyReaderEdit(edited, 'L3/L4', 'foraminalStenosisLeft', null);
    expect(findingsText(edited).split('\n')).toContain('L3/L4: Pfirrmann not assessable*; canal not assessable*; foramina Lee L n/a* / R n/a.');
  });
});

describe('findingsText, a grade no level has', () => {
  const one = (l: Partial<LevelReport>) => findingsText({ ...report, levels: [level('L4/L5', l)] } as SpineReport).split('\n');
  it('gives one reason for both sides where they differ only in the side they name', () => {
    const side = (s: string) => f<0 | 1 | 2 | 3>(null, `not assessable: ${s} foramen: no slice 14–26 mm to the ${s} of the disc centre (series too narrow or slices too thick)`);
    expect(one({ foraminalStenosisLeft: side('left'), foraminalStenosisRight: side('right') }))
      .toContain('Foraminal stenosis (Lee) not assessed: no slice 14–26 mm to either side of the disc centre (series too narrow or slices too thick).');
    const facet = (s: string) => f<0 | 1 | 2 | 3>(null, `not assessable: ${s} facet grading on the axial T2 is not implemented`);
    expect(one({ facetArthropathyLeft: facet('left'), facetArthropathyRight: facet('right') }))
      .toContain('Facet arthropathy (Pathria) not assessed: facet grading on the axial T2 is not implemented.');
  });
  it('keeps the first side\'s reason where the sides differ', () => {
    expect(one({ foraminalStenosisLeft: f<0 | 1 | 2 | 3>(null, 'not assessable: left foramen: no fat'), foraminalStenosisRight: f<0 | 1 | 2 | 3>(null, 'not assessable: right foramen: no root') }))
      .toContain('Foraminal stenosis (Lee) not assessed: left foramen: no fat.');
  });
  it('gives the reason of a level the grade applies to, not that of a thoracic level listed first', () => {
    const foramina = (why: string) => ({ foraminalStenosisLeft: f<0 | 1 | 2 | 3>(null, `not assessable: ${why}`), foraminalStenosisRight: f<0 | 1 | 2 | 3>(null, `not assessable: ${why}`) });
    const lines = findingsText({ ...report, levels: [
      level('T11/T12', foramina('T11/T12 is not a lumbar level (the foramen measurement and Lee grade are lumbar)')),
      level('L4/L5', foramina('a single-slice series has no parasagittal slices')),
    ] } as SpineReport).split('\n');
    expect(lines).toContain('Foraminal stenosis (Lee) not assessed: a single-slice series has no parasagittal slices.');
  });
});

describe('canalLineLabel (the canal AP line drawn on the image)', () => {
  it('names the axial area beside the AP where one was measured, since the area then decides the grade', () => {
    expect(canalLineLabel(report.levels[2])).toBe('L4/L5 canal AP 9.1 mm, axial area 84 mm² · moderate');
    const apOnly = level('L5/S1', {
      centralCanalStenosis: { ...f<'none' | 'mild' | 'moderate' | 'severe'>('severe'), readerModified: true },
      measurements: [{ name: 'canalApDiameterMm', value: 8, unit: 'mm', method: '' }],
    });
    expect(canalLineLabel(apOnly)).toBe('L5/S1 canal AP 8.0 mm · severe*');
  });
});
