// The panel's model of page calls waiting for the user's word: the list the background
// offers, the words each card says, and the answer ("Call" or "Cancel") sent back.
// Tested without a browser.

import { t } from "../shared/i18n";
import type { DialConfirmInfo } from "../shared/ui-messages";

/** The part of the background client this model uses. */
export interface DialConfirmClient {
  onDialConfirm(listener: (pending: DialConfirmInfo[]) => void): () => void;
  answerDial(id: string, accept: boolean): boolean;
}

/** What one confirmation card says, as text. */
export interface DialConfirmWords {
  title: string;
  body: string;
  call: string;
  cancel: string;
  from: string;
}

export function dialConfirmWords(info: DialConfirmInfo): DialConfirmWords {
  return {
    title: t("dial_confirm_title"),
    body:
      info.reason === "link_mismatch"
        ? t("dial_confirm_link", info.shown, info.display)
        : t("dial_confirm_sip", info.display),
    call: t("dial_confirm_call", info.display),
    cancel: t("dial_confirm_cancel"),
    from: info.site ? t("dial_confirm_from", info.site) : "",
  };
}

export class DialConfirmModel {
  private pending: DialConfirmInfo[] = [];
  /** Answered here but perhaps not yet gone from the background's list. */
  private readonly answered = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private stop: (() => void) | null = null;

  constructor(private readonly client: DialConfirmClient) {}

  /** Starts following the background's list; returns the function that stops it. */
  start(): () => void {
    // A client that cannot report waiting calls (a bare stub) simply has none.
    if (typeof this.client.onDialConfirm !== "function") return () => undefined;
    this.stop ??= this.client.onDialConfirm((pending) => {
      this.pending = pending;
      for (const id of [...this.answered]) if (!pending.some((p) => p.id === id)) this.answered.delete(id);
      this.changed();
    });
    return () => {
      this.stop?.();
      this.stop = null;
    };
  }

  /** The calls still waiting, oldest first. */
  list(): DialConfirmInfo[] {
    return this.pending.filter((p) => !this.answered.has(p.id));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  confirm(id: string): void {
    this.answer(id, true);
  }

  cancel(id: string): void {
    this.answer(id, false);
  }

  private answer(id: string, accept: boolean): void {
    if (this.answered.has(id) || !this.pending.some((p) => p.id === id)) return;
    if (!this.client.answerDial(id, accept)) return; // not connected: the card stays
    this.answered.add(id);
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
