// The background entry point: a Chromium service worker, a Firefox event page. It
// wires the host connection, the UI bridge, the toolbar button, the sites Rolecall runs
// on, calls placed from pages and from selections together, connects at start-up, and
// exposes a handle for automated tests. All listeners are added at the top level, as
// MV3 requires for events to wake the worker.
//
// An open native port keeps a Chromium MV3 service worker alive (Chrome 105+), so once
// connected the worker stays up; when the host is missing the worker may be stopped
// while it waits to retry, and it connects again when anything wakes it (a UI page
// connecting, browser start-up, an install or update).

import { createLogger } from "./logger";
import { browserLabel, currentBrowser } from "./browser-info";
import { HostConnection, type NativePort } from "./host-connection";
import { UiBridge, type UiPort } from "./ui-bridge";
import { setUpToolbarButton } from "./toolbar";
import { Sites } from "./sites";
import { PageCalls } from "./page-calls";
import { DialConfirmations } from "./dial-confirm";
import { SelectionCalls } from "./selection-call";
import { listenForRuntimeMessages } from "./runtime-messages";
import { PanelOpener } from "./panel-opener";
import { listenForCallCommands, runCommand, type CallCommand, type CommandAction } from "./call-commands";
import { InboundNotifier } from "./inbound-notifier";
import { TransferNotifier, notificationId } from "./transfer-notifier";
import { browserSurface } from "./system-notifications";
import { requestPageStats, type ScanStats } from "../shared/page-messages";
import type { SiteInfo } from "../shared/site-info";
import type { ConnectionState } from "../shared/state";
import type { LogEntry } from "./logger";

const logger = createLogger();
const browser = currentBrowser();
// version_name carries a pre-release's full version (e.g. "0.2.0rc1"); Chromium only.
const manifest = chrome.runtime.getManifest();
const extensionVersion = manifest.version_name ?? manifest.version;

const host = new HostConnection({
  connectNative: (name) => chrome.runtime.connectNative(name) as unknown as NativePort,
  disconnectError: (port) => {
    // Chromium reports why a port closed in runtime.lastError, Firefox in port.error.
    const lastError = chrome.runtime.lastError?.message;
    const portError = (port as { error?: { message?: string } | null }).error?.message;
    return lastError ?? portError ?? undefined;
  },
  client: { name: "rolecall-extension", version: extensionVersion, browser: browserLabel(browser) },
  browser: browser.family,
  logger,
});

const dials = new DialConfirmations(logger);
const bridge = new UiBridge({
  host,
  logger,
  dials,
  extensionId: chrome.runtime.id,
  extensionOrigin: chrome.runtime.getURL(""),
});

chrome.runtime.onConnect.addListener((port) => {
  if (bridge.accept(port as unknown as UiPort)) host.start();
});
const sites = new Sites(logger);
const panels = new PanelOpener(logger);
const pageCalls = new PageCalls(host, logger, dials);
const selectionCalls = new SelectionCalls(pageCalls, logger);
listenForRuntimeMessages(sites, pageCalls, panels, logger);
selectionCalls.listen();
listenForCallCommands(host, panels, logger);
const inbound = new InboundNotifier(host, panels, logger, browser.family !== "firefox");
const transfers = new TransferNotifier(
  host,
  browserSurface(),
  () => panels.open(undefined, chrome.windows?.WINDOW_ID_CURRENT),
  logger,
  browser.family !== "firefox",
);
setUpToolbarButton(sites, panels, logger);
chrome.permissions.onAdded.addListener(() => void sites.sync());
chrome.permissions.onRemoved.addListener(() => void sites.sync());

chrome.runtime.onStartup.addListener(() => host.start());
chrome.runtime.onInstalled.addListener(() => {
  host.start();
  selectionCalls.createMenu();
  void sites.sync(true).catch((err: unknown) => logger.error("could not register the content script", String(err)));
});

/** The scanner's counters from each frame-0 content script in tabs whose URL matches. */
async function pageStats(urlPattern: string): Promise<ScanStats[]> {
  const tabs = await chrome.tabs.query({ url: urlPattern });
  const stats = await Promise.all(
    tabs.map((tab) =>
      tab.id === undefined
        ? null
        : requestPageStats(tab.id).catch(() => null),
    ),
  );
  return stats.filter((item): item is ScanStats => item !== null);
}

/**
 * For automated tests and benchmarks (Playwright evaluates in the service worker, or
 * in the Firefox background page):
 *
 *   globalThis.rolecall.host           the HostConnection: request(method, params,
 *                                      {timeoutMs}?) → Promise<result> (rejects with
 *                                      HostError {code, message, details}),
 *                                      onEvent(fn), onState(fn), reconnectNow(), stop(),
 *                                      start(), hello, diagnostics()
 *   globalThis.rolecall.state()        the ConnectionState every UI shows
 *   globalThis.rolecall.log()          recent log entries [{at, level, message, data?}]
 *   globalThis.rolecall.uiPorts()      how many UI pages are connected
 *   globalThis.rolecall.version        this extension's version
 *   globalThis.rolecall.browser        e.g. "chromium 156"
 *   globalThis.rolecall.sites          Sites: list(), enable(patterns), disable(patterns)
 *   globalThis.rolecall.pageStats(p)   the scanner's counters of tabs matching pattern p
 *   globalThis.rolecall.callSelection(text, tabId?)  what the menu item does
 *   globalThis.rolecall.selectionShortcut(tabId)  what the `call-selection` keys do
 *   globalThis.rolecall.command(name)  what a keyboard command does (answer-call,
 *                                      hang-up, toggle-mute, toggle-hold)
 *   globalThis.rolecall.notifications()  call ids with an incoming-call notification up
 *   globalThis.rolecall.transferNotifications()  request ids with a transfer notification up
 *   globalThis.rolecall.transferButton(requestId, index)  what a click on that
 *                                      notification's button does (0 Accept, 1 Decline)
 *
 * e.g. `await rolecall.host.request("ping", {echo: "hi"})`.
 */
export interface RolecallGlobal {
  host: HostConnection;
  state(): ConnectionState;
  log(): LogEntry[];
  uiPorts(): number;
  version: string;
  browser: string;
  sites: Sites;
  siteList(): Promise<SiteInfo[]>;
  pageStats(urlPattern: string): Promise<ScanStats[]>;
  callSelection(text: string, tabId?: number): Promise<void>;
  selectionShortcut(tabId: number): Promise<void>;
  command(name: Exclude<CallCommand, "open-panel">): Promise<CommandAction | null>;
  notifications(): string[];
  transferNotifications(): string[];
  transferButton(requestId: string, index: number): void;
}

declare global {
  // eslint-disable-next-line no-var
  var rolecall: RolecallGlobal;
}

globalThis.rolecall = {
  host,
  state: () => host.state(),
  log: () => logger.entries(),
  uiPorts: () => bridge.size,
  version: extensionVersion,
  browser: browserLabel(browser),
  sites,
  siteList: () => sites.list(),
  pageStats,
  callSelection: (text, tabId) => selectionCalls.call(text, tabId),
  selectionShortcut: (tabId) => selectionCalls.callSelectionIn(tabId),
  command: (name) => runCommand(host, name, logger),
  notifications: () => inbound.active(),
  transferNotifications: () => transfers.active(),
  transferButton: (requestId, index) => transfers.button(notificationId(requestId), index),
};

logger.info(`Rolecall ${extensionVersion} background started in ${browserLabel(browser)}`);
host.start();
