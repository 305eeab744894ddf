import { discGradesUnavailable } from '../../extension/src/panel/notices';
import type { Finding, LevelReport, PfirrmannGrade } from '../../extension/src/pipeline/report';

const level = (pfirrmannGrade: Partial<Finding<PfirrmannGrade>>) => ({ level: 'L4/L5', pfirrmannGrade: { value: null, readerModified: false, evidence: { measurements: [], rule: '', reference: '' }, ...pfirrmannGrade } }) as unknown as LevelReport;
const why = 'not assessable: the disc classifier could not be loaded (checksum)';

describe('discGradesUnavailable', () => {
  it('gives the shared reason once when no level has an automatic Pfirrmann grade', () => {
    expect(discGradesUnavailable([level({ notAssessableReason: why }), level({ notAssessableReason: why })])).toBe('the disc classifier could not be loaded (checksum)');
  });
  it('says nothing when any level is graded, when reasons differ, or when there are no levels', () => {
    expect(discGradesUnavailable([level({ notAssessableReason: why }), level({ value: 3 })])).toBeNull();
    expect(discGradesUnavailable([level({ notAssessableReason: why }), level({ notAssessableReason: 'not assessable: other' })])).toBeNull();
    expect(discGradesUnavailable([])).toBeNull();
  });
  it('leaves out levels the reader graded', () => {
    expect(discGradesUnavailable([level({ notAssessableReason: why }), level({ value: 2, readerModified: true, automaticValue: null })])).toBe('the disc classifier could not be loaded (checksum)');
  });
});
