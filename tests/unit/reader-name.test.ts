/** The reader signed in to OHIF (OpenID Connect profile) named in the SRs saved from the viewer, and shown back. */
import { personShown, readerNameOf, savedBy } from '../../extension/src/ohif/readerName';
import { reportFingerprint } from '../../extension/src/panel/useSave';
import { makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

describe('reader name from the OHIF user', () => {
  it('makes a DICOM PN from the OIDC profile: family^given^middle, else name, else preferred_username', () => {
    expect(readerNameOf({ profile: { family_name: 'Doe', given_name: 'Jane', name: 'Dr Jane Doe' } })).toBe('Doe^Jane');
    expect(readerNameOf({ profile: { family_name: 'Doe', given_name: 'Jane', middle_name: 'M' } })).toBe('Doe^Jane^M');
    expect(readerNameOf({ profile: { given_name: 'Jane' } })).toBe('^Jane');
    expect(readerNameOf({ profile: { name: 'Jane Doe', preferred_username: 'jdoe' } })).toBe('Jane Doe');
    expect(readerNameOf({ profile: { preferred_username: 'jdoe' } })).toBe('jdoe');
  });

  it('drops the PN delimiters a name must not carry, and gives no name without a user', () => {
    expect(readerNameOf({ profile: { family_name: 'Doe^Smith', given_name: 'Jane=J\\' } })).toBe('Doe Smith^Jane J');
    for (const user of [undefined, null, {}, { profile: {} }, { profile: { name: '  ' } }, { profile: { name: 42 } }]) expect(readerNameOf(user)).toBeUndefined();
  });

  it('shows a PN as a name is read', () => {
    expect(personShown('Doe^Jane^M')).toBe('Jane M Doe');
    expect(personShown('Doe^Jane')).toBe('Jane Doe');
    expect(personShown('Jane Doe')).toBe('Jane Doe');
  });

  it('a saved report names the person saving it, never an earlier version\'s, and the same findings keep their fingerprint', () => {
    const v = makeVolume();
    const report = { ...makeReport(v, makeLabelmap(v)), reader: { name: 'Roe^Richard' } };
    expect(savedBy(report, 'Doe^Jane').reader).toEqual({ name: 'Doe^Jane' });
    expect('reader' in savedBy(report, undefined)).toBe(false);
    expect(reportFingerprint(savedBy(report, 'Doe^Jane'))).toBe(reportFingerprint(savedBy(report, undefined)));
  });
});
