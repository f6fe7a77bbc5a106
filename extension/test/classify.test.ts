import { describe, expect, it } from "vitest";
import { checkHelloResult, classifyDisconnect, classifyHelloError } from "../src/background/classify";

const chromium = { browser: "chromium" as const, helloSucceeded: false };
const firefox = { browser: "firefox" as const, helloSucceeded: false };

describe("classifyDisconnect", () => {
  it("Chromium: host not found → host_not_installed, with the install command", () => {
    const d = classifyDisconnect("Specified native messaging host not found.", chromium);
    expect(d.status).toBe("host_not_installed");
    expect(d.message).toMatch(/not installed/);
    expect(d.fix).toContain("`rolecall install --browser chromium`");
    expect(d.fix).toMatch(/reload the extension/);
  });

  it("Firefox: no such native application → host_not_installed, for firefox", () => {
    const d = classifyDisconnect("No such native application com.rolecall.host", firefox);
    expect(d.status).toBe("host_not_installed");
    expect(d.fix).toContain("rolecall install --browser firefox");
  });

  it("the fix names the browser it runs in", () => {
    for (const browser of ["chrome", "edge", "brave", "vivaldi"] as const) {
      const d = classifyDisconnect("Specified native messaging host not found.", { browser, helloSucceeded: false });
      expect(d.fix).toContain(`rolecall install --browser ${browser}`);
    }
  });

  it("forbidden → host_forbidden (the host's manifest lists another extension id)", () => {
    const d = classifyDisconnect("Access to the specified native messaging host is forbidden.", chromium);
    expect(d.status).toBe("host_forbidden");
    expect(d.message).toMatch(/extension id/);
    expect(d.fix).toContain("rolecall install --browser chromium");
  });

  it("exited before hello → host_exited, pointing at doctor", () => {
    const d = classifyDisconnect("Native host has exited.", chromium);
    expect(d.status).toBe("host_exited");
    expect(d.message).toMatch(/before it answered/);
    expect(d.fix).toContain("rolecall doctor");
  });

  it("exited after hello → host_exited, saying it reconnects (and why, if the daemon said)", () => {
    const d = classifyDisconnect("Native host has exited.", { ...chromium, helloSucceeded: true });
    expect(d.status).toBe("host_exited");
    expect(d.message).toMatch(/stopped/);
    const withReason = classifyDisconnect(undefined, { ...chromium, helloSucceeded: true, stoppingReason: "SIGTERM" });
    expect(withReason.status).toBe("host_exited");
    expect(withReason.message).toContain("SIGTERM");
  });

  it("no error text (Firefox when the host exits) → host_exited", () => {
    expect(classifyDisconnect(undefined, firefox).status).toBe("host_exited");
    expect(classifyDisconnect("", firefox).status).toBe("host_exited");
  });

  it("a host that cannot be started → host_not_installed (broken install)", () => {
    const d = classifyDisconnect("Failed to start native messaging host.", chromium);
    expect(d.status).toBe("host_not_installed");
    expect(d.fix).toContain("rolecall doctor");
  });

  it("garbage on the host's stdout → error", () => {
    const d = classifyDisconnect("Error when communicating with the native messaging host.", chromium);
    expect(d.status).toBe("error");
    expect(d.fix).toContain("rolecall doctor");
  });

  it("anything else → error, quoting the browser's text", () => {
    const d = classifyDisconnect("An unexpected error occurred", firefox);
    expect(d.status).toBe("error");
    expect(d.message).toContain("An unexpected error occurred");
  });
});

describe("classifyHelloError", () => {
  it("daemon_unavailable → daemon_unavailable", () => {
    const d = classifyHelloError(
      { code: "daemon_unavailable", message: "could not start the daemon", details: { log: "..." } },
      { browser: "chromium" },
    );
    expect(d.status).toBe("daemon_unavailable");
    expect(d.message).toContain("could not start the daemon");
    expect(d.fix).toContain("rolecall doctor");
  });

  it("unsupported_version → version_mismatch, naming both sides' versions", () => {
    const d = classifyHelloError(
      { code: "unsupported_version", message: "no common version", details: { supported: [2, 3] } },
      { browser: "firefox" },
    );
    expect(d.status).toBe("version_mismatch");
    expect(d.message).toContain("protocol 1");
    expect(d.message).toContain("2, 3");
  });

  it("timeout and other codes → error", () => {
    expect(classifyHelloError({ code: "timeout", message: "slow", details: {} }, { browser: "chromium" }).status).toBe("error");
    const d = classifyHelloError({ code: "internal", message: "boom", details: {} }, { browser: "chromium" });
    expect(d.status).toBe("error");
    expect(d.message).toContain("internal");
  });
});

describe("checkHelloResult", () => {
  it("accepts protocol 1 from a host of the same major version", () => {
    expect(checkHelloResult(1, "0.1.0", "0.1.0")).toBeNull();
    expect(checkHelloResult(1, "0.3.2", "0.1.0")).toBeNull();
    expect(checkHelloResult(1, undefined, "0.1.0")).toBeNull();
  });

  it("refuses a protocol it does not speak", () => {
    expect(checkHelloResult(2, "0.1.0", "0.1.0")?.status).toBe("version_mismatch");
    expect(checkHelloResult("1", "0.1.0", "0.1.0")?.status).toBe("version_mismatch");
  });

  it("refuses a host of another major version", () => {
    const d = checkHelloResult(1, "1.0.0", "0.1.0");
    expect(d?.status).toBe("version_mismatch");
    expect(d?.message).toContain("1.0.0");
  });
});
