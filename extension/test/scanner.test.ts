// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";
import { PageScanner, type SlicedScan } from "../src/content/scanner";
import { PageWatcher } from "../src/content/watcher";
import { BUTTON_TAG, buttonTarget } from "../src/content/button";

function numbers(root: ParentNode = document): string[] {
  return Array.from(root.querySelectorAll(BUTTON_TAG), (el) => el.getAttribute("data-number") ?? "");
}

/** A button is made hidden, out of the layout, and shown with its batch. */
function shown(button: Element): boolean {
  return (button as HTMLElement).style.getPropertyValue("display") === "inline-block";
}

function scanner(activate = vi.fn()): PageScanner {
  return new PageScanner({ region: "US", activate });
}

beforeEach(() => {
  document.body.replaceChildren();
});

describe("the page scanner", () => {
  it("puts one button right after each number, however often it scans", () => {
    document.body.innerHTML =
      "<p id=p>Call +1 415 555 0132 or (415) 555-0133 today</p><table><tr><td>+44 20 7946 0001</td><td>$12,500.00</td><td>2024-05-01</td></tr></table>";
    const s = scanner();
    s.scan(document);
    s.scan(document);
    s.scan(document.body);
    expect(numbers()).toEqual(["+14155550132", "+14155550133", "+442079460001"]);
    const p = document.getElementById("p")!;
    expect(Array.from(p.childNodes, (n) => n.nodeName)).toEqual(["#text", "ROLECALL-CALL", "#text", "ROLECALL-CALL", "#text"]);
    expect(p.childNodes[0]!.textContent).toBe("Call +1 415 555 0132");
    expect(p.textContent).toBe("Call +1 415 555 0132 or (415) 555-0133 today");
    expect(s.countButtons(document)).toBe(3);
  });

  it("skips scripts, styles, form text, editable regions and non-phone links", () => {
    document.body.innerHTML = `
      <script>var a = "+1 415 555 0132";</script><style>/* +1 415 555 0132 */</style>
      <textarea>+1 415 555 0132</textarea><select><option>+1 415 555 0132</option></select>
      <div contenteditable="true"><b>+1 415 555 0132</b></div>
      <div contenteditable="false">+1 415 555 0135</div>
      <p title="+1 415 555 0133" data-x="+14155550134">none</p>`;
    scanner().scan(document);
    expect(numbers()).toEqual(["+14155550135"]);
  });

  it("gives a tel:, callto: or sip: link one button after the link", () => {
    document.body.innerHTML = `
      <a id=a href="tel:+1-415-555-0132">+1 (415) 555-0132</a>
      <a href="callto:+442079460002">Skype</a>
      <a href="sip:alice@pbx.example.com">Alice</a>
      <a href="javascript:alert(1)">+1 415 555 0133</a>`;
    scanner().scan(document);
    expect(numbers()).toEqual(["+14155550132", "+442079460002", "sip:alice@pbx.example.com", "+14155550133"]);
    expect(document.getElementById("a")!.nextSibling!.nodeName).toBe(BUTTON_TAG.toUpperCase());
  });

  it("shows the button of a phone input as soon as a number is typed in", () => {
    document.body.innerHTML = "<input id=t type=tel>";
    const s = scanner();
    s.scan(document);
    const input = document.getElementById("t") as HTMLInputElement;
    input.value = "+1 415 555 0132";
    s.scanInput(input);
    const button = input.nextElementSibling!;
    expect(buttonTarget(button)).toBe("+14155550132");
    expect(shown(button)).toBe(true);
  });

  it("gives phone inputs a button while their value is a number", () => {
    document.body.innerHTML = `
      <input id=t type=tel value="+1 415 555 0132">
      <label>Mobile <input id=m value=""></label>
      <input id=e type=email value="+1 415 555 0199">
      <input id=n name="amount" value="+1 415 555 0198">`;
    const s = scanner();
    s.scan(document);
    expect(numbers()).toEqual(["+14155550132"]);
    const mobile = document.getElementById("m") as HTMLInputElement;
    mobile.value = "020 7946 0003";
    s.scanInput(mobile);
    expect(numbers()).toEqual(["+14155550132"]); // a national UK number is not US
    mobile.value = "+44 20 7946 0003";
    s.scanInput(mobile);
    expect(numbers()).toEqual(["+14155550132", "+442079460003"]);
    mobile.value = "";
    s.scanInput(mobile);
    expect(numbers()).toEqual(["+14155550132"]);
  });

  it("replaces a button whose number changed and drops one whose number went away", () => {
    document.body.innerHTML = "<p id=p>+1 415 555 0132</p>";
    const s = scanner();
    s.scan(document);
    const text = document.getElementById("p")!.firstChild as Text;
    text.data = "+1 415 555 0139";
    s.scan(text);
    expect(numbers()).toEqual(["+14155550139"]);
    text.data = "gone";
    s.scan(text);
    expect(numbers()).toEqual([]);
  });

  it("scans open shadow roots and reports them", () => {
    const host = document.createElement("div");
    document.body.append(host);
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = "<span>+1 415 555 0132</span>";
    const seen: ShadowRoot[] = [];
    new PageScanner({ region: "US", activate: vi.fn(), onShadowRoot: (r) => seen.push(r) }).scan(document);
    expect(numbers(root)).toEqual(["+14155550132"]);
    expect(seen).toEqual([root]);
  });

  it("finds shadow roots on custom elements, nested ones too, and not on cells", () => {
    document.body.innerHTML = "<table><tr><td><rc-card></rc-card></td></tr></table>";
    const outer = document.querySelector("rc-card")!.attachShadow({ mode: "open" });
    outer.innerHTML = "<section><rc-line></rc-line></section>";
    const inner = outer.querySelector("rc-line")!.attachShadow({ mode: "open" });
    inner.innerHTML = "<b>+1 415 555 0136</b>";
    const seen: ShadowRoot[] = [];
    new PageScanner({ region: "US", activate: vi.fn(), onShadowRoot: (r) => seen.push(r) }).scan(document);
    expect(numbers(inner)).toEqual(["+14155550136"]);
    expect(seen).toEqual([outer, inner]);
  });

  it("takes everything back out, leaving the page as it was", () => {
    const html = "<p>Call +1 415 555 0132 or +1 415 555 0133 now</p><a href=\"tel:+14155550134\">x</a>";
    document.body.innerHTML = html;
    const s = scanner();
    s.scan(document);
    expect(numbers()).toHaveLength(3);
    s.removeAll(document);
    expect(document.body.innerHTML).toBe(html);
    expect(document.body.querySelector("p")!.childNodes).toHaveLength(1);
  });

  it("makes buttons the page cannot see into or click", () => {
    document.body.innerHTML = "<p>+1 415 555 0132</p>";
    const activate = vi.fn();
    scanner(activate).scan(document);
    const button = document.querySelector(BUTTON_TAG) as HTMLElement;
    expect(button.shadowRoot).toBeNull(); // closed
    button.setAttribute("data-number", "+19005550000");
    expect(buttonTarget(button)).toBe("+14155550132");
    button.click();
    button.dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true }));
    expect(activate).not.toHaveBeenCalled();
    expect(button.getAttribute("style")).toContain("!important");
  });

  it("never builds markup from page text", () => {
    document.body.innerHTML = "<p id=p></p>";
    document.getElementById("p")!.textContent = '<img src=x onerror="window.pwned=1"> +1 415 555 0132';
    scanner().scan(document);
    expect(document.querySelectorAll("img")).toHaveLength(0);
    expect(numbers()).toEqual(["+14155550132"]);
  });
});

