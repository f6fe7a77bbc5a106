// Turns what the browser and the host report into a connection status, a sentence for
// a person and what to do about it. Pure: the only input is the text of
// chrome.runtime.lastError / port.error, a hello error or a hello result.
//
// Browser texts (Chromium's are fixed strings; Firefox's name the host):
//   "Specified native messaging host not found."            Chromium: no host manifest
//   "No such native application com.rolecall.host"          Firefox: no manifest, or its
//                                                           allowed_extensions lacks us
//   "Access to the specified native messaging host is forbidden."
//                                                           Chromium: allowed_origins lacks our id
//   "Native host has exited."                               the host process ended
//   "Failed to start native messaging host."                the manifest's path cannot run
//   "Error when communicating with the native messaging host."  bad bytes on the host's stdout

import type { ErrorInfo } from "../protocol/index";
import { SUPPORTED_PROTOCOLS } from "../protocol/index";
import type { ConnectionStatus } from "../shared/state";
import type { BrowserFamily } from "./browser-info";

export interface Diagnosis {
  status: ConnectionStatus;
  message: string;
  fix?: string;
}

export interface ClassifyContext {
  /** The browser, for the `rolecall install --browser …` the fix suggests. */
  browser: BrowserFamily;
  /** Whether `hello` had succeeded on the port that closed. */
  helloSucceeded: boolean;
  /** The reason of a `daemon.stopping` event seen on that port, if any. */
  stoppingReason?: string;
}

const DOCTOR = "Run `rolecall doctor` to see what is wrong.";

function installFix(browser: BrowserFamily): string {
  return `Run \`rolecall install --browser ${browser}\`, then reload the extension (or press Retry now).`;
}

function trimSentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, "");
}

/** Why the native port closed, from the browser's error text (undefined: no error given). */
export function classifyDisconnect(lastError: string | undefined, ctx: ClassifyContext): Diagnosis {
  const text = (lastError ?? "").trim();
  const lower = text.toLowerCase();

  if (lower.includes("native messaging host not found") || lower.startsWith("no such native application")) {
    return {
      status: "host_not_installed",
      message: "The Rolecall host is not installed for this browser, so the extension cannot reach it.",
      fix: installFix(ctx.browser),
    };
  }
  if (lower.includes("is forbidden")) {
    return {
      status: "host_forbidden",
      message:
        "The Rolecall host is installed but does not allow this extension: its manifest names a different extension id.",
      fix: `Run \`rolecall install --browser ${ctx.browser}\` again to allow this extension, then reload the extension. \`rolecall doctor\` shows the id it allows.`,
    };
  }
  if (lower.includes("failed to start native messaging host") || lower.includes("not registered")) {
    return {
      status: "host_not_installed",
      message: "The browser found the Rolecall host's registration, but the program it names could not be started.",
      fix: `${installFix(ctx.browser)} ${DOCTOR}`,
    };
  }
  if (lower.includes("native host has exited") || text === "") {
    if (ctx.helloSucceeded) {
      const why = ctx.stoppingReason ? ` (the daemon said it was stopping: ${trimSentence(ctx.stoppingReason)})` : "";
      return {
        status: "host_exited",
        message: `The Rolecall host stopped${why}. Rolecall reconnects by itself.`,
        fix: "If this keeps happening, run `rolecall doctor`.",
      };
    }
    return {
      status: "host_exited",
      message: "The Rolecall host started but exited before it answered.",
      fix: `${DOCTOR} The browser's log has the host's error output.`,
    };
  }
  if (lower.includes("error when communicating with the native messaging host")) {
    return {
      status: "error",
      message: "The Rolecall host sent something that is not a native-messaging frame, so the browser closed it.",
      fix: DOCTOR,
    };
  }
  return {
    status: "error",
    message: `The connection to the Rolecall host failed: ${trimSentence(text)}.`,
    fix: DOCTOR,
  };
}

/** A `hello` that was answered with an error (or failed on our side: timeout, too large). */
export function classifyHelloError(error: ErrorInfo, ctx: Pick<ClassifyContext, "browser">): Diagnosis {
  switch (error.code) {
    case "daemon_unavailable":
      return {
        status: "daemon_unavailable",
        message: `The Rolecall host is installed but could not reach or start the Rolecall daemon: ${trimSentence(error.message)}.`,
        fix: DOCTOR,
      };
    case "unsupported_version": {
      const supported = Array.isArray(error.details.supported) ? error.details.supported.join(", ") : "unknown";
      return {
        status: "version_mismatch",
        message: `This extension speaks protocol ${SUPPORTED_PROTOCOLS.join(", ")}; the Rolecall host speaks ${supported}.`,
        fix: `Install matching versions of the extension and the host (\`rolecall install --browser ${ctx.browser}\` registers the host), then reload the extension.`,
      };
    }
    case "timeout":
      return {
        status: "error",
        message: "The Rolecall host did not answer in time.",
        fix: DOCTOR,
      };
    default:
      return {
        status: "error",
        message: `The Rolecall host refused the connection (${error.code}): ${trimSentence(error.message)}.`,
        fix: DOCTOR,
      };
  }
}

function majorOf(version: string | undefined): number | null {
  const match = /^\s*v?(\d+)\./.exec(version ?? "");
  return match ? Number(match[1]) : null;
}

/**
 * A successful `hello` that this build still cannot work with: a protocol it does not
 * speak, or a host of another major version than the extension's. Null when fine.
 */
export function checkHelloResult(
  protocol: unknown,
  hostVersion: string | undefined,
  extensionVersion: string,
): Diagnosis | null {
  const fix = "Install matching versions of the extension and the host, then reload the extension.";
  if (typeof protocol !== "number" || !SUPPORTED_PROTOCOLS.includes(protocol)) {
    return {
      status: "version_mismatch",
      message: `The Rolecall host${hostVersion ? ` ${hostVersion}` : ""} chose protocol ${String(protocol)}, which this extension does not speak (it speaks ${SUPPORTED_PROTOCOLS.join(", ")}).`,
      fix,
    };
  }
  const hostMajor = majorOf(hostVersion);
  const ownMajor = majorOf(extensionVersion);
  if (hostMajor !== null && ownMajor !== null && hostMajor !== ownMajor) {
    return {
      status: "version_mismatch",
      message: `The Rolecall host is version ${hostVersion ?? "?"} and this extension ${extensionVersion}; their major versions differ.`,
      fix,
    };
  }
  return null;
}
