// First-run guidance in the side panel: with no host installed, the install steps for
// the user's OS; with the host but no phone account of the user's own, a message and
// a button that opens the options page at its Phone section.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { ConnectionState } from "../shared/state";
import type { AccountStatus } from "../protocol/index";
import { RichText } from "../shared/rich-text";
import { t } from "../shared/i18n";
import { detectPlatform, installSteps, type InstallPlatform } from "./install-steps";

/** True once the host's account list has arrived (it always holds "local") with no other. */
export function needsAccount(accounts: readonly AccountStatus[]): boolean {
  return accounts.length > 0 && accounts.every((a) => a.config.id === "local");
}

export function openPhoneOptions(): void {
  void chrome.tabs.create({ url: chrome.runtime.getURL("options.html#phone") });
}

function InstallSteps(): JSX.Element {
  const [platform, setPlatform] = useState<InstallPlatform | null>(null);
  useEffect(() => {
    void detectPlatform().then(setPlatform);
  }, []);
  const version = chrome.runtime.getManifest().version;
  return (
    <section class="banner first-run" data-testid="install-steps" data-os={platform?.os ?? ""} aria-labelledby="install-title">
      <h2 id="install-title">{t("install_title")}</h2>
      {platform ? (
        <ol>
          {installSteps(platform, version).map(({ key, subs }) => (
            <li key={key}>
              <RichText text={t(key, ...subs)} />
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

export function FirstRun({ connection, accounts }: { connection: ConnectionState; accounts: readonly AccountStatus[] }): JSX.Element | null {
  if (connection.status === "host_not_installed") return <InstallSteps />;
  if (connection.status !== "connected" || !needsAccount(accounts)) return null;
  return (
    <section class="banner first-run" data-testid="first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">{t("first_run_title")}</h2>
      <p>{t("first_run_no_account")}</p>
      <button type="button" class="primary" data-testid="first-run-open-options" onClick={openPhoneOptions}>
        {t("first_run_set_up")}
      </button>
    </section>
  );
}