describe("a scan in slices", () => {
  it("finds what a scan at once finds, pausing between slices", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `<tr><td>Deal ${i}</td><td>+1 212 555 01${String(i % 100).padStart(2, "0")}</td><td>$1,${i}00.00</td></tr>`);
    document.body.innerHTML = `<table>${rows.join("")}</table>`;
    const s = scanner();
    let pauses = 0;
    const timing = await new Promise<{ slices: number; longestSliceMs: number; workMs: number; wallMs: number }>((resolve) => {
      s.scanInSlices(document, 1, resolve, () => {
        pauses += 1;
      });
    });
    expect(numbers()).toHaveLength(300);
    expect(timing.slices).toBeGreaterThan(1);
    expect(pauses).toBe(timing.slices);
    expect(timing.wallMs).toBeGreaterThanOrEqual(timing.workMs);
    const before = document.body.innerHTML;
    s.scan(document);
    expect(document.body.innerHTML).toBe(before);
  });

  it("shows the top of the page first, and every button it made by the end", async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `<tr><td>Deal ${i}</td><td>+1 212 555 ${String(1000 + i)}</td></tr>`);
    document.body.innerHTML = `<table>${rows.join("")}</table>`;
    const s = scanner();
    const shownAfterSlice: number[] = [];
    await new Promise((resolve) => {
      s.scanInSlices(document, 5, resolve, () => {
        shownAfterSlice.push(Array.from(document.querySelectorAll(BUTTON_TAG)).filter(shown).length);
      });
    });
    const buttons = Array.from(document.querySelectorAll<HTMLElement>(BUTTON_TAG));
    expect(buttons).toHaveLength(400);
    expect(buttons.every(shown)).toBe(true);
    // The first batch is shown on its own, while the rest of the page is still being read.
    expect(shownAfterSlice.find((count) => count > 0)).toBeLessThan(400);
    expect(numbers().slice(0, 2)).toEqual(["+12125551000", "+12125551001"]); // in page order
  });

  it("leaves no button hidden when stopped part way", () => {
    document.body.innerHTML = `<p>${Array.from({ length: 300 }, (_, i) => `<span>+1 212 555 ${String(1000 + i)}</span>`).join("")}</p>`;
    const s = scanner();
    const stop = s.scanInSlices(document, 1000, () => undefined);
    stop();
    const buttons = Array.from(document.querySelectorAll<HTMLElement>(BUTTON_TAG));
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.every(shown)).toBe(true);
  });

  it("can be stopped part way", async () => {
    document.body.innerHTML = `<p>${Array.from({ length: 200 }, (_, i) => `<span>+1 212 555 01${String(i % 100).padStart(2, "0")}</span>`).join("")}</p>`;
    const s = scanner();
    const done = vi.fn();
    const stop = s.scanInSlices(document, 0.5, done);
    stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).not.toHaveBeenCalled();
    expect(numbers().length).toBeLessThan(200);
  });
});

