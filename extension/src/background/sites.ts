// The sites Rolecall runs on. A site is enabled when the browser granted its host
// permission and the user has not turned it off; the content script is registered at
// run time for exactly those sites, injected into their open tabs when one is enabled,
// and told to remove its buttons when one is disabled. Optional host permissions are
// asked for by a page the user clicked in (options, side panel, toolbar button); a
// development build also holds 127.0.0.1 and localhost from install, which can be
// turned off but not given back.

import type { Logger } from "./logger";
import { patternMatches, sitePattern } from "./match-pattern";
import { KNOWN_CRMS, type SiteInfo } from "../shared/site-info";
import { sendToPage, type PageDisable } from "../shared/page-messages";

export const CONTENT_SCRIPT_ID = "rolecall-page";
const CONTENT_SCRIPT_FILE = "content.js";
const DISABLED_KEY = "disabledSites";

function crmOf(pattern: string): string | null {
  return KNOWN_CRMS.find((crm) => crm.patterns.includes(pattern))?.id ?? null;
}

function isSitePattern(pattern: string): boolean {
  return /^(\*|https?):\/\/[^/]+\/\*$/.test(pattern);
}

export class Sites {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  /** Host patterns held from install (the manifest's `host_permissions`). */
  builtIn(): string[] {
    return (chrome.runtime.getManifest().host_permissions ?? []).filter(isSitePattern);
  }

  private async disabled(): Promise<string[]> {
    const stored = await chrome.storage.local.get(DISABLED_KEY);
    const value: unknown = stored[DISABLED_KEY];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  }

  private async granted(): Promise<string[]> {
    const all = await chrome.permissions.getAll();
    return (all.origins ?? []).filter(isSitePattern);
  }

  /** Every site granted, enabled or not, with the known CRMs' patterns not yet granted. */
  async list(): Promise<SiteInfo[]> {
    const [granted, disabled] = await Promise.all([this.granted(), this.disabled()]);
    const builtIn = new Set(this.builtIn());
    const sites: SiteInfo[] = granted.map((pattern) => ({
      pattern,
      enabled: !disabled.includes(pattern),
      builtIn: builtIn.has(pattern),
      crm: crmOf(pattern),
    }));
    for (const crm of KNOWN_CRMS) {
      for (const pattern of crm.patterns) {
        if (!granted.includes(pattern)) sites.push({ pattern, enabled: false, builtIn: false, crm: crm.id });
      }
    }
    return sites;
  }

  async enabledPatterns(): Promise<string[]> {
    return (await this.list()).filter((site) => site.enabled).map((site) => site.pattern);
  }

  async isEnabledUrl(url: string | undefined): Promise<boolean> {
    if (!url) return false;
    return (await this.enabledPatterns()).some((pattern) => patternMatches(pattern, url));
  }

  /** The pattern for the site of `url`, or null for pages no site pattern covers. */
  patternFor(url: string | undefined): string | null {
    return url ? sitePattern(url) : null;
  }

  /**
   * Turns sites on once their permission is granted (asking for it needs a user
   * gesture, so the page the user clicked in asks): registers the content script for
   * them and injects it into their open tabs.
   */
  enable(patterns: string[]): Promise<void> {
    return this.serial(async () => {
      const granted = await chrome.permissions.contains({ origins: patterns });
      if (!granted) throw new Error(`not permitted: ${patterns.join(", ")}`);
      const disabled = await this.disabled();
      await chrome.storage.local.set({ [DISABLED_KEY]: disabled.filter((p) => !patterns.includes(p)) });
      await this.registerNow();
      await this.injectInto(patterns);
    });
  }

  /** Turns sites off: removes every button from their tabs, then stops running there. */
  disable(patterns: string[]): Promise<void> {
    return this.serial(async () => {
      await this.tell(patterns, { type: "rolecall:disable" });
      const builtIn = this.builtIn();
      const removable = patterns.filter((p) => !builtIn.includes(p));
      const kept = patterns.filter((p) => builtIn.includes(p));
      const disabled = await this.disabled();
      await chrome.storage.local.set({ [DISABLED_KEY]: [...new Set([...disabled, ...kept])] });
      if (removable.length > 0) {
        await chrome.permissions.remove({ origins: removable }).catch((err: unknown) => {
          this.logger.warn("could not give back site permissions", String(err));
        });
      }
      await this.registerNow();
    });
  }

  /**
   * Brings the registered content script in line with the enabled sites; with `inject`
   * (after install or update) also starts it in their tabs already open.
   */
  sync(inject = false): Promise<void> {
    return this.serial(async () => {
      await this.registerNow();
      if (inject) {
        const patterns = await this.enabledPatterns();
        if (patterns.length > 0) await this.injectInto(patterns);
      }
    });
  }

  private async registerNow(): Promise<void> {
    const matches = await this.enabledPatterns();
    const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    if (registered.length > 0) await chrome.scripting.unregisterContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    if (matches.length === 0) return;
    await chrome.scripting.registerContentScripts([
      {
        id: CONTENT_SCRIPT_ID,
        js: [CONTENT_SCRIPT_FILE],
        matches,
        // Loaded before the page, it reads the page as it is parsed (content/index.ts):
        // at document_end or document_idle it ran 90-400 ms after DOMContentLoaded.
        runAt: "document_start",
        allFrames: true,
        persistAcrossSessions: true,
      },
    ]);
    this.logger.info("content script registered", { matches });
  }

  private async injectInto(patterns: string[]): Promise<void> {
    const tabs = await chrome.tabs.query({ url: patterns });
    await Promise.all(
      tabs.map(async (tab) => {
        if (tab.id === undefined) return;
        try {
          await chrome.scripting.executeScript({ target: { tabId: tab.id, allFrames: true }, files: [CONTENT_SCRIPT_FILE] });
        } catch (err) {
          this.logger.warn(`could not start on tab ${tab.id}`, String(err));
        }
      }),
    );
  }

  private async tell(patterns: string[], message: PageDisable): Promise<void> {
    const tabs = await chrome.tabs.query({ url: patterns }).catch(() => [] as chrome.tabs.Tab[]);
    await Promise.all(
      tabs.map((tab) =>
        tab.id === undefined ? undefined : sendToPage(tab.id, message).catch(() => undefined),
      ),
    );
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
