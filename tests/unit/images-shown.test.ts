import { lastImagesShownIn, rememberImagesShown } from '../../extension/src/ohif/imagesShown';

/** A viewport grid and display sets just rich enough for imagesShown.ts: setting a viewport's display sets fires GRID_STATE_CHANGED. */
function fakeOhif() {
  const displaySets: Record<string, { displaySetInstanceUID: string; StudyInstanceUID: string; SeriesInstanceUID: string; Modality: string }> = {
    t2: { displaySetInstanceUID: 't2', StudyInstanceUID: 'A', SeriesInstanceUID: '1', Modality: 'MR' },
    t1: { displaySetInstanceUID: 't1', StudyInstanceUID: 'A', SeriesInstanceUID: '2', Modality: 'MR' },
    sr: { displaySetInstanceUID: 'sr', StudyInstanceUID: 'A', SeriesInstanceUID: '3', Modality: 'SR' },
    other: { displaySetInstanceUID: 'other', StudyInstanceUID: 'B', SeriesInstanceUID: '4', Modality: 'MR' },
  };
  const viewports = new Map<string, { viewportId: string; displaySetInstanceUIDs: string[] }>();
  const listeners: (() => void)[] = [];
  const services = {
    displaySetService: { getDisplaySetByUID: (uid: string) => displaySets[uid] } as any,
    viewportGridService: {
      EVENTS: { GRID_STATE_CHANGED: 'grid' },
      subscribe: (_e: string, cb: () => void) => { listeners.push(cb); return { unsubscribe: () => undefined }; },
      getState: () => ({ activeViewportId: 'v1', viewports }),
    } as any,
  };
  const show = (viewportId: string, uid: string) => { viewports.set(viewportId, { viewportId, displaySetInstanceUIDs: [uid] }); listeners.forEach((l) => l()); };
  return { services, show, displaySets };
}

describe('the MR series a viewport showed before the stored report took it over', () => {
  it('is the last MR series of that study shown there, not the report, not another viewport\'s', () => {
    const { services, show } = fakeOhif();
    rememberImagesShown(services);
    show('v1', 't2');
    show('v2', 't2');
    show('v1', 't1'); // the reader put the T1 there
    show('v1', 'sr'); // then opened the stored report in it
    expect(lastImagesShownIn('v1', 'A', services)).toBe('t1');
    expect(lastImagesShownIn('v2', 'A', services)).toBe('t2');
    expect(lastImagesShownIn('v3', 'A', services)).toBeUndefined();
  });
  it('is forgotten when it belongs to another study or is gone', () => {
    const { services, show, displaySets } = fakeOhif();
    rememberImagesShown(services);
    show('w1', 'other');
    show('w1', 'sr');
    expect(lastImagesShownIn('w1', 'A', services)).toBeUndefined(); // the report's study is A
    show('w2', 't1');
    delete (displaySets as Record<string, unknown>).t1;
    expect(lastImagesShownIn('w2', 'A', services)).toBeUndefined();
  });
});