describe("a change of region", () => {
  it("reads national numbers again in the new region, keeping international ones", () => {
    document.body.innerHTML = "<p>Office 020 7946 0018</p><p>HQ +1 415 555 0132</p><p>Desk (415) 555-0133</p>";
    const s = scanner();
    s.scan(document);
    expect(numbers()).toEqual(["+14155550132", "+14155550133"]);
    expect(s.setRegion("US")).toBe(false); // no change: nothing to do
    expect(s.setRegion("GB")).toBe(true);
    s.scan(document);
    expect(numbers()).toEqual(["+442079460018", "+14155550132"]);
    expect(Array.from(document.querySelectorAll(BUTTON_TAG)).every(shown)).toBe(true);
  });
});

describe("the page watcher", () => {
  it("scans what was added in one batch and ignores its own insertions", () => {
    document.body.innerHTML = "<table><tbody id=b></tbody></table>";
    const s = scanner();
    const batches: number[] = [];
    const watcher = new PageWatcher(window, {
      scanBatch: (nodes) => {
        batches.push(nodes.length);
        nodes.forEach((n) => s.scan(n));
      },
      scanAll: () => s.scan(document),
    });
    watcher.watch(document);
    s.scan(document);
    watcher.flush();
    const body = document.getElementById("b")!;
    for (let i = 0; i < 50; i++) {
      const row = document.createElement("tr");
      row.innerHTML = `<td>Row ${i}</td><td>${i % 5 === 0 ? `+1 212 555 01${String(i).padStart(2, "0")}` : "—"}</td>`;
      body.append(row);
    }
    watcher.flush();
    expect(batches).toEqual([50]);
    expect(numbers()).toHaveLength(10);
    watcher.flush(); // the buttons it added are not news
    expect(batches).toEqual([50]);
    watcher.stop();
  });
});

