// Keyboard commands on calls (manifest `commands`): open the panel, answer the ringing
// call, hang up, mute and hold. They act on the host's calls directly, so they work with
// the panel closed; which call they act on is decided by `pickCall`.

import type { CallInfo } from "../protocol/index";
import type { HostConnection } from "./host-connection";
import type { Logger } from "./logger";
import type { PanelOpener } from "./panel-opener";

export const CALL_COMMANDS = ["open-panel", "answer-call", "hang-up", "toggle-mute", "toggle-hold"] as const;
export type CallCommand = (typeof CALL_COMMANDS)[number];

export interface CommandAction {
  method: "call.answer" | "call.decline" | "call.hangup" | "call.mute" | "call.unmute" | "call.hold" | "call.resume";
  callId: string;
}

function newest(calls: CallInfo[]): CallInfo | undefined {
  return [...calls].sort((a, b) => b.created_at - a.created_at)[0];
}

/** What a command does with these calls, or null when there is nothing for it to act on. */
export function pickCall(command: CallCommand, calls: CallInfo[]): CommandAction | null {
  const ringing = calls.filter((c) => c.direction === "inbound" && c.state === "ringing");
  const live = calls.filter((c) => c.state !== "disconnected" && !(c.direction === "inbound" && c.state === "ringing"));
  const talking = live.filter((c) => c.state === "confirmed");
  const current = newest(talking.filter((c) => !c.held)) ?? newest(talking) ?? newest(live);
  switch (command) {
    case "answer-call": {
      const call = newest(ringing);
      return call ? { method: "call.answer", callId: call.id } : null;
    }
    case "hang-up": {
      if (current) return { method: "call.hangup", callId: current.id };
      const call = newest(ringing);
      return call ? { method: "call.decline", callId: call.id } : null;
    }
    case "toggle-mute":
      if (!current || current.state !== "confirmed") return null;
      return { method: current.muted ? "call.unmute" : "call.mute", callId: current.id };
    case "toggle-hold":
      if (!current || current.state !== "confirmed") return null;
      return { method: current.held ? "call.resume" : "call.hold", callId: current.id };
    default:
      return null;
  }
}

function isCallCommand(command: string): command is CallCommand {
  return (CALL_COMMANDS as readonly string[]).includes(command);
}

export function listenForCallCommands(host: HostConnection, panels: PanelOpener, logger: Logger): void {
  chrome.commands.onCommand.addListener((command, tab) => {
    if (!isCallCommand(command)) return;
    if (command === "open-panel") {
      panels.open(tab?.id, tab?.windowId);
      return;
    }
    void runCommand(host, command, logger);
  });
}

export async function runCommand(host: HostConnection, command: CallCommand, logger: Logger): Promise<CommandAction | null> {
  try {
    const { calls } = await host.request("calls.list", {});
    const action = pickCall(command, calls);
    if (!action) {
      logger.info(`${command}: no call to act on`);
      return null;
    }
    if (action.method === "call.decline") await host.request("call.decline", { call_id: action.callId, code: 486 });
    else await host.request(action.method, { call_id: action.callId });
    logger.info(`${command}: ${action.method} ${action.callId}`);
    return action;
  } catch (err) {
    logger.warn(`${command} failed`, String(err));
    return null;
  }
}
