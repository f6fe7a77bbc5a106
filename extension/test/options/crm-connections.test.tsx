// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CrmConnection } from "../../src/protocol/index";
import { CrmConnections } from "../../src/options/CrmConnections";
import { CrmSignIn } from "../../src/sidepanel/CrmSignIn";
import { FakeClient, tick } from "../panel/fake-client";

function connection(over: Partial<CrmConnection> = {}): CrmConnection {
  return {
    crm: "salesforce",
    state: "signed_in",
    user: "ada@example.com",
    org: "00D000000000001AAA",
    expires_at: null,
    last_write_back: null,
    pending: 0,
    client_id: "3MVG9-client",
    detail: "",
    ...over,
  };
}

async function mount(node: preact.ComponentChild): Promise<HTMLElement> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  await act(async () => {
    render(node, root);
  });
  await act(async () => {
    for (let i = 0; i < 4; i++) await tick();
  });
  return root;
}
const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

afterEach(() => vi.restoreAllMocks());

describe("the options page's CRM connections", () => {
  it("shows who is signed in, and Connect sends the client id and opens the sign-in page", async () => {
    const opened = vi.spyOn(window, "open").mockReturnValue(null);
    const c = new FakeClient()
      .on("crm.status", () => ({ connections: [connection({ pending: 2 })] }))
      .on("crm.connect", () => ({
        authorization_url: "https://login.salesforce.com/services/oauth2/authorize?state=s",
        connection: connection({ crm: "hubspot", state: "connecting", user: "", org: "", client_id: null }),
      }));
    const root = await mount(<CrmConnections client={c} />);
    expect(q(root, "crm-state-salesforce")?.textContent).toBe("signed in");
    const row = q(root, "crm-connection-salesforce")?.textContent ?? "";
    expect(row).toContain("as ada@example.com");
    expect(row).toContain("org 00D000000000001AAA");
    expect(row).toContain("2 waiting");
    expect((q(root, "crm-client-id-salesforce") as HTMLInputElement).value).toBe("3MVG9-client");
    expect(q(root, "crm-state-hubspot")?.textContent).toBe("not connected");
    expect(q(root, "crm-disconnect-hubspot")).toBeNull();

    const input = q(root, "crm-client-id-hubspot") as HTMLInputElement;
    await act(async () => {
      input.value = "hub-client-1";
      input.dispatchEvent(new Event("input"));
      await tick();
    });
    await act(async () => {
      q(root, "crm-connect-hubspot")?.click();
      for (let i = 0; i < 3; i++) await tick();
    });
    expect(c.calls("crm.connect")).toEqual([{ crm: "hubspot", client_id: "hub-client-1", org_url: null }]);
    expect(opened).toHaveBeenCalledWith("https://login.salesforce.com/services/oauth2/authorize?state=s", "_blank", "noopener");
    expect(q(root, "crm-state-hubspot")?.textContent).toContain("waiting");

    await act(async () => {
      c.emit("crm.connection", { connection: connection({ crm: "hubspot", user: "ada@example.com", org: "4242" }) });
      await tick();
    });
    expect(q(root, "crm-state-hubspot")?.textContent).toBe("signed in");
  });

  it("Disconnect asks the host and shows the result", async () => {
    const c = new FakeClient()
      .on("crm.status", () => ({ connections: [connection()] }))
      .on("crm.disconnect", () => ({ connections: [connection({ state: "not_connected", user: "" })] }));
    const root = await mount(<CrmConnections client={c} />);
    await act(async () => {
      q(root, "crm-disconnect-salesforce")?.click();
      for (let i = 0; i < 3; i++) await tick();
    });
    expect(c.calls("crm.disconnect")).toEqual([{ crm: "salesforce" }]);
    expect(q(root, "crm-state-salesforce")?.textContent).toBe("not connected");
  });
});

describe("the side panel's signed-out notice", () => {
  it("appears when a CRM signs the user out and Sign in again starts a sign-in", async () => {
    vi.spyOn(window, "open").mockReturnValue(null);
    const c = new FakeClient()
      .on("crm.status", () => ({ connections: [connection()] }))
      .on("crm.connect", () => ({ authorization_url: "https://login.salesforce.com/x", connection: connection({ state: "connecting" }) }));
    const root = await mount(<CrmSignIn client={c} connected={true} />);
    expect(q(root, "crm-sign-in")).toBeNull();
    await act(async () => {
      c.emit("crm.connection", { connection: connection({ state: "signed_out", detail: "signed out of salesforce" }) });
      await tick();
    });
    expect(q(root, "crm-signed-out-salesforce")?.textContent).toContain("Salesforce: signed out — Sign in again");
    await act(async () => {
      (q(root, "crm-signed-out-salesforce")?.querySelector("button") as HTMLButtonElement).click();
      for (let i = 0; i < 3; i++) await tick();
    });
    expect(c.calls("crm.connect")).toEqual([{ crm: "salesforce" }]);
    await act(async () => {
      c.emit("crm.connection", { connection: connection() });
      await tick();
    });
    expect(q(root, "crm-sign-in")).toBeNull();
  });
});
