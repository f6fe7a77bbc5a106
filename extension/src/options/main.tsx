// The options page: the CRMs Rolecall knows, each enabled in one click; the other sites
// it runs on, each removable; and the region used for numbers written without a
// country code.

import { render } from "preact";
import { App } from "./App";
import { uiLanguage } from "../shared/i18n";

document.documentElement.lang = uiLanguage();
const root = document.getElementById("app");
if (root) render(<App />, root);
