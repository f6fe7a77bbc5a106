// The options page's UI. Site state comes from the background (which owns it); the
// default region is one of the settings (shared/settings.ts).

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { KNOWN_CRMS, type SiteInfo } from "../shared/site-info";
import { defaultRegion, regionChoices, regionName } from "../shared/phone/region";
import { getSettings, updateSettings } from "../shared/settings";
import { disableSites, enableSites, listSites } from "./sites-client";
import { PanelSettings, Shortcuts } from "./panel-settings";
import { PageMemory } from "./page-memory";
import { TranscriptSettings } from "./transcripts";
import { PhoneAccounts } from "./PhoneAccounts";
import { SoundDevices } from "./SoundDevices";
import { CrmConnections } from "./CrmConnections";
import { t, uiLanguage } from "../shared/i18n";

function useSites(): [SiteInfo[] | null, (next: Promise<SiteInfo[] | null>) => void, string] {
  const [sites, setSites] = useState<SiteInfo[] | null>(null);
  const [error, setError] = useState("");
  const apply = (next: Promise<SiteInfo[] | null>): void => {
    next
      .then((list) => {
        setError("");
        if (list) setSites(list);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  useEffect(() => apply(listSites()), []);
  return [sites, apply, error];
}

function CrmRow({ crm, sites, apply }: { crm: (typeof KNOWN_CRMS)[number]; sites: SiteInfo[]; apply: (next: Promise<SiteInfo[] | null>) => void }): JSX.Element {
  const enabled = crm.patterns.every((pattern) => sites.some((s) => s.pattern === pattern && s.enabled));
  return (
    <li data-testid={`crm-${crm.id}`}>
      <span class="name">{crm.name}</span>
      <span class="patterns">{crm.patterns.join(", ")}</span>
      {enabled ? (
        <button type="button" onClick={() => apply(disableSites(crm.patterns))}>
          {t("options_disable")}
        </button>
      ) : (
        <button type="button" class="primary" onClick={() => apply(enableSites(crm.patterns))}>
          {t("options_enable")}
        </button>
      )}
    </li>
  );
}

function RegionSetting(): JSX.Element {
  const [region, setRegion] = useState<string>("");
  useEffect(() => {
    void getSettings().then((settings) => setRegion(settings.region ?? ""));
  }, []);
  const fromBrowser = defaultRegion(null, navigator.languages ?? [navigator.language]);
  const choose = (value: string): void => {
    setRegion(value);
    void updateSettings({ region: value || null });
  };
  const countries = regionChoices(uiLanguage());
  return (
    <label>
      {t("options_region")}{" "}
      <select data-testid="region" value={region} onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">
          {fromBrowser ? t("options_region_browser", regionName(fromBrowser, uiLanguage())) : t("options_region_none")}
        </option>
        {countries.map(({ code, name }) => (
          <option value={code} key={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function App(): JSX.Element {
  const [sites, apply, error] = useSites();
  const others = (sites ?? []).filter((site) => site.crm === null && site.enabled);
  return (
    <main>
      <h1>{t("options_title")}</h1>
      <PhoneAccounts />
      <SoundDevices />
      <CrmConnections />
      <section>
        <h2>{t("options_crms")}</h2>
        <p>{t("options_crms_help")}</p>
        {sites === null ? (
          <p>{t("options_loading")}</p>
        ) : (
          <ul class="sites">
            {KNOWN_CRMS.map((crm) => (
              <CrmRow crm={crm} sites={sites} apply={apply} key={crm.id} />
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>{t("options_other_sites")}</h2>
        <p>{t("options_other_sites_help")}</p>
        {others.length === 0 ? (
          <p>{t("options_none")}</p>
        ) : (
          <ul class="sites">
            {others.map((site) => (
              <li key={site.pattern} data-testid={`site-${site.pattern}`}>
                <span class="name">{site.pattern}</span>
                <button type="button" onClick={() => apply(disableSites([site.pattern]))}>
                  {site.builtIn ? t("options_turn_off") : t("options_remove")}
                </button>
              </li>
            ))}
          </ul>
        )}
        {error ? <p role="alert" class="error">{error}</p> : null}
      </section>
      <section>
        <h2>{t("options_phone_numbers")}</h2>
        <RegionSetting />
      </section>
      <PageMemory />
      <TranscriptSettings />
      <PanelSettings />
      <Shortcuts />
    </main>
  );
}
