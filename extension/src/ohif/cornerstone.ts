/**
 * The cornerstone3D libraries of the running OHIF (never bundled here: two copies would not share
 * caches, metadata providers or rendering engines).
 */
import { getOhifContext } from './context';

export interface CornerstoneLibs {
  /** @cornerstonejs/core */
  core: any;
  /** @cornerstonejs/tools */
  tools: any;
}

/** @throws Error when OHIF's cornerstone extension is not loaded. */
export function getCornerstone(): CornerstoneLibs {
  const entry = getOhifContext().extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common');
  const libs = entry?.exports?.getCornerstoneLibraries?.();
  if (!libs?.cornerstone) throw new Error('OHIF cornerstone extension not available (@ohif/extension-cornerstone.utilityModule.common).');
  return { core: libs.cornerstone, tools: libs.cornerstoneTools };
}
