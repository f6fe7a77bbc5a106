// Opening the side panel from the toolbar button: Chromium's sidePanel API opens it on
// action click by itself once told to; Firefox has sidebar_action, toggled from the
// action's click (a user gesture, which sidebarAction.toggle needs). Each API is
// feature-checked, since each browser lacks the other's.

import type { Logger } from "./logger";

interface SidebarAction {
  toggle(): Promise<void>;
}

export function setUpPanelOpening(logger: Logger): void {
  const sidePanel = (chrome as { sidePanel?: typeof chrome.sidePanel }).sidePanel;
  if (sidePanel?.setPanelBehavior) {
    sidePanel
      .setPanelBehavior({ openPanelOnActionClick: true })
      .catch((err: unknown) => logger.warn("sidePanel.setPanelBehavior failed", String(err)));
    return;
  }
  const g = globalThis as { browser?: { sidebarAction?: SidebarAction } };
  const sidebarAction = g.browser?.sidebarAction ?? (chrome as { sidebarAction?: SidebarAction }).sidebarAction;
  if (sidebarAction && chrome.action?.onClicked) {
    chrome.action.onClicked.addListener(() => {
      sidebarAction.toggle().catch((err: unknown) => logger.warn("sidebarAction.toggle failed", String(err)));
    });
  }
}
