// The side panel: the host connection's status, version, message and fix, and a
// "Retry now" button. The state comes from the background over the "rolecall-ui" port.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { ConnectionState } from "../shared/state";
import type { BackgroundClient } from "./background-client";
import { RichText } from "./rich-text";

const INITIAL: ConnectionState = {
  status: "connecting",
  message: "Waiting for the Rolecall background…",
  since: Date.now(),
};

interface Received {
  state: ConnectionState;
  at: number;
}

function useConnectionState(client: BackgroundClient): Received {
  const [received, setReceived] = useState<Received>(() => client.lastState ?? { state: INITIAL, at: Date.now() });
  useEffect(() => client.onState((state, at) => setReceived({ state, at })), [client]);
  return received;
}

/** Seconds until the scheduled retry, updated every second while one is scheduled. */
function useRetryCountdown({ state, at }: Received): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (state.retryInMs === undefined) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state, at]);
  if (state.retryInMs === undefined) return null;
  return Math.max(0, Math.ceil((at + state.retryInMs - now) / 1000));
}

export function App({ client }: { client: BackgroundClient }): JSX.Element {
  const received = useConnectionState(client);
  const { state } = received;
  const countdown = useRetryCountdown(received);
  const connected = state.status === "connected";

  return (
    <div class="app">
      <header class="app-header">
        <h1>Rolecall</h1>
      </header>
      <main aria-label="Rolecall">
        <section class={`connection status-${state.status}`} aria-labelledby="connection-title">
          <h2 id="connection-title">Host connection</h2>
          <div class="live" role="status" aria-live="polite" aria-atomic="true">
            <div class="status-line">
              <span class="status-dot" aria-hidden="true" />
              <span class="status" data-testid="host-status">
                {state.status}
              </span>
              {connected && state.hostVersion !== undefined ? (
                <span class="version" data-testid="host-version">
                  {`rolecall ${state.hostVersion}, protocol ${state.protocol ?? "?"}`}
                </span>
              ) : null}
            </div>
            <p class="message" data-testid="host-message">
              <RichText text={state.message} />
            </p>
          </div>
          {!connected && state.fix ? (
            <p class="fix" data-testid="host-fix">
              <RichText text={state.fix} />
            </p>
          ) : null}
          {!connected ? (
            <div class="actions">
              <button type="button" data-testid="host-retry" onClick={() => client.retry()}>
                Retry now
              </button>
              {countdown !== null ? (
                <span class="retry-note" data-testid="host-retry-in">
                  {`Retrying by itself in ${countdown} s.`}
                </span>
              ) : null}
            </div>
          ) : null}
          {connected && state.missedEvents ? (
            <p class="note">{`${state.missedEvents} host event(s) were missed on this connection.`}</p>
          ) : null}
        </section>
      </main>
    </div>
  );
}
