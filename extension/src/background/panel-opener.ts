// Opening Rolecall's panel: Chromium's side panel or Firefox's sidebar. Both browsers
// allow it only while a user gesture is being handled (a toolbar click, a keyboard
// command, a click on a page's call button reaching us as a message), so `open` must be
// called before anything is awaited. Whether a page call opens the panel is a setting
// (`openPanelOnCall`, on unless turned off).

import type { Logger } from "./logger";
import { getSettings, onSettingsChanged } from "../shared/settings";

interface SidebarAction {
  open(): Promise<void>;
}

export class PanelOpener {
  private openOnCall = true;

  constructor(private readonly logger: Logger) {
    void getSettings().then((settings) => {
      this.openOnCall = settings.openPanelOnCall;
    });
    onSettingsChanged((settings) => {
      this.openOnCall = settings.openPanelOnCall;
    });
  }

  /** Opens the panel on `tabId` (or the window's) now; call it synchronously from a gesture. */
  open(tabId: number | undefined, windowId?: number): void {
    const sidePanel = (chrome as { sidePanel?: typeof chrome.sidePanel }).sidePanel;
    const g = globalThis as { browser?: { sidebarAction?: SidebarAction } };
    const sidebarAction = g.browser?.sidebarAction ?? (chrome as { sidebarAction?: SidebarAction }).sidebarAction;
    if (sidePanel?.open && (tabId !== undefined || windowId !== undefined)) {
      const target = tabId !== undefined ? { tabId } : { windowId: windowId as number };
      sidePanel.open(target).catch((err: unknown) => this.logger.warn("sidePanel.open failed", String(err)));
    } else if (sidebarAction) {
      sidebarAction.open().catch((err: unknown) => this.logger.warn("sidebarAction.open failed", String(err)));
    }
  }

  /** For a call placed from a page: opens the panel on that tab unless the user turned it off. */
  openForCall(tabId: number | undefined, windowId?: number): void {
    if (this.openOnCall) this.open(tabId, windowId);
  }
}
