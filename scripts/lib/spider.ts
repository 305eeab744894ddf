/** SPIDER-style folder helpers (series.csv, gradings.csv, <patient>_<sequence>.png), shared by eval:grading and the Pfirrmann training export. */
import { readFileSync } from 'node:fs';

/** Rows of a plain comma-separated file with a header line (SPIDER's CSVs have no quoted commas). */
export function readCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const keys = head.split(',');
  return lines.map((l) => { const v = l.split(','); return Object.fromEntries(keys.map((k, n) => [k, v[n] ?? ''])); });
}

/** SPIDER IVD label (1 = most caudal disc = L5/S1 in a normally segmented spine) by level name. */
export const IVD_BY_LEVEL: Record<string, number> = { 'L5/S1': 1, 'L4/L5': 2, 'L3/L4': 3, 'L2/L3': 4, 'L1/L2': 5, 'T12/L1': 6, 'T11/T12': 7, 'T10/T11': 8, 'T9/T10': 9 };

/** Patient → fold 0..k−1 (patients sorted by number, dealt round-robin): the one fold assignment of every cross-validation here. */
export function patientFolds(patients: string[], k = 5): Map<string, number> {
  const ids = [...new Set(patients)].sort((a, b) => Number(a) - Number(b));
  return new Map(ids.map((p, n) => [p, n % k]));
}
