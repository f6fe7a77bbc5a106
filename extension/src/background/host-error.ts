// HostError: how a failed request reaches its caller, carrying the protocol's error
// `code`, `message` and `details` (docs/PROTOCOL.md, "Error codes").

import type { ErrorCode, ErrorInfo } from "../protocol/index";
import { isErrorCode } from "../protocol/index";

export class HostError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "HostError";
    this.code = code;
    this.details = details;
  }

  static fromInfo(info: ErrorInfo): HostError {
    return new HostError(isErrorCode(info.code) ? info.code : "internal", info.message, info.details);
  }

  /** Any thrown value as a HostError (unknown failures become `internal`). */
  static from(err: unknown): HostError {
    if (err instanceof HostError) return err;
    return new HostError("internal", err instanceof Error ? err.message : String(err));
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, details: this.details };
  }
}
