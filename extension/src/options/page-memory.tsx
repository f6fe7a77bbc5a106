// The options page's "Page memory" section: the sites Rolecall remembers deals of
// (read off CRM pages when calls were placed from them), Forget per site, and the
// switch that turns the memory off (which forgets everything).

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { MemorySite } from "../protocol/index";
import { BackgroundClient } from "../shared/background-client";
import { t } from "../shared/i18n";

interface MemoryState {
  on: boolean;
  sites: MemorySite[];
}

export function PageMemory({ client }: { client?: BackgroundClient }): JSX.Element {
  const [bg] = useState(() => client ?? new BackgroundClient());
  const [state, setState] = useState<MemoryState | null>(null);
  const [error, setError] = useState("");
  const run = (work: Promise<unknown>): void => {
    work
      .then(() => bg.request("memory.sites", {}))
      .then((result) => {
        setError("");
        setState({ on: result.page_memory, sites: result.sites });
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  useEffect(() => {
    bg.connect();
    run(Promise.resolve());
    return () => bg.close();
  }, []);
  return (
    <section data-testid="page-memory">
      <h2>{t("options_page_memory")}</h2>
      <p>{t("options_page_memory_help")}</p>
      <label>
        <input
          type="checkbox"
          data-testid="page-memory-switch"
          checked={state?.on ?? false}
          disabled={state === null}
          onChange={(e) => run(bg.request("memory.settings", { page_memory: (e.currentTarget as HTMLInputElement).checked }))}
        />{" "}
        {t("options_page_memory_switch")}
      </label>
      {state === null ? (
        <p>{t("options_loading")}</p>
      ) : state.sites.length === 0 ? (
        <p data-testid="page-memory-empty">{t("options_page_memory_empty")}</p>
      ) : (
        <ul class="sites">
          {state.sites.map((site) => (
            <li key={site.origin} data-testid={`memory-site-${site.origin}`}>
              <span class="name">{site.origin}</span>
              <span class="patterns">{t("options_page_memory_counts", String(site.deals), String(site.people), String(site.documents))}</span>
              <button type="button" onClick={() => run(bg.request("memory.forget", { origin: site.origin }))}>
                {t("options_forget")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error ? <p role="alert" class="error">{error}</p> : null}
    </section>
  );
}
