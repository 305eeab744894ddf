/**
 * A reader's changes in a stored report (its SR read back), carried over to a new analysis so that analysing a
 * study again does not lose them: the level names (a shift, or the confirmation of names the software marked
 * uncertain) and every finding the reader set. Offered only for the same series analysed by the same model and
 * software version — the analysis is then deterministic, so the software's own names and grades are the stored
 * report's, and a stored name refers to the same disc. Pure functions on SpineReport.
 */
import type { Finding, SpineReport, StoredSrRef } from '../pipeline/report';
import { applyReaderEdit, confirmLevels, FINDING_CHOICES, FINDING_KEYS, READER_CONFIRMED_NOTE, READER_NAMED_NOTE, shiftLevelName, shiftLevels, type FindingKey } from './readerEdits';

type Value = string | number | boolean;

/**
 * One finding the reader set in the stored report (value null: set to not assessable). softwareValue: the value is the
 * software's own, as where the reader undid an earlier version's change (changesSince); applying it undoes that change.
 */
export interface StoredFindingChange { level: string; key: FindingKey; value: Value | null; text: string; softwareValue?: true }

/** What of the stored report's reader changes the current report does not reflect yet. */
export interface PendingStoredChanges {
  /** Level-name shift to apply (vertebrae; +1 = one lower), 0 when the names agree. */
  shift: number;
  /** The shift sets the report's names back to the software's. */
  toSoftwareNames?: true;
  /** The reader had confirmed level names the software marks uncertain. */
  confirm: boolean;
  /** Findings to set, at levels the report has. */
  findings: StoredFindingChange[];
  /** Stored findings at levels the report lacks (texts): they cannot be carried over. */
  unmatched: string[];
  /** The stored SR the changes come from (the stored report's fromStoredSr): the new result names it as its predecessor. */
  fromStoredSr?: StoredSrRef;
}

/** Why the stored report's changes cannot be carried over to `report`; null when they can. */
export function carryOverRefusal(report: SpineReport, stored: SpineReport): string | null {
  if (stored.seriesInstanceUid !== report.seriesInstanceUid) return 'it was made on another series';
  // A report read from an SR holds only the first 32 hex digits of the model's sha256: compared as a prefix.
  const { name, version, sha256 } = stored.model, own = report.model.sha256;
  if (name !== report.model.name || version !== report.model.version || !(own.startsWith(sha256) || sha256.startsWith(own))) {
    return `it was made by another model (${name} ${version})`;
  }
  if (stored.software.version !== report.software.version) return `it was made by another software version (${stored.software.version})`;
  // Names the reader did not set must agree, or a stored level name would not mean the same disc.
  if (!stored.levelNaming.note.startsWith(READER_NAMED_NOTE) && levelShiftTo(report, stored) !== 0) return 'its level names differ from this analysis\'s';
  return null;
}

/**
 * Why a reader's changes to stored version `base` cannot be offered for a newer version stored since; null when they
 * can. A level name in them means the same disc only where the newer version names the levels as `base` did.
 */
export function newerVersionRefusal(newer: SpineReport, newerVersion: number, base: SpineReport): string | null {
  const names = (r: SpineReport) => r.levels.map((l) => l.level).join(' ');
  return names(newer) === names(base) ? null : `version ${newerVersion} names the levels otherwise, so a level name in them may not mean the same disc`;
}

/**
 * Whether newer version `newer` holds every change a kept draft (`draft`, made on stored version `base`) made since
 * `base`, so that the draft has nothing left to offer (useOlderVersionDraft.ts drops it): the reader made the same
 * changes again by hand on the newer version and saved them, or another reader made them. Never where the newer
 * version names the levels otherwise (the offer then says why the changes are not carried) or the draft holds
 * corrected outlines (the offer says they are not restored).
 */
export function newerVersionHoldsDraft(newer: SpineReport, newerVersion: number, draft: SpineReport, base: SpineReport, draftHasOutlines: boolean): boolean {
  return !draftHasOutlines && !newerVersionRefusal(newer, newerVersion, base) && !hasPendingChanges(pendingStoredChanges(newer, changesSince(draft, base)));
}

/**
 * The reader's changes in `changed` made since `base`, the stored version they were made on, as a report whose reader
 * changes are those only: a finding the reader had set already in `base`, at the same value, no longer counts as one,
 * and names as `base` had them count as the software's. A change of `base` the reader undid (a finding set back to the
 * software's value, names set back to the software's) counts as one: the finding stays reader-set at the software's
 * value (StoredFindingChange softwareValue), and the names are marked as the reader's naming, so that pendingStoredChanges
 * shifts a newer version named as `base` was back to them. For a newer version stored since, which holds `base`'s own
 * changes or replaced them on purpose. The result names no stored SR: the newer version stays the one revised.
 */
