// A page's toast alone, without the scanner: injected into a tab that is not an enabled
// site when a call started from the context menu or the keyboard shortcut has news.
// Loaded once per page; later injections find the listener already there.

import { parseBackgroundMessage } from "../shared/page-messages";
import { showToast } from "./toast";

declare global {
  // eslint-disable-next-line no-var
  var __rolecallToast: boolean | undefined;
}

if (!globalThis.__rolecallToast && !globalThis.__rolecallPage) {
  globalThis.__rolecallToast = true;
  chrome.runtime.onMessage.addListener((raw: unknown, sender) => {
    if (sender.id !== chrome.runtime.id || sender.tab) return undefined;
    const message = parseBackgroundMessage(raw);
    if (message?.type === "rolecall:toast") showToast(document, message.kind, message.text);
    return undefined;
  });
}
