// Calling selected text: the context menu item "Call “…”" on any selection, and the
// keyboard shortcut (the `call-selection` command) for the selection in the active tab.
// Either works on any page, enabled site or not: choosing the item or pressing the keys
// grants access to that tab for the moment (activeTab), enough to read the selection
// and show the result.

import type { Logger } from "./logger";
import type { PageCalls } from "./page-calls";
import { dialableFromText } from "../shared/phone/dialable";
import { formatNumber } from "../shared/phone/format";
import { currentRegion } from "../shared/settings";

export const MENU_ID = "rolecall-call-selection";
export const COMMAND = "call-selection";
const SHOWN_SELECTION = 40;

function shortened(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > SHOWN_SELECTION ? `${oneLine.slice(0, SHOWN_SELECTION - 1)}…` : oneLine;
}

interface FocusedReading {
  focused: true;
  text: string;
}

/**
 * Runs in each frame: the frame where keys go (it has focus, and focus is not further
 * down in a child frame) answers with its selection; every other frame answers null
 * without reading its selection at all.
 */
function focusedSelection(): FocusedReading | null {
  const active = document.activeElement;
  const inChildFrame = active instanceof HTMLIFrameElement || active instanceof HTMLFrameElement;
  if (!document.hasFocus() || inChildFrame) return null;
  return { focused: true, text: globalThis.getSelection()?.toString() ?? "" };
}

function isFocusedReading(value: unknown): value is FocusedReading {
  const reading = value as FocusedReading | null;
  return typeof reading === "object" && reading !== null && reading.focused === true && typeof reading.text === "string";
}

export class SelectionCalls {
  constructor(
    private readonly calls: PageCalls,
    private readonly logger: Logger,
  ) {}

  /** Adds the menu item (menus persist; this runs at install and update). */
  createMenu(): void {
    chrome.contextMenus.removeAll(() => {
      chrome.contextMenus.create({ id: MENU_ID, title: "Call “%s”", contexts: ["selection"] }, () => {
        const error = chrome.runtime.lastError;
        if (error) this.logger.warn("could not add the context menu item", error.message);
      });
    });
  }

  listen(): void {
    chrome.contextMenus.onClicked.addListener((info, tab) => {
      if (info.menuItemId !== MENU_ID) return;
      void this.call(info.selectionText ?? "", tab?.id);
    });
    chrome.commands.onCommand.addListener((command, tab) => {
      if (command !== COMMAND) return;
      void this.callSelectionIn(tab?.id);
    });
  }

  /**
   * Reads the selection of the frame that has focus in the active tab, and calls it. Only
   * that frame's selection is read: a hidden frame's selection is never dialled.
   */
  async callSelectionIn(tabId: number | undefined): Promise<void> {
    if (tabId === undefined) {
      const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
      tabId = active?.id;
    }
    if (tabId === undefined) return;
    let selection = "";
    try {
      const results = await chrome.scripting.executeScript({
        target: { tabId, allFrames: true },
        func: focusedSelection,
      });
      const focused = results.filter((result) => isFocusedReading(result.result));
      // Exactly one frame is where keys go; none (or, oddly, more) means nothing to read.
      const reading = focused.length === 1 ? (focused[0]!.result as FocusedReading) : null;
      selection = reading?.text ?? "";
      if (focused.length > 1) this.logger.warn("more than one frame claims the focus; reading none");
    } catch (err) {
      this.logger.warn("could not read the selection", String(err));
      return;
    }
    await this.call(selection, tabId);
  }

  async call(selection: string, tabId: number | undefined): Promise<void> {
    const text = selection.slice(0, 256);
    if (!text.trim()) {
      if (tabId !== undefined) await this.calls.toast(tabId, "error", "Select a phone number to call it.");
      return;
    }
    const dialable = dialableFromText(text, await currentRegion());
    if (!dialable) {
      if (tabId !== undefined) await this.calls.toast(tabId, "error", `“${shortened(text)}” is not a phone number.`);
      return;
    }
    const display = dialable.e164 ? formatNumber(dialable.e164) : dialable.display;
    // Said first, so news of the call (it may fail at once) is what stays on screen.
    if (tabId !== undefined) await this.calls.toast(tabId, "info", `Calling ${display}…`);
    const reply = await this.calls.place({ target: text, record: null, snapshot: null, tabId });
    if (tabId !== undefined && reply.ok === "confirm") {
      await this.calls.toast(tabId, "info", `Confirm the call to ${display} in Rolecall's panel.`);
    } else if (tabId !== undefined && !reply.ok) {
      await this.calls.toast(tabId, "error", `Call failed: ${reply.error.message}`);
    }
  }
}
