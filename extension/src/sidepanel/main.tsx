// Side panel entry point (Chromium side panel, Firefox sidebar, or the same page opened
// as a tab at <extension origin>/sidepanel.html).

import { render } from "preact";
import { App } from "./App";
import { BackgroundClient } from "../shared/background-client";
import { PanelStore } from "./panel-store";
import { applyTheme } from "../shared/theme";
import { uiLanguage } from "../shared/i18n";

const client = new BackgroundClient();
const store = new PanelStore(client);
const root = document.getElementById("app");
document.documentElement.lang = uiLanguage();
applyTheme();
if (root) {
  render(<App client={client} store={store} />, root);
  client.connect();
  store.start();
}
