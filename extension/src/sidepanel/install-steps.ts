// The host's install steps for the user's OS (from runtime.getPlatformInfo), shown by
// the side panel when the browser finds no Rolecall host. Commands are quoted in
// `backticks` (RichText turns them into <code>).

import type { MessageKey } from "./i18n";

export type InstallOs = "linux" | "mac" | "win" | "other";

export function installOs(os: string | undefined): InstallOs {
  return os === "linux" || os === "mac" || os === "win" ? os : "other";
}

/** The steps, in order, as message keys. */
export function installSteps(os: InstallOs): MessageKey[] {
  switch (os) {
    case "linux":
      return ["install_linux_deb", "install_linux_script", "install_then_retry"];
    case "mac":
      return ["install_mac_script", "install_then_retry"];
    case "win":
      return ["install_win_script", "install_then_retry"];
    default:
      return ["install_other", "install_then_retry"];
  }
}

/** The user's OS, or "other" when the browser does not say. */
export async function detectInstallOs(): Promise<InstallOs> {
  try {
    const info = await chrome.runtime.getPlatformInfo();
    return installOs(info.os);
  } catch {
    return "other";
  }
}
