// Page calls waiting for the user's word: one card each ("This link shows … but calls …")
// with "Call …" and "Cancel". Page text is shown as text only.

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { DialConfirmModel, dialConfirmWords, type DialConfirmClient } from "./dial-confirm";

export function DialConfirm({ client }: { client: DialConfirmClient }): JSX.Element | null {
  const model = useMemo(() => new DialConfirmModel(client), [client]);
  const [pending, setPending] = useState(model.list());
  useEffect(() => {
    const unsubscribe = model.subscribe(() => setPending(model.list()));
    const stop = model.start();
    setPending(model.list());
    return () => {
      unsubscribe();
      stop();
    };
  }, [model]);
  if (pending.length === 0) return null;
  return (
    <>
      {pending.map((info) => {
        const words = dialConfirmWords(info);
        return (
          <section
            key={info.id}
            class="inbound-card dial-confirm"
            data-testid="dial-confirm"
            data-reason={info.reason}
            role="alertdialog"
            aria-labelledby={`dial-confirm-${info.id}`}
            aria-describedby={`dial-confirm-body-${info.id}`}
          >
            <h2 id={`dial-confirm-${info.id}`}>{words.title}</h2>
            <p id={`dial-confirm-body-${info.id}`} data-testid="dial-confirm-text">
              {words.body}
            </p>
            {words.from ? <p class="muted">{words.from}</p> : null}
            <div class="actions">
              <button type="button" class="primary" data-testid="dial-confirm-call" onClick={() => model.confirm(info.id)}>
                {words.call}
              </button>
              <button type="button" data-testid="dial-confirm-cancel" onClick={() => model.cancel(info.id)}>
                {words.cancel}
              </button>
            </div>
          </section>
        );
      })}
    </>
  );
}
