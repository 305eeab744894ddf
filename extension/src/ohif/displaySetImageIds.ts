/**
 * A display set's imageIds, one per image (per frame of a multi-frame instance), in OHIF's order.
 */
import type { DisplaySet } from '../../../types/ohif';
import { getOhifContext } from './context';

/**
 * OHIF fills `displaySet.imageIds` when a viewport first loads the series, so a display set not loaded yet (Analyze
 * pressed as the study opens) has none: they come from the data source then, as OHIF's own SEG loader takes them, and
 * are kept on the display set, as that loader keeps them, so that OHIF's labelmap over them (showSegmentation.ts) has the same.
 * @returns [] when neither the display set nor the data source gives any.
 */
export function displaySetImageIds(ds: DisplaySet): string[] {
  if (ds.imageIds?.length) return ds.imageIds;
  const dataSource = getOhifContext().extensionManager.getActiveDataSource()?.[0] as { getImageIdsForDisplaySet?(d: DisplaySet): string[] } | undefined;
  const ids = dataSource?.getImageIdsForDisplaySet?.(ds) ?? [];
  if (ids.length) ds.imageIds = ids;
  return ids;
}
