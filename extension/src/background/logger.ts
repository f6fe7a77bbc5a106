// The background's log: console output plus a ring buffer of recent entries, which
// tests and benchmarks read through `globalThis.rolecall.log()`.

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  at: number;
  level: LogLevel;
  message: string;
  data?: unknown;
}

export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
  entries(): LogEntry[];
}

export function createLogger(
  options: { capacity?: number; console?: boolean; now?: () => number } = {},
): Logger {
  const capacity = options.capacity ?? 300;
  const toConsole = options.console ?? true;
  const now = options.now ?? Date.now;
  const buffer: LogEntry[] = [];
  const write = (level: LogLevel, message: string, data?: unknown): void => {
    const entry: LogEntry = data === undefined ? { at: now(), level, message } : { at: now(), level, message, data };
    buffer.push(entry);
    if (buffer.length > capacity) buffer.splice(0, buffer.length - capacity);
    if (toConsole) {
      const args: unknown[] = data === undefined ? [`[rolecall] ${message}`] : [`[rolecall] ${message}`, data];
      console[level === "debug" ? "debug" : level](...args);
    }
  };
  return {
    debug: (m, d) => write("debug", m, d),
    info: (m, d) => write("info", m, d),
    warn: (m, d) => write("warn", m, d),
    error: (m, d) => write("error", m, d),
    entries: () => buffer.slice(),
  };
}

/** A logger that keeps entries but prints nothing (unit tests). */
export function silentLogger(): Logger {
  return createLogger({ console: false });
}
