/**
 * Deterministic DICOM UIDs: the same source always gets the same UID, so importing twice creates
 * no duplicates in the PACS. Form: `2.25.<decimal of the first 128 bits of SHA-256("spine-mri:" + key)>`
 * (the 2.25 UUID-derived root, ISO/IEC 9834-8 / DICOM PS3.5 Annex B.2); at most 44 characters.
 */
import { createHash } from 'node:crypto';

/** UID for a stable key such as `nifti:vb2_02:series`. */
export function deterministicUid(key: string): string {
  const hex = createHash('sha256').update('spine-mri:' + key).digest('hex').slice(0, 32);
  return '2.25.' + BigInt('0x' + hex).toString(10);
}
