// Opening Rolecall's panel: Chromium's side panel or Firefox's sidebar. Both browsers
// allow it only while a user gesture is being handled (a toolbar click, a keyboard
// command, a click on a page's call button reaching us as a message), so `open` must be
// called before anything is awaited. Whether a page call opens the panel is a setting
// ("openPanelOnCall" in the "settings" object, on unless turned off).

import type { Logger } from "./logger";

interface SidebarAction {
  open(): Promise<void>;
}

const SETTINGS_KEY = "settings";

export class PanelOpener {
  private openOnCall = true;

  constructor(private readonly logger: Logger) {
    void chrome.storage.local
      .get(SETTINGS_KEY)
      .then((stored) => this.readSettings(stored[SETTINGS_KEY]))
      .catch(() => undefined);
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === "local" && changes[SETTINGS_KEY]) this.readSettings(changes[SETTINGS_KEY].newValue);
    });
  }

  private readSettings(value: unknown): void {
    const settings = value as { openPanelOnCall?: unknown } | undefined;
    this.openOnCall = settings?.openPanelOnCall !== false;
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