describe("reading the page while it is parsed", () => {
  it("reads what was parsed at each frame, all but the last text, and stops when parsed", () => {
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, "requestAnimationFrame").mockImplementation((callback) => {
      frames.push(callback);
      return frames.length;
    });
    const caf = vi.spyOn(window, "cancelAnimationFrame").mockImplementation(() => undefined);
    let state: DocumentReadyState = "loading";
    const readyState = vi.spyOn(document, "readyState", "get").mockImplementation(() => state);
    const runFrame = (): void => frames.shift()!(performance.now());
    try {
      document.body.innerHTML = "<table><tbody><tr><td>+1 415 555 0132</td></tr></tbody></table>";
      const cell = document.createElement("td");
      cell.textContent = "+1 415 555 01"; // the parser is still writing this one
      document.querySelector("tr")!.append(cell);
      const s = scanner();
      const stop = s.scanWhileParsing(document, 50);
      expect(numbers()).toEqual([]); // nothing before the first frame
      runFrame();
      expect(numbers()).toEqual(["+14155550132"]);
      expect(Array.from(document.querySelectorAll(BUTTON_TAG)).every(shown)).toBe(true);
      // More is parsed: the text is whole, and followed, so it is read now.
      (cell.firstChild as Text).appendData("33");
      const row = document.createElement("tr");
      row.innerHTML = "<td>Deal 7</td>";
      document.querySelector("tbody")!.append(row);
      runFrame();
      expect(numbers()).toEqual(["+14155550132", "+14155550133"]);
      expect(frames).toHaveLength(1);
      state = "interactive";
      runFrame(); // parsed: the frames stop, the full scan takes over
      expect(frames).toHaveLength(0);
      const timing = stop();
      expect(timing.slices).toBe(2);
      expect(numbers()).toEqual(["+14155550132", "+14155550133"]);
    } finally {
      raf.mockRestore();
      caf.mockRestore();
      readyState.mockRestore();
    }
  });

  it("lets the full scan start after what was read while parsing only while that is unchanged", async () => {
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, "requestAnimationFrame").mockImplementation((callback) => {
      frames.push(callback);
      return frames.length;
    });
    const caf = vi.spyOn(window, "cancelAnimationFrame").mockImplementation(() => undefined);
    let state: DocumentReadyState = "loading";
    const readyState = vi.spyOn(document, "readyState", "get").mockImplementation(() => state);
    const read = (change: (first: HTMLElement) => void): SlicedScan => {
      document.body.innerHTML =
        "<p id=a>Call +1 415 555 0132 now</p><p id=b>Deal 7</p><p id=c>+44 20 7946 0001</p>";
      state = "loading";
      frames.length = 0;
      const s = scanner();
      const stop = s.scanWhileParsing(document, 50);
      frames.shift()!(performance.now());
      change(document.getElementById("a")!);
      state = "interactive";
      return stop();
    };
    try {
      const unchanged = read(() => undefined);
      expect(unchanged.resumeAt?.data).toBe("+44 20 7946 0001"); // the last text, not read yet
      // A page script changed a text already read: everything is read again.
      expect(read((first) => first.append(" or +1 415 555 0199")).resumeAt).toBeNull();
      expect(read((first) => first.remove()).resumeAt).toBeNull();
      // Our own work there (a text cut where its number ends, a button) changes nothing.
      expect(read(() => undefined).resumeAt).not.toBeNull();
      expect(document.getElementById("a")!.childNodes.length).toBeGreaterThan(1);

      // The full scan from there still finds the rest, and keeps the buttons made before.
      document.body.innerHTML = "<p>+1 415 555 0132</p><p>+44 20 7946 0001</p>";
      const s = scanner();
      s.scan(document.body.firstElementChild!);
      const rest = document.body.lastElementChild!.firstChild as Text;
      await new Promise<void>((resolve) => s.scanInSlices(document, 50, () => resolve(), undefined, rest));
      expect(numbers()).toEqual(["+14155550132", "+442079460001"]);
    } finally {
      raf.mockRestore();
      caf.mockRestore();
      readyState.mockRestore();
    }
  });
});
