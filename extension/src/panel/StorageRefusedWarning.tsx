/**
 * The panel's warning while the browser refuses to keep the reader's changes or an unsaved result (storage full,
 * IndexedDB disabled): they live in this page only, so a closed tab would lose them.
 */
import { useSyncExternalStore } from 'react';
import { onStorageRefusals, storageRefusals, type StorageRefusal } from '../store/storage-refusals';
import { s } from './styles';

/** The warning's sentence for the refusals standing; null when there are none. */
export function storageRefusedText(refusals: StorageRefusal[]): string | null {
  if (!refusals.length) return null;
  const whats = [...new Set(refusals.map((r) => r.what))];
  const reasons = [...new Set(refusals.map((r) => r.reason))];
  const list = whats.length > 1 ? `${whats.slice(0, -1).join(', ')} and ${whats[whats.length - 1]}` : whats[0];
  return `This browser did not keep ${list} (${reasons.join('; ')}). Until saved to the PACS they are in this page only: save before closing the tab.`;
}

export function StorageRefusedWarning() {
  const text = storageRefusedText(useSyncExternalStore(onStorageRefusals, storageRefusals));
  return text ? <div style={s.warn} data-testid="spine-storage-refused">⚠ {text}</div> : null;
}
