// Side panel entry point (Chromium side panel, Firefox sidebar, or the same page opened
// as a tab at <extension origin>/sidepanel.html).

import { render } from "preact";
import { App } from "./App";
import { BackgroundClient } from "./background-client";

const client = new BackgroundClient();
const root = document.getElementById("app");
if (root) {
  render(<App client={client} />, root);
  client.connect();
}
