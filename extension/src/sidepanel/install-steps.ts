// The host's install steps for the user's OS (from runtime.getPlatformInfo), shown by
// the side panel when the browser finds no Rolecall host. Commands are quoted in
// `backticks` (RichText turns them into <code>).

import type { MessageKey } from "../shared/i18n";

export type InstallOs = "linux" | "mac" | "win" | "other";

export interface InstallPlatform {
  os: InstallOs;
  /** Debian's name for the CPU architecture, as in the .deb's file name. */
  debArch: string;
}

export interface InstallStep {
  key: MessageKey;
  subs: string[];
}

export function installOs(os: string | undefined): InstallOs {
  return os === "linux" || os === "mac" || os === "win" ? os : "other";
}

const DEB_ARCH: Record<string, string> = { "x86-64": "amd64", arm64: "arm64", "x86-32": "i386", arm: "armhf" };

/** The steps, in order; `version` is the extension's, which the host's must match. */
export function installSteps(platform: InstallPlatform, version: string): InstallStep[] {
  const retry: InstallStep = { key: "install_then_retry", subs: [] };
  switch (platform.os) {
    case "linux":
      return [{ key: "install_linux_deb", subs: [`rolecall_${version}_${platform.debArch}.deb`] }, { key: "install_linux_script", subs: [] }, retry];
    case "mac":
      return [{ key: "install_mac_script", subs: [] }, retry];
    case "win":
      return [{ key: "install_win_script", subs: [] }, retry];
    default:
      return [{ key: "install_other", subs: [] }, retry];
  }
}

/** The user's OS and architecture; "other" when the browser does not say. */
export async function detectPlatform(): Promise<InstallPlatform> {
  try {
    const info = await chrome.runtime.getPlatformInfo();
    return { os: installOs(info.os), debArch: DEB_ARCH[info.arch] ?? "amd64" };
  } catch {
    return { os: "other", debArch: "amd64" };
  }
}
