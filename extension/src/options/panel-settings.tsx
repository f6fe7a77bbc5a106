// The options page's panel section: the keyboard commands with their current keys (the
// browser decides them; users change them on its shortcuts page), the theme, and whether
// a call placed from a page opens the panel.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { t } from "../shared/i18n";
import { THEMES, getSettings, isTheme, updateSettings, type Theme } from "../shared/settings";

function shortcutsPage(): string {
  return /\bFirefox\//.test(navigator.userAgent) ? "about:addons → ⚙ → Manage Extension Shortcuts" : "chrome://extensions/shortcuts";
}

export function Shortcuts(): JSX.Element {
  const [commands, setCommands] = useState<chrome.commands.Command[]>([]);
  useEffect(() => {
    void chrome.commands.getAll().then(setCommands);
  }, []);
  return (
    <section>
      <h2>{t("options_shortcuts")}</h2>
      <table class="shortcuts" data-testid="shortcuts">
        <tbody>
          {commands
            .filter((c) => c.name && !c.name.startsWith("_"))
            .map((c) => (
              <tr key={c.name} data-testid={`shortcut-${c.name ?? ""}`}>
                <td>{c.description}</td>
                <td>
                  <kbd>{c.shortcut || t("options_not_set")}</kbd>
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <p>{t("options_shortcuts_help", shortcutsPage())}</p>
    </section>
  );
}

export function PanelSettings(): JSX.Element {
  const [theme, setTheme] = useState<Theme>("system");
  const [openOnCall, setOpenOnCall] = useState(true);
  useEffect(() => {
    void getSettings().then((settings) => {
      setTheme(settings.theme);
      setOpenOnCall(settings.openPanelOnCall);
    });
  }, []);
  const labels: Record<Theme, string> = {
    system: t("options_theme_system"),
    light: t("options_theme_light"),
    dark: t("options_theme_dark"),
  };
  return (
    <section>
      <h2>{t("options_theme")}</h2>
      <select
        data-testid="theme"
        aria-label={t("options_theme")}
        value={theme}
        onChange={(e) => {
          const value = (e.currentTarget as HTMLSelectElement).value;
          if (!isTheme(value)) return;
          setTheme(value);
          void updateSettings({ theme: value });
        }}
      >
        {THEMES.map((name) => (
          <option key={name} value={name}>
            {labels[name]}
          </option>
        ))}
      </select>
      <p>
        <label>
          <input
            type="checkbox"
            data-testid="open-panel-on-call"
            checked={openOnCall}
            onChange={(e) => {
              const checked = (e.currentTarget as HTMLInputElement).checked;
              setOpenOnCall(checked);
              void updateSettings({ openPanelOnCall: checked });
            }}
          />{" "}
          {t("options_open_on_call")}
        </label>
      </p>
    </section>
  );
}
