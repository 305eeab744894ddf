/**
 * OHIF extension `ohif-spine-mri-extension`: registration only. Served as /plugins/extension.mjs
 * and loaded by OHIF 3.13 at runtime through the import map (see README, "Deploying").
 *
 * Module entries (OHIF names them `<id>.<moduleType>.<name>`):
 *   ohif-spine-mri-extension.panelModule.spineMri
 *   ohif-spine-mri-extension.hangingProtocolModule.ohif-spine-mri-hp
 */
import type { ExtensionParams, OhifExtension } from '../../types/ohif';
import { setOhifContext } from './ohif/context';
import { registerSpineAttributes, spineHangingProtocol, SPINE_HP_ID } from './ohif/hangingProtocol';
import { hostInOwnRoot } from './ohif/reactBridge';
import { SpinePanel } from './panel/SpinePanel';

export const EXTENSION_ID = 'ohif-spine-mri-extension';
export const PANEL_NAME = 'spineMri';

const extension: OhifExtension = {
  id: EXTENSION_ID,
  version: '0.1.0',
  preRegistration(params: ExtensionParams) {
    setOhifContext(params);
    registerSpineAttributes(params.servicesManager.services.hangingProtocolService);
  },
  getPanelModule() {
    return [
      {
        name: PANEL_NAME,
        iconName: 'tab-linear',
        iconLabel: 'Spine',
        label: 'Spine MRI',
        component: hostInOwnRoot(SpinePanel, 'spine-mri-panel-host'),
      },
    ];
  },
  getHangingProtocolModule() {
    return [{ name: SPINE_HP_ID, protocol: spineHangingProtocol() }];
  },
};

export default extension;
