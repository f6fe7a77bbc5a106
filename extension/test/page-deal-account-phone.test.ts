// @vitest-environment jsdom
// The account's main line beside the account on a deal page: read into the snapshot's
// deal, kept through the clip, and never taken for a person's phone.

import { describe, expect, it } from "vitest";
import { readPage } from "../src/content/adapters/index";
import { clipDeal, snapshotProblems } from "../src/content/adapters/clip";

const URL_ = "https://vtiger.initech.example/index.php?module=Potentials&view=Detail&record=128&app=SALES";

function page(mainLineLabel: string): Document {
  document.body.innerHTML = `
<div class="detailview-header"><h4 class="recordLabel"><span>Initech Renewal</span></h4></div>
<table class="detailview-table">
<tr><td class="fieldLabel">Sales Stage</td><td class="fieldValue">Negotiation</td></tr>
<tr><td class="fieldLabel">Organization</td><td class="fieldValue">Initech</td></tr>
<tr><td class="fieldLabel">${mainLineLabel}</td><td class="fieldValue">+1 512 555 0100</td></tr>
</table>
<table class="listview-table"><thead><tr><th>Contact</th><th>Title</th><th>Office Phone</th></tr></thead><tbody>
<tr><td>Peter Gibbons</td><td>Engineer</td><td>+1 512 555 0190</td></tr></tbody></table>`;
  return document;
}

describe("the account's main line", () => {
  it.each(["Main Phone", "Company phone", "Firmentelefon", "Téléphone société", "总机"])(
    "is read from '%s' beside the account",
    (label) => {
      const { snapshot } = readPage(new URL(URL_), page(label), null);
      expect(snapshotProblems(snapshot)).toEqual([]);
      expect(snapshot?.deal?.account).toBe("Initech");
      expect(snapshot?.deal?.account_phone).toBe("+1 512 555 0100");
      const phones = (snapshot?.contacts ?? []).flatMap((c) => c.phones ?? []);
      expect(phones.some((p) => p.replace(/\D/g, "").endsWith("5125550100"))).toBe(false);
    },
  );

  it("is clipped as text and dropped when empty", () => {
    expect(clipDeal({ account_phone: "  <b>+1 512 555 0100</b>  " })?.account_phone).toBe("<b>+1 512 555 0100</b>");
    expect(clipDeal({ account_phone: 42 })).toBeNull();
    expect(snapshotProblems({ crm: "generic", deal: { account_phone: "x".repeat(65) } })).toContain(
      "snapshot.deal.account_phone: longer than 64",
    );
  });
});
