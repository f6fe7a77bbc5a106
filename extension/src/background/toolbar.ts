// The toolbar button: it opens Rolecall's panel (Chromium's side panel, Firefox's
// sidebar) and enables Rolecall on the site of the tab it was clicked in, asking the
// browser for that site's permission. Both need the click's user gesture, so both are
// started before anything is awaited. Each panel API is feature-checked, since each
// browser lacks the other's.

import type { Logger } from "./logger";
import type { PanelOpener } from "./panel-opener";
import type { Sites } from "./sites";

export function setUpToolbarButton(sites: Sites, panels: PanelOpener, logger: Logger): void {
  const sidePanel = (chrome as { sidePanel?: typeof chrome.sidePanel }).sidePanel;
  sidePanel
    ?.setPanelBehavior({ openPanelOnActionClick: false })
    .catch((err: unknown) => logger.warn("sidePanel.setPanelBehavior failed", String(err)));
  chrome.action.onClicked.addListener((tab) => {
    panels.open(tab.id, tab.windowId);
    const pattern = sites.patternFor(tab.url);
    if (!pattern) return;
    chrome.permissions
      .request({ origins: [pattern] })
      .then((granted) => (granted ? sites.enable([pattern]) : undefined))
      .catch((err: unknown) => logger.warn(`could not enable ${pattern}`, String(err)));
  });
}