export function changesSince(changed: SpineReport, base: SpineReport): SpineReport {
  const { fromStoredSr: _, ...report } = changed;
  const renamed = changed.levelNaming.note !== base.levelNaming.note;
  // Renamed since base (or set back to the software's names): a level of `changed` was stored in `base` under its name before the shift.
  const shift = renamed ? levelShiftTo(base, changed) : 0;
  const levels = changed.levels.map((l) => {
    const before = base.levels.find((b) => b.level === shiftLevelName(l.level, -shift));
    const since = FINDING_KEYS.flatMap((key): [FindingKey, Finding<Value | null>][] => {
      const now = l[key] as Finding<Value | null> | undefined, was = before?.[key] as Finding<Value | null> | undefined;
      if (!now || !was?.readerModified) return [];
      if (now.readerModified) return was.value === now.value ? [[key, { ...now, readerModified: false }]] : [];
      return [[key, { ...now, readerModified: true, automaticValue: now.value }]]; // undone since base
    });
    return since.length ? { ...l, ...Object.fromEntries(since) } : l;
  });
  // Names set back to the software's are the reader's naming here, so that they are carried over (pendingStoredChanges).
  const setBack = shift !== 0 && !changed.levelNaming.note.startsWith(READER_NAMED_NOTE);
  const note = setBack ? `${READER_NAMED_NOTE}: set back to the software's names` : renamed ? changed.levelNaming.note : '';
  return { ...report, levels, levelNaming: { ...changed.levelNaming, note } };
}

/** The findings the reader set in a stored report, as 'L4/L5 Pfirrmann grade III'. */
export function storedFindingChanges(stored: SpineReport): StoredFindingChange[] {
  return stored.levels.flatMap((l) => FINDING_KEYS.flatMap((key) => {
    const f = l[key] as Finding<Value | null> | undefined;
    if (!f?.readerModified) return [];
    const c = FINDING_CHOICES[key], software = f.automaticValue !== undefined && f.value === f.automaticValue;
    const text = `${l.level} ${c.label} ${f.value === null ? 'not assessable' : c.show(f.value)}${software ? ' (the software\'s value again)' : ''}`;
    return [{ level: l.level, key, value: f.value, text, ...(software ? { softwareValue: true as const } : {}) }];
  }));
}

/**
 * The shift (−2…+2 vertebrae) that maps `report`'s level names onto the stored ones: the one under which most
 * names coincide, the smallest shift on a tie. Stored names that differ from a deterministic re-analysis were
 * set by the reader (readerEdits.ts shiftLevels).
 */
export function levelShiftTo(report: SpineReport, stored: SpineReport): number {
  const storedNames = new Set(stored.levels.map((l) => l.level));
  let best = 0, bestHits = -1;
  for (const shift of [0, 1, -1, 2, -2]) {
    const hits = report.levels.filter((l) => storedNames.has(shiftLevelName(l.level, shift) ?? '')).length;
    if (hits > bestHits) { best = shift; bestHits = hits; }
  }
  return best;
}

/** The stored reader changes `report` does not reflect yet (shift 0, confirm false, no findings when it reflects them all). */
export function pendingStoredChanges(report: SpineReport, stored: SpineReport): PendingStoredChanges {
  // Only what the reader did: a renaming (the note says so) and a confirmation.
  const shift = stored.levelNaming.note.startsWith(READER_NAMED_NOTE) ? levelShiftTo(report, stored) : 0;
  const confirm = shift === 0 && stored.levelNaming.note.startsWith(READER_CONFIRMED_NOTE) && !report.levelNaming.certain;
  const findings: StoredFindingChange[] = [], unmatched: string[] = [];
  for (const c of storedFindingChanges(stored)) {
    const level = report.levels.find((l) => l.level === shiftLevelName(c.level, -shift));
    const f = level?.[c.key] as Finding<Value | null> | undefined;
    if (!f) unmatched.push(c.text);
    else if (!(f.value === c.value && (f.readerModified || c.softwareValue))) findings.push(c);
  }
  const toSoftwareNames = shift !== 0 && (report.levelNaming.automatic?.shift ?? 0) + shift === 0;
  return { shift, ...(toSoftwareNames ? { toSoftwareNames } : {}), confirm, findings, unmatched, ...(stored.fromStoredSr ? { fromStoredSr: stored.fromStoredSr } : {}) };
}

/**
 * The pending changes as the reader reads them: 'level names shifted down by 1', 'level names set back to the
 * software's, shifted up by 1', 'level names confirmed', 'L4/L5 Pfirrmann grade V', 'L4/L5 Pfirrmann grade III (the
 * software's value again)'.
 */
export function pendingChangeTexts(p: PendingStoredChanges): string[] {
  return [
    ...(p.shift ? [`level names ${p.toSoftwareNames ? 'set back to the software\'s, ' : ''}shifted ${p.shift > 0 ? 'down' : 'up'} by ${Math.abs(p.shift)}`] : []),
    ...(p.confirm ? ['level names confirmed'] : []),
    ...p.findings.map((c) => c.text),
  ];
}

/** Whether anything is left to apply. */
export function hasPendingChanges(p: PendingStoredChanges): boolean {
  return p.shift !== 0 || p.confirm || p.findings.length > 0;
}

/**
 * Applies the pending stored changes: level names first (shift or confirm), then the findings at the levels of the same
 * name; the report then names the SR they come from (fromStoredSr), when they come from one.
 */
export function applyStoredChanges(report: SpineReport, pending: PendingStoredChanges): SpineReport {
  let r = pending.fromStoredSr && hasPendingChanges(pending) ? { ...report, fromStoredSr: pending.fromStoredSr } : report;
  if (pending.shift) r = shiftLevels(r, pending.shift);
  if (pending.confirm) r = confirmLevels(r);
  for (const c of pending.findings) r = applyReaderEdit(r, c.level, c.key, c.value);
  return r;
}
