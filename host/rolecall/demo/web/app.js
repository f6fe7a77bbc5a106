// The demo CRM's pages, rendered in the browser from /api/ and navigated on the client
// (history.pushState), as the big CRMs' single-page apps are. Every text from the data is
// set with textContent or setAttribute: no HTML is ever built from strings.
// The record in view is marked with schema.org microdata (identifier, additionalType),
// and each person with a schema.org Person item, so that any page reader (the Rolecall
// extension's generic adapter among them) can tell what the page shows.
"use strict";

(() => {
  const app = document.getElementById("app");
  const SCHEMA = "https://schema.org/";

  /** An element: h("a", {href: "/x", class: "y"}, "text", child, ...). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const meta = (prop, content) => h("meta", { itemprop: prop, content });
  const link = (href, text, attrs) => h("a", { href, "data-nav": true, ...(attrs || {}) }, text);
  const safeHref = (url) => (typeof url === "string" && /^(https?:\/\/|\/)/.test(url) ? url : null);

  function money(amount, currency) {
    if (amount === null || amount === undefined) return "—";
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 0 }).format(amount);
    } catch {
      return `${currency} ${amount}`;
    }
  }

  function day(iso) {
    if (!iso) return "—";
    const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }

  function size(bytes) {
    return bytes >= 1024 * 1024 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  /** A person's phones as CRMs show them: the first as a tel: link, the others as text. */
  function phones(list) {
    return list.map((phone, index) => {
      const kind = h("span", { class: "kind" }, phone.kind);
      if (index === 0 && phone.e164) {
        const ext = /(?:x|ext\.?)\s*(\d+)$/i.exec(phone.raw);
        const href = `tel:${phone.e164}${ext ? `;ext=${ext[1]}` : ""}`;
        return h("span", {}, h("a", { href, itemprop: "telephone" }, phone.raw), kind);
      }
      return h("span", {}, h("span", { itemprop: "telephone" }, phone.raw), kind);
    });
  }

  function facts(pairs) {
    return h("dl", { class: "facts" }, pairs.map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))));
  }

  async function api(path) {
    const response = await fetch(`/api/${path}`, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(response.status === 404 ? "not found" : `HTTP ${response.status}`);
    return response.json();
  }

  // ---- pages --------------------------------------------------------------------------

  async function opportunities() {
    const list = await api("opportunities");
    document.title = "Opportunities | Northwind Sales Cloud";
    return h(
      "main",
      {},
      h("section", { class: "record-header" }, h("div", { class: "object" }, "Opportunities"), h("h1", {}, "All open and closed deals")),
      h(
        "section",
        { class: "card" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Opportunity", "Account", "Stage", "Amount", "Close date", "Owner"].map((t) => h("th", {}, t)))),
          h(
            "tbody",
            {},
            list.map((o) =>
              h(
                "tr",
                {},
                h("td", {}, link(`/opportunities/${encodeURIComponent(o.id)}`, o.name)),
                h("td", {}, o.account ? link(`/accounts/${encodeURIComponent(o.account.id)}`, o.account.name) : "—"),
                h("td", {}, h("span", { class: "stage" }, o.stage)),
                h("td", {}, money(o.amount, o.currency)),
                h("td", {}, day(o.close_date)),
                h("td", {}, o.owner),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function opportunity(id) {
    const o = await api(`opportunities/${encodeURIComponent(id)}`);
    document.title = `${o.name} | Opportunity | Northwind Sales Cloud`;
    const people = o.contacts.map((c) =>
      h(
        "tr",
        { itemscope: true, itemtype: `${SCHEMA}Person`, "data-contact-id": c.id },
        h("td", {}, h("span", { itemprop: "name" }, c.name), c.primary ? h("span", { class: "primary" }, "Primary") : null),
        h("td", {}, h("span", { itemprop: "roleName" }, c.role_label || "—")),
        h("td", {}, h("span", { itemprop: "jobTitle" }, c.title)),
        h("td", { class: "phones" }, phones(c.phones)),
        h("td", {}, c.email ? h("a", { href: `mailto:${c.email}`, itemprop: "email" }, c.email) : "—"),
      ),
    );
    const documents = o.documents.map((d) =>
      h(
        "tr",
        { "data-document-id": d.id },
        h("td", {}, h("span", { class: "doc-type" }, d.type), h("a", { href: safeHref(d.url), target: "_blank", rel: "noopener" }, d.title)),
        h("td", {}, size(d.size_bytes)),
        h("td", {}, d.owner),
        h("td", {}, day(d.modified_at)),
      ),
    );
    return h(
      "main",
      { itemscope: true, itemtype: `${SCHEMA}Thing`, "data-record-id": o.id },
      meta("additionalType", "Opportunity"),
      meta("identifier", o.id),
      h(
        "section",
        { class: "record-header" },
        h("div", { class: "object" }, "Opportunity"),
        h("h1", { itemprop: "name" }, o.name),
        facts([
          ["Account", o.account ? link(`/accounts/${encodeURIComponent(o.account.id)}`, o.account.name) : "—"],
          ["Stage", h("span", { class: "stage" }, o.stage)],
          ["Amount", money(o.amount, o.currency)],
          ["Close date", day(o.close_date)],
          ["Owner", o.owner],
        ]),
      ),
      h(
        "div",
        { class: "columns" },
        h(
          "div",
          {},
          h(
            "section",
            { class: "card", "aria-labelledby": "roles-h" },
            h("h2", { id: "roles-h" }, `Contact roles (${o.contacts.length})`),
            h(
              "table",
              {},
              h("thead", {}, h("tr", {}, ["Name", "Role", "Title", "Phone", "Email"].map((t) => h("th", {}, t)))),
              h("tbody", {}, people),
            ),
          ),
          h(
            "section",
            { class: "card", "aria-labelledby": "files-h" },
            h("h2", { id: "files-h" }, `Files (${o.documents.length})`),
            h(
              "table",
              {},
              h("thead", {}, h("tr", {}, ["File", "Size", "Owner", "Last modified"].map((t) => h("th", {}, t)))),
              h("tbody", {}, documents),
            ),
          ),
        ),
        h("section", { class: "card" }, h("h2", {}, "Description"), h("p", { class: "description", itemprop: "description" }, o.description)),
      ),
    );
  }

  async function contacts() {
    const list = await api("contacts");
    document.title = "Contacts | Northwind Sales Cloud";
    return h(
      "main",
      {},
      h("section", { class: "record-header" }, h("div", { class: "object" }, "Contacts"), h("h1", {}, `All contacts (${list.length})`)),
      h(
        "section",
        { class: "card" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Name", "Title", "Account", "Phone", "Email"].map((t) => h("th", {}, t)))),
          h(
            "tbody",
            {},
            list.map((c) =>
              h(
                "tr",
                { itemscope: true, itemtype: `${SCHEMA}Person`, "data-contact-id": c.id },
                h("td", {}, h("span", { itemprop: "name" }, c.name)),
                h("td", {}, h("span", { itemprop: "jobTitle" }, c.title)),
                h("td", {}, c.account ? link(`/accounts/${encodeURIComponent(c.account.id)}`, c.account.name) : "—"),
                h("td", { class: "phones" }, phones(c.phones)),
                h("td", {}, c.email ? h("a", { href: `mailto:${c.email}`, itemprop: "email" }, c.email) : "—"),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function accounts() {
    const list = await api("accounts");
    document.title = "Accounts | Northwind Sales Cloud";
    return h(
      "main",
      {},
      h("section", { class: "record-header" }, h("div", { class: "object" }, "Accounts"), h("h1", {}, "All accounts")),
      h(
        "section",
        { class: "card" },
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Account", "Industry", "Phone", "Website"].map((t) => h("th", {}, t)))),
          h(
            "tbody",
            {},
            list.map((a) =>
              h(
                "tr",
                {},
                h("td", {}, link(`/accounts/${encodeURIComponent(a.id)}`, a.name)),
                h("td", {}, a.industry),
                h("td", {}, a.phone),
                h("td", { class: "muted" }, a.website),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function account(id) {
    const a = await api(`accounts/${encodeURIComponent(id)}`);
    document.title = `${a.name} | Account | Northwind Sales Cloud`;
    return h(
      "main",
      { itemscope: true, itemtype: `${SCHEMA}Organization`, "data-record-id": a.id },
      meta("additionalType", "Account"),
      meta("identifier", a.id),
      h(
        "section",
        { class: "record-header" },
        h("div", { class: "object" }, "Account"),
        h("h1", { itemprop: "name" }, a.name),
        facts([
          ["Industry", a.industry],
          ["Switchboard", h("span", { itemprop: "telephone" }, a.phone || "—")],
          ["Website", h("span", { class: "muted" }, a.website)],
        ]),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, `Opportunities (${a.opportunities.length})`),
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Opportunity", "Stage", "Amount", "Close date"].map((t) => h("th", {}, t)))),
          h(
            "tbody",
            {},
            a.opportunities.map((o) =>
              h(
                "tr",
                {},
                h("td", {}, link(`/opportunities/${encodeURIComponent(o.id)}`, o.name)),
                h("td", {}, h("span", { class: "stage" }, o.stage)),
                h("td", {}, money(o.amount, o.currency)),
                h("td", {}, day(o.close_date)),
              ),
            ),
          ),
        ),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, `Contacts (${a.contacts.length})`),
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Name", "Title", "Phone", "Email"].map((t) => h("th", {}, t)))),
          h(
            "tbody",
            {},
            a.contacts.map((c) =>
              h(
                "tr",
                { itemprop: "employee", itemscope: true, itemtype: `${SCHEMA}Person`, "data-contact-id": c.id },
                h("td", {}, h("span", { itemprop: "name" }, c.name)),
                h("td", {}, h("span", { itemprop: "jobTitle" }, c.title)),
                h("td", { class: "phones" }, phones(c.phones)),
                h("td", {}, c.email ? h("a", { href: `mailto:${c.email}`, itemprop: "email" }, c.email) : "—"),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // ---- routing --------------------------------------------------------------------------

  const ROUTES = [
    [/^\/(?:opportunities)?$/, () => opportunities()],
    [/^\/opportunities\/([^/]+)$/, (m) => opportunity(decodeURIComponent(m[1]))],
    [/^\/contacts$/, () => contacts()],
    [/^\/accounts$/, () => accounts()],
    [/^\/accounts\/([^/]+)$/, (m) => account(decodeURIComponent(m[1]))],
  ];

  let rendering = 0;
  async function render() {
    const mine = ++rendering;
    app.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    let page;
    try {
      const path = location.pathname;
      const route = ROUTES.find(([pattern]) => pattern.test(path));
      if (!route) throw new Error("not found");
      page = await route[1](route[0].exec(path));
    } catch (error) {
      page = h("main", {}, h("section", { class: "card" }, h("h1", {}, "Not available"), h("p", {}, String(error.message || error))));
    }
    if (mine === rendering) {
      app.replaceChildren(page);
      window.scrollTo(0, 0);
    }
  }

  document.addEventListener("click", (event) => {
    const anchor = event.target instanceof Element ? event.target.closest("a[data-nav]") : null;
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    if (url.pathname !== location.pathname) history.pushState({}, "", url.pathname);
    render();
  });
  window.addEventListener("popstate", render);
  render();
})();
