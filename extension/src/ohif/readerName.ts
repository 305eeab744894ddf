/**
 * The reader signed in to OHIF, named in the SRs saved from the viewer (Person Observer Name, TID 1003), so that a
 * grade marked "Modified by reader" says by whom. OHIF knows a user only when it signs in through OpenID Connect
 * (app-config `oidc`); without one the SR names no person, as before.
 */
import type { SpineReport } from '../pipeline/report';
import { getOhifContext } from './context';

/** The parts of an OpenID Connect profile (OIDC Core 1.0, standard claims) a name is made of. */
interface OidcProfile { family_name?: unknown; given_name?: unknown; middle_name?: unknown; name?: unknown; preferred_username?: unknown }

/** A PN component: the delimiters '^', '=' and '\' dropped, spaces collapsed, at most 64 characters (PS3.5 6.2). */
const component = (v: unknown): string => (typeof v === 'string' ? v.replace(/[\^=\\]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 64) : '');

/**
 * A DICOM person name ('Family^Given^Middle', PS3.5 6.2 PN) from an OHIF user: `user.profile`'s family_name /
 * given_name / middle_name, else its name, else its preferred_username (as one component); undefined when there is
 * no user or none of these.
 */
export function readerNameOf(user: unknown): string | undefined {
  const p = ((user as { profile?: OidcProfile } | null | undefined)?.profile ?? {}) as OidcProfile;
  const parts = [component(p.family_name), component(p.given_name), component(p.middle_name)];
  if (parts[0] || parts[1]) return parts.join('^').replace(/\^+$/, '');
  return component(p.name) || component(p.preferred_username) || undefined;
}

/** OHIF's signed-in reader (readerNameOf), undefined when none or OHIF cannot say. */
export function signedInReader(): string | undefined {
  try {
    return readerNameOf(getOhifContext().servicesManager.services.userAuthenticationService?.getUser?.());
  } catch {
    return undefined;
  }
}

/**
 * The report as saved by `reader`: the person it names is the one saving it, never one of an earlier version (whose
 * name a stored report read back carries), since a new version may hold this person's changes.
 */
export function savedBy(report: SpineReport, reader: string | undefined): SpineReport {
  const { reader: _earlier, ...rest } = report;
  return reader ? { ...rest, reader: { name: reader } } : rest;
}

/** A DICOM person name as the panel shows it: 'Doe^Jane^M' → 'Jane M Doe'; a one-component name as it is. */
export function personShown(pn: string): string {
  const [family = '', given = '', middle = ''] = pn.split('=')[0].split('^');
  return [given, middle, family].filter(Boolean).join(' ');
}
