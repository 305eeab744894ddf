import { evenlySpacedRun } from '../../extension/src/pipeline/slice-run';

/** Positions (mm) of a stack of n slices `spacing` apart, without the slices at the given 0-based indices. */
const stack = (n: number, spacing: number, missing: number[] = []) => Array.from({ length: n }, (_, k) => -20 + k * spacing).filter((_, k) => !missing.includes(k));

describe('evenlySpacedRun', () => {
  it('takes a whole evenly spaced series, with its spacing and no note', () => {
    expect(evenlySpacedRun(stack(15, 4), '"SAG T2"')).toEqual({ start: 0, end: 15, spacingMm: 4 });
    const within10Percent = evenlySpacedRun([0, 4.3, 8.1, 12.2], '"SAG T2"');
    expect(within10Percent).toMatchObject({ start: 0, end: 4 });
    expect(within10Percent.note).toBeUndefined();
    expect(evenlySpacedRun([3], '"one slice"')).toEqual({ start: 0, end: 1 });
  });

  it('analyses the longer part of a series with one image missing, and says which slices and why', () => {
    const run = evenlySpacedRun(stack(15, 4, [3]), '"SAG T2"'); // 14 images; the gap lies between images 3 and 4
    expect(run).toMatchObject({ start: 3, end: 14, spacingMm: 4 });
    expect(run.note).toBe("Slices 4–14 of 14 analysed: the series' slices are 4 mm apart, but 8 mm between slices 3 and 4 (an image missing from the series?). Structures beyond the analysed slices are not measured.");
  });

  it('of two parts as long, takes the first', () => {
    expect(evenlySpacedRun([0, 3, 6, 9, 12, 18, 21, 24, 27, 30], '"S"')).toMatchObject({ start: 0, end: 5, spacingMm: 3 });
  });

  it('refuses images at the same position (two echoes in one series) and spacing uneven throughout, naming the series', () => {
    expect(() => evenlySpacedRun([0, 0, 4, 4, 8, 8], '"SAG PD/T2"')).toThrow(/^Series "SAG PD\/T2" has 3 images at the position of another .* not one volume/);
    expect(() => evenlySpacedRun([0, 1, 3, 6, 10, 15, 21], '"SAG T2"')).toThrow(/^Series "SAG T2": its slices are not evenly spaced \(usually \d+(\.\d+)? mm apart, but .* and \d+ more\), so it is not one volume and is not analysed\.$/);
  });
});
