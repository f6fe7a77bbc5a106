// A transfer the far end asks for: "Anna asks to transfer you to +1 900 555 0100", with
// Accept (the host places that call) and Decline. Nothing is dialled before Accept; the
// card goes when the offer is answered, lapses or its call ends. Reads and changes the
// panel model's `transfers` part.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { t } from "../shared/i18n";
import type { TransferOfferView, TransferOffers } from "./store/transfers";

function useOffers(model: TransferOffers): TransferOfferView[] {
  const [offers, setOffers] = useState<TransferOfferView[]>(model.offers);
  useEffect(() => {
    setOffers(model.offers);
    return model.subscribe(setOffers);
  }, [model]);
  return offers;
}

function secondsLeft(offer: TransferOfferView, now: number): number {
  return Math.max(0, Math.ceil((offer.expiresAt - now) / 1000));
}

function OfferCard({ model, offer }: { model: TransferOffers; offer: TransferOfferView }): JSX.Element {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const titleId = `transfer-offer-${offer.requestId}`;
  return (
    <section class="inbound-card transfer-offer" data-testid="transfer-offer" data-request-id={offer.requestId} data-call-id={offer.callId} role="alertdialog" aria-labelledby={titleId}>
      <p class="eyebrow">{t("transfer_offer_title")}</p>
      <h2 id={titleId} data-testid="transfer-offer-text">
        {t("transfer_offer_ask", offer.by, offer.target)}
      </h2>
      {offer.attended ? <p class="muted">{t("transfer_offer_attended")}</p> : null}
      <p class="muted" data-testid="transfer-offer-note">
        {t("transfer_offer_note", secondsLeft(offer, now))}
      </p>
      <div class="row">
        <button type="button" class="primary answer" data-testid="transfer-offer-accept" disabled={offer.busy} onClick={() => void model.accept(offer.requestId)}>
          {t("transfer_accept")}
        </button>
        <button type="button" class="hangup" data-testid="transfer-offer-decline" disabled={offer.busy} onClick={() => void model.decline(offer.requestId)}>
          {t("transfer_decline")}
        </button>
      </div>
    </section>
  );
}

export function TransferOfferCards({ model }: { model: TransferOffers }): JSX.Element | null {
  const offers = useOffers(model);
  if (!offers.length) return null;
  return (
    <>
      {offers.map((offer) => (
        <OfferCard key={offer.requestId} model={model} offer={offer} />
      ))}
    </>
  );
}
