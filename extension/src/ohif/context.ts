/**
 * The OHIF managers our extension was registered with. OHIF hands them to preRegistration once;
 * the panel (mounted in its own React root) reads them from here.
 */
import type { CommandsManager, ExtensionManager, ExtensionParams, ServicesManager } from '../../../types/ohif';

let current: ExtensionParams | undefined;

export function setOhifContext(p: ExtensionParams): void {
  current = p;
}

/** @throws Error when called before OHIF registered the extension. */
export function getOhifContext(): { servicesManager: ServicesManager; commandsManager: CommandsManager; extensionManager: ExtensionManager } {
  if (!current) throw new Error('Spine MRI extension used before OHIF registered it (preRegistration has not run).');
  return current;
}

/** The viewports of OHIF's grid that show a display set (its displaySetInstanceUID). */
export function viewportsShowing(displaySetInstanceUid: string): { viewportId: string; displaySetInstanceUIDs: string[] }[] {
  const { viewportGridService } = getOhifContext().servicesManager.services;
  return [...viewportGridService.getState().viewports.values()].filter((v) => v.displaySetInstanceUIDs?.includes(displaySetInstanceUid));
}

/** Runtime settings from app-config.js `window.config.spineMri`. */
export interface SpineMriConfig {
  /** Base URL of models/ (manifest.json + ONNX), e.g. '/models/'. */
  modelBaseUrl: string;
  /** Base URL of onnxruntime-web's dist/, e.g. '/ort/'. */
  ortBaseUrl: string;
  /**
   * onnxruntime-web wasm threads for the analysis worker (integer ≥ 1); absent: min(4,
   * navigator.hardwareConcurrency) when crossOriginIsolated, else 1 (pipeline/model.ts).
   */
  wasmThreads?: number;
}

export function getSpineMriConfig(): SpineMriConfig {
  const cfg = (globalThis as { config?: { spineMri?: Partial<SpineMriConfig> } }).config?.spineMri ?? {};
  const slash = (s: string) => (s.endsWith('/') ? s : `${s}/`);
  const t = cfg.wasmThreads;
  if (t !== undefined && !(Number.isInteger(t) && t >= 1)) throw new Error(`window.config.spineMri.wasmThreads must be an integer ≥ 1, got ${JSON.stringify(t)}`);
  return { modelBaseUrl: slash(cfg.modelBaseUrl ?? '/models/'), ortBaseUrl: slash(cfg.ortBaseUrl ?? '/ort/'), wasmThreads: t };
}
