// The connection state: one object, kept by the background (host-connection.ts) and
// broadcast to every UI. Shared by the background and the side panel.

export const CONNECTION_STATUSES = [
  "connecting",
  "connected",
  "host_not_installed",
  "host_forbidden",
  "host_exited",
  "daemon_unavailable",
  "version_mismatch",
  "error",
] as const;

export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface ConnectionState {
  /** One keyword; the side panel shows it as it is in `[data-testid="host-status"]`. */
  status: ConnectionStatus;
  /** The host's version (from `hello`), while connected. */
  hostVersion?: string;
  /** The protocol version chosen in `hello`, while connected. */
  protocol?: number;
  /** The daemon's pid (from `hello`), while connected. */
  daemonPid?: number;
  /** A plain-English sentence for a person. */
  message: string;
  /** What to do about it, when there is something to do; may quote commands in `backticks`. */
  fix?: string;
  /** When `status` last changed (ms since the epoch). */
  since: number;
  /** When a reconnect is scheduled: how long until it starts, as of this snapshot. */
  retryInMs?: number;
  /** Events missed on this connection (gaps in `seq`), when there were any. */
  missedEvents?: number;
}

export function isConnectionStatus(value: unknown): value is ConnectionStatus {
  return typeof value === "string" && (CONNECTION_STATUSES as readonly string[]).includes(value);
}
