import { describe, expect, it } from "vitest";
import type { AccountConfig } from "../../src/protocol/index";
import { accountIdFor, emptyForm, formFromConfig, toSetParams, validate, type AccountForm } from "../../src/options/account-form";
import { installOs, installSteps } from "../../src/sidepanel/install-steps";
import { needsAccount } from "../../src/sidepanel/FirstRun";

const filled = (patch: Partial<AccountForm> = {}): AccountForm => ({
  ...emptyForm("DE"),
  address: "alice@pbx.example.com",
  registrar: "pbx.example.com:5070",
  username: "alice",
  password: "s3cret pass",
  ...patch,
});

describe("the phone account form", () => {
  it("accepts a typical PBX account and sends it with the password once", () => {
    const form = filled({ proxy: "edge.example.com", dialPrefix: "9", displayName: " Alice " });
    expect(validate(form)).toEqual({});
    const params = toSetParams(form, []);
    expect(params.password).toBe("s3cret pass");
    expect(params.account).toEqual({
      id: "alice",
      uri: "sip:alice@pbx.example.com",
      display_name: "Alice",
      registrar: "sip:pbx.example.com:5070",
      proxy: "sip:edge.example.com;lr",
      username: "alice",
      transport: "udp",
      verify_server: true,
      ca_file: null,
      srtp: "off",
      dial_plan: { default_region: "DE", outbound_prefix: "9" },
    });
    expect(JSON.stringify(params.account)).not.toContain("s3cret");
  });

  it("leaves the password out when editing without typing one, and keeps what it does not show", () => {
    const original: AccountConfig = {
      id: "office",
      uri: "sip:bob@pbx.example.com",
      registrar: "sip:pbx.example.com",
      proxy: "sip:edge.example.com;lr",
      username: "bob",
      realm: "pbx",
      stun_server: "stun.example.com",
      no_answer_timeout_s: 30,
      dial_plan: { default_region: "US", domain: "trunk.example.com" },
    };
    const form = formFromConfig(original);
    expect(form.password).toBe("");
    expect(form.proxy).toBe("edge.example.com");
    expect(validate(form)).toEqual({});
    const params = toSetParams({ ...form, region: "GB" }, ["office"], original);
    expect("password" in params).toBe(false);
    expect(params.account).toMatchObject({
      id: "office",
      realm: "pbx",
      stun_server: "stun.example.com",
      no_answer_timeout_s: 30,
      proxy: "sip:edge.example.com;lr",
      dial_plan: { default_region: "GB", domain: "trunk.example.com", outbound_prefix: "" },
    });
  });

  it("says what is wrong with each field", () => {
    expect(validate({ ...emptyForm("US") })).toEqual({ address: "phone_error_required" });
    expect(validate(filled({ address: "alice" })).address).toBe("phone_error_address");
    expect(validate(filled({ address: "alice@pbx.example.com:99999" })).address).toBe("phone_error_address");
    expect(validate(filled({ address: "<sip:a@b>" })).address).toBe("phone_error_address");
    expect(validate(filled({ registrar: "pbx example.com" })).registrar).toBe("phone_error_host");
    expect(validate(filled({ proxy: "http://x" })).proxy).toBe("phone_error_host");
    expect(validate(filled({ username: "al ice" })).username).toBe("phone_error_username");
    expect(validate(filled({ username: "" })).username).toBe("phone_error_username_needed");
    expect(validate(filled({ password: "" })).password).toBe("phone_error_password_needed");
    expect(validate(filled({ id: "alice", password: "" })).password).toBeUndefined(); // editing keeps it
    expect(validate(filled({ caFile: "/etc/pbx-ca.pem" })).caFile).toBe("phone_error_ca_needs_tls");
    expect(validate(filled({ transport: "tls", caFile: "/etc/pbx-ca.pem" })).caFile).toBeUndefined();
    expect(validate(filled({ srtp: "mandatory" })).srtp).toBe("phone_error_srtp_needs_tls");
    expect(validate(filled({ srtp: "optional" })).srtp).toBe("phone_error_srtp_needs_tls");
    expect(validate(filled({ srtp: "optional", transport: "tcp" })).srtp).toBe("phone_error_srtp_needs_tls");
    expect(validate(filled({ srtp: "optional", transport: "tls" })).srtp).toBeUndefined();
    expect(validate(filled({ srtp: "mandatory", transport: "tls" })).srtp).toBeUndefined();
    expect(validate(filled({ region: "de" })).region).toBe("phone_error_region");
    expect(validate(filled({ dialPrefix: "9a" })).dialPrefix).toBe("phone_error_prefix");
    expect(validate(filled({ dialPrefix: "1234567" })).dialPrefix).toBe("phone_error_prefix");
    expect(validate(filled({ password: "x".repeat(257) })).password).toBe("phone_error_too_long");
  });

  it("sends TLS settings only with TLS", () => {
    const tls = toSetParams(filled({ transport: "tls", caFile: " /etc/ca.pem ", verifyServer: false, srtp: "mandatory" }), []);
    expect(tls.account).toMatchObject({ transport: "tls", ca_file: "/etc/ca.pem", verify_server: false, srtp: "mandatory" });
    expect(toSetParams(filled({ registrar: "sips:pbx.example.com" }), []).account.registrar).toBe("sips:pbx.example.com");
  });

  it("makes an id from the address that no other account has", () => {
    expect(accountIdFor("Alice.Smith@pbx", [])).toBe("alice-smith");
    expect(accountIdFor("sip:+4930123@pbx", [])).toBe("4930123");
    expect(accountIdFor("alice@pbx", ["alice", "alice-2"])).toBe("alice-3");
    expect(accountIdFor("local@pbx", [])).toBe("local-2");
    expect(accountIdFor("_@pbx", [])).toBe("phone");
    expect(toSetParams(filled(), ["alice"]).account.id).toBe("alice-2");
  });
});

describe("first run", () => {
  const status = (id: string) => ({ config: { id, uri: `sip:${id}@x` }, has_password: false, registration: "none" as const, status_code: null, reason: "", expires_s: null, advice: "", listen: "", accepts_from: "", realm: "" });

  it("asks for an account only once the list arrived holding nothing but the built-in one", () => {
    expect(needsAccount([])).toBe(false); // not loaded yet
    expect(needsAccount([status("local")])).toBe(true);
    expect(needsAccount([status("local"), status("alice")])).toBe(false);
  });

  it("gives install steps per OS", () => {
    const keys = (os: string) => installSteps({ os: installOs(os), debArch: "arm64" }, "0.3.0").map((s) => s.key);
    expect(installSteps({ os: "linux", debArch: "arm64" }, "0.3.0")[0]).toEqual({ key: "install_linux_deb", subs: ["rolecall_0.3.0_arm64.deb"] });
    expect(keys("linux")).toEqual(["install_linux_deb", "install_linux_script", "install_then_retry"]);
    expect(keys("mac")).toEqual(["install_mac_script", "install_then_retry"]);
    expect(keys("win")).toEqual(["install_win_script", "install_then_retry"]);
    expect(keys("cros")).toEqual(["install_other", "install_then_retry"]);
  });
});
