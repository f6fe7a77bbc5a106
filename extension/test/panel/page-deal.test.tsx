// @vitest-environment jsdom
// The panel on a page deal (a deal read off a CRM page): where it came from, Open in
// CRM (http(s) only), the person on the call marked, and page text kept as text.
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { App } from "../../src/sidepanel/App";
import { PanelStore } from "../../src/sidepanel/panel-store";
import { crmLink } from "../../src/sidepanel/PageDealView";
import type { BackgroundClient } from "../../src/shared/background-client";
import { FakeClient, call, card, context, doc, tick } from "./fake-client";

function background(): BackgroundClient {
  const state = { status: "connected", message: "Connected.", since: 1, hostVersion: "0.1.0", protocol: 1 };
  return { lastState: { state, at: Date.now() }, onState: () => () => undefined, retry: () => undefined } as unknown as BackgroundClient;
}

async function mount(client: FakeClient): Promise<HTMLElement> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const store = new PanelStore(client);
  await act(async () => {
    render(<App client={background()} store={store} />, root);
    store.start();
    for (let i = 0; i < 8; i++) await tick();
  });
  return root;
}

const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const ORIGIN = "https://crm.example.com";

function pageDeal(url: string) {
  const people = [
    card("pp.a.1", "decision_maker", { source: "page" }),
    card("pp.a.2", "influencer", { source: "page", is_called: true, contact: { id: "pp.a.2", last_name: "<img src=x onerror=alert(1)>", phones: [] } }),
  ];
  return context(people, [doc("page.a.d0", { url: `${ORIGIN}/files/q.pdf` })], {
    opportunity: { id: "page.a", name: "<b>Globex</b> renewal", currency: "USD" },
    source: "page",
    page: { origin: ORIGIN, record_type: "deal", record_id: "7", url },
    fields: { stage: "Proposal" },
  });
}

describe("a page deal in the side panel", () => {
  it("says where it came from, offers Open in CRM, and marks the person on the call", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: pageDeal(`${ORIGIN}/#/deals/7`), matches: [] }))
      .on("calllog.list", () => ({ calls: [] }));
    const root = await mount(client);
    expect(q(root, "opportunity-name")?.textContent).toBe("<b>Globex</b> renewal");
    expect(root.querySelector("b")).toBeNull();
    expect(root.querySelector("img")).toBeNull();
    expect(q(root, "page-deal-source")?.dataset.origin).toBe(ORIGIN);
    const link = q(root, "open-in-crm") as HTMLAnchorElement;
    expect(link.href).toBe(`${ORIGIN}/#/deals/7`);
    expect(link.rel).toContain("noopener");
    expect(q(root, "contact-pp.a.2")?.dataset.called).toBe("true");
    expect(q(root, "contact-pp.a.1")?.dataset.called).toBe("false");
    expect(q(root, "contact-on-this-call")).not.toBeNull();
    expect(q(root, "document-page.a.d0")).not.toBeNull();
  });

  it("offers no link for a record URL that is not http(s)", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: pageDeal("javascript:alert(1)"), matches: [] }))
      .on("calllog.list", () => ({ calls: [] }));
    const root = await mount(client);
    expect(q(root, "page-deal-source")).not.toBeNull();
    expect(q(root, "open-in-crm")).toBeNull();
    expect(crmLink("javascript:alert(1)")).toBeNull();
    expect(crmLink("data:text/html,x")).toBeNull();
    expect(crmLink("http://crm.local/x")).toBe("http://crm.local/x");
  });
});
