/** Reader changes kept in this browser (store/reader-drafts.ts), for the panel. */
import { useCallback, useEffect, useState } from 'react';
import { dropReaderDraft, readerDraft, type ReaderDraft } from '../store/reader-drafts';
import { personShown } from '../ohif/readerName';

/**
 * The draft kept under `key` (none without a key), read again whenever `refresh` changes (a new result, a change), and
 * a discard that drops it from the browser.
 */
export function useKeptDraft(key: string | undefined, refresh: unknown): [ReaderDraft | undefined, () => void] {
  const [draft, setDraft] = useState<ReaderDraft>();
  useEffect(() => {
    let live = true;
    setDraft(undefined);
    if (key) readerDraft(key).then((d) => { if (live) setDraft(d); }, (e) => console.error('Spine MRI: could not read the changes kept in this browser', e));
    return () => { live = false; };
  }, [key, refresh]);
  const discard = useCallback(() => {
    setDraft(undefined);
    if (key) dropReaderDraft(key).catch((e) => console.error('Spine MRI: could not discard the kept changes', e));
  }, [key]);
  return [draft, discard];
}

/** When the draft's last change was made, as the reader's browser writes dates ('5 Dec 2026, 18:42'). */
export function keptAtText(d: ReaderDraft): string {
  return new Date(d.keptAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Whose the kept changes are, as the panel begins its sentence: 'Your changes', or 'Changes by Jane Doe' where OHIF
 * knew who made them and that is not the reader signed in now (a shared workstation).
 * @param signedIn the reader signed in now (ohif/readerName.ts signedInReader).
 */
export function whoseChanges(d: ReaderDraft, signedIn: string | undefined): string {
  return d.reader && d.reader !== signedIn ? `Changes by ${personShown(d.reader)}` : 'Your changes';
}
