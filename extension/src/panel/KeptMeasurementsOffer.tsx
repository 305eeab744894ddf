/**
 * Offers back the reader's own measurements (OHIF's Length, Angle, …) that were not stored in an SR when the reader
 * left this study for the study list (ohif/keptReaderMeasurements.ts): Restore draws them again, Discard forgets them.
 */
import { useState } from 'react';
import { discardKeptMeasurements, keptMeasurements, restoreKeptMeasurements } from '../ohif/keptReaderMeasurements';
import { s } from './styles';

/** The offer's sentence for `count` measurements kept at `keptAt` (ISO time). */
export function keptMeasurementsText(count: number, keptAt: string): string {
  const what = count === 1 ? '1 measurement' : `${count} measurements`;
  return `${what} you drew on this study ${count === 1 ? 'was' : 'were'} not stored in an SR when you left it (${new Date(keptAt).toLocaleString()}): this browser kept ${count === 1 ? 'it' : 'them'}.`;
}

export function KeptMeasurementsOffer({ studyInstanceUid }: { studyInstanceUid: string }) {
  const [kept, setKept] = useState(() => keptMeasurements(studyInstanceUid));
  const [error, setError] = useState<string>();
  if (!kept) return null;
  const restore = () => {
    try {
      const { stillKept } = restoreKeptMeasurements(studyInstanceUid);
      setKept(keptMeasurements(studyInstanceUid));
      setError(stillKept ? `${stillKept} could not be drawn again (their images are not loaded yet): still kept; press Restore again in a moment.` : undefined);
    } catch (e) {
      setError(`Could not draw them again: ${(e as Error).message}. They are still kept.`);
    }
  };
  return (
    <div style={s.warn} data-testid="spine-kept-measurements">
      ⚠ {keptMeasurementsText(kept.annotations.length, kept.keptAt)}
      <div style={{ display: 'flex', gap: 6, margin: '4px 0' }}>
        <button type="button" style={s.secondaryButton} data-testid="spine-kept-measurements-restore" onClick={restore} title="Draw them again; the Measurement panel lists them and stores them (Create SR)">
          Restore
        </button>
        <button type="button" style={s.secondaryButton} data-testid="spine-kept-measurements-discard" onClick={() => { discardKeptMeasurements(studyInstanceUid); setKept(undefined); }}>
          Discard
        </button>
      </div>
      {error && <div style={s.error}>{error}</div>}
    </div>
  );
}
