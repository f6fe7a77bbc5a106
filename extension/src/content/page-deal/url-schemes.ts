// Which record a CRM page shows, read from its URL alone: one row per CRM's URL scheme
// (paths, hash routes, query strings), each citing where the scheme comes from. A row
// says the record's type (normalised: "opportunity", "deal", "contact"…), its id, and
// whether the page is one record (a detail or edit view) or a list of them. A URL no
// row knows falls back to `genericIdentity`: the origin and the normalised path, ids
// kept, trailing actions (/edit, /view) and tracking parameters dropped, so the key is
// the same across reloads and in-app navigation between the record's tabs.

export interface RecordIdentity {
  crm: string;
  objectType: string;
  recordId: string;
  /** True for one record's page; false for a list, a board, a search. */
  single: boolean;
  /** Stable across reloads and in-app navigation between the record's views. */
  key: string;
}

interface Hit {
  type: string;
  id: string;
  single?: boolean;
}

export interface UrlScheme {
  crm: string;
  /** Where the scheme is documented or defined. */
  source: string;
  /** Hosts the CRM is served from (self-hosted ones match by URL shape alone). */
  hosts?: RegExp;
  read(u: URL): Hit | null;
}

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const SUGAR_ID = `${UUID}|[0-9a-fA-F]{32}|[0-9a-f]{8}-[0-9a-f-]{20,}`;
const NEW_WORDS = new Set(["new", "create", "add", "0", "edit"]);

// ---------------------------------------------------------------------------------
// Helpers

/** The hash as a route: "#/a/b", "#!/a/b" and "#a/b" → "a/b" (query kept after "?"). */
function hashRoute(u: URL): string {
  return u.hash.replace(/^#!?\/?/, "");
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A path regex with groups (type, id); `type` given fixes the type. */
function onPath(re: RegExp, type?: string | ((t: string) => string)): (u: URL) => Hit | null {
  return (u) => {
    const m = re.exec(u.pathname);
    if (!m) return null;
    const t = typeof type === "string" ? type : type ? type(m[1] ?? "") : (m[1] ?? "");
    const id = decode(typeof type === "string" ? (m[1] ?? "") : (m[2] ?? ""));
    return { type: t, id };
  };
}

function onHash(re: RegExp, type?: string | ((t: string) => string)): (u: URL) => Hit | null {
  return (u) => {
    const m = re.exec(hashRoute(u));
    if (!m) return null;
    const t = typeof type === "string" ? type : type ? type(m[1] ?? "") : (m[1] ?? "");
    const id = decode(typeof type === "string" ? (m[1] ?? "") : (m[2] ?? ""));
    return { type: t, id };
  };
}

/** A list page: the path (or route) matches `re`, whose first group is the type. */
function listOn(re: RegExp, where: "path" | "hash" = "path"): (u: URL) => Hit | null {
  return (u) => {
    const m = re.exec(where === "path" ? u.pathname : hashRoute(u));
    return m ? { type: m[1] ?? "", id: "", single: false } : null;
  };
}

function first(...readers: ((u: URL) => Hit | null)[]): (u: URL) => Hit | null {
  return (u) => {
    for (const read of readers) {
      const hit = read(u);
      if (hit) return hit;
    }
    return null;
  };
}

/** Parameters of the query, or of a query inside the hash ("#id=5&model=crm.lead"). */
function params(u: URL): URLSearchParams {
  const out = new URLSearchParams(u.search);
  const hash = u.hash.replace(/^#!?\/?/, "");
  const inHash = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : hash.includes("=") ? hash : "";
  for (const [k, v] of new URLSearchParams(inHash)) if (!out.has(k)) out.set(k, v);
  return out;
}

const CRM_TYPES: Record<string, string> = {
  opportunities: "opportunity",
  opportunity: "opportunity",
  opportunitypage: "opportunity",
  opportunitypagev2: "opportunity",
  oppo: "opportunity",
  potentials: "potential",
  potential: "potential",
  deals: "deal",
  deal: "deal",
  "crm.lead": "opportunity",
  "crm-deal": "deal",
  "crm deal": "deal",
  leads: "lead",
  lead: "lead",
  leadpagev2: "lead",
  contacts: "contact",
  contact: "contact",
  contactpagev2: "contact",
  cont: "contact",
  people: "person",
  persons: "person",
  person: "person",
  accounts: "account",
  account: "account",
  accountpagev2: "account",
  companies: "company",
  company: "company",
  organizations: "organization",
  organization: "organization",
  organisation: "organization",
  customer: "customer",
  "res.partner": "contact",
};

/** A CRM's name for an object type as ours: lower case, singular where we know it. */
export function normaliseType(type: string): string {
  const key = type.trim().toLowerCase();
  return CRM_TYPES[key] ?? key.replace(/[^a-z0-9_.-]/g, "_");
}

// ---------------------------------------------------------------------------------
// The table

export const URL_SCHEMES: readonly UrlScheme[] = [
  {
    crm: "salesforce",
    // https://developer.salesforce.com/docs/atlas.en-us.lightning.meta/lightning/components_navigation_page_definitions.htm
    source: "Salesforce Lightning page references: /lightning/r/<Object>/<id>/view, /lightning/o/<Object>/list",
    hosts: /(^|\.)(force\.com|salesforce\.com|salesforce-setup\.com)$/,
    read: first(
      onPath(/^\/lightning\/r\/([A-Za-z0-9_]+)\/([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})(?:\/|$)/),
      listOn(/^\/lightning\/o\/([A-Za-z0-9_]+)\//),
    ),
  },
  {
    crm: "dynamics",
    // https://learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url
    source: "Dynamics 365 / Power Apps: main.aspx?pagetype=entityrecord&etn=<entity>&id=<guid>",
    hosts: /(^|\.)dynamics\.com$/,
    read(u) {
      const p = params(u);
      const type = p.get("etn") ?? "";
      if (!type) return null;
      const id = (p.get("id") ?? "").replace(/[{}]/g, "");
      return { type, id, single: p.get("pagetype") !== "entitylist" && !!id };
    },
  },
  {
    crm: "hubspot",
    // https://knowledge.hubspot.com/records/view-record (record URLs /contacts/<portal>/record/<objectTypeId>/<id>)
    source: "HubSpot record pages: /contacts/<portal>/record/0-3/<dealId> (0-1 contact, 0-2 company)",
    hosts: /(^|\.)hubspot\.com$/,
    read(u) {
      const m = /^\/contacts\/\d+\/(?:record\/(0-[123])|(deal|contact|company))\/(\d+)/.exec(u.pathname);
      if (!m) return null;
      const type = m[2] ?? ({ "0-1": "contact", "0-2": "company", "0-3": "deal" } as Record<string, string>)[m[1] ?? ""];
      return { type: type ?? "", id: m[3] ?? "" };
    },
  },
  {
    crm: "zoho",
    // https://www.zoho.com/crm/developer/docs/api/v2/modules-api.html (module API names Potentials/Deals)
    source: "Zoho CRM: /crm/<org>/tab/<Module>/<id> (Potentials = deals)",
    hosts: /(^|\.)zoho\.(com|eu|in|com\.au|jp|com\.cn|ca|sa)$/,
    read: onPath(/^\/crm\/(?:org\d+\/)?tab\/([A-Za-z_]+)\/(\d+)/),
  },
  {
    crm: "pipedrive",
    // https://pipedrive.readme.io/docs/core-api-concepts-about-pipedrive-api (deal/person/organization ids)
    source: "Pipedrive: /deal/<id>, /person/<id>, /organization/<id>",
    hosts: /(^|\.)pipedrive\.com$/,
    read: onPath(/^\/(deal|person|organization)\/(\d+)(?:\/|$)/),
  },
  {
    crm: "odoo",
    // https://github.com/odoo/odoo/blob/17.0/addons/web/static/src/core/browser/router.js (hash state)
    // https://github.com/odoo/odoo/blob/18.0/addons/web/static/src/core/browser/router.js (/odoo/<action>/<id>)
    source: "Odoo ≤17: /web#id=<id>&model=crm.lead&view_type=form; Odoo 18: /odoo/crm/<id>, /odoo/action-…/<id>",
    read(u) {
      if (u.pathname.startsWith("/web")) {
        const p = params(u);
        const model = p.get("model");
        if (!model) return null;
        const id = p.get("id") ?? "";
        return { type: model, id, single: !!id && p.get("view_type") !== "list" && p.get("view_type") !== "kanban" };
      }
      const m = /^\/odoo\/((?:[\w.-]+\/)*?)([\w.-]+)\/(\d+)(?:\/|$)/.exec(u.pathname);
      if (m) {
        const action = m[2] ?? "";
        const type = /crm|lead|pipeline/.test(action) ? "crm.lead" : action.replace(/^action-/, "");
        return { type, id: m[3] ?? "" };
      }
      if (/^\/odoo\/(crm|action-crm[\w.]*)\/?$/.test(u.pathname)) return { type: "crm.lead", id: "", single: false };
      return null;
    },
  },
  {
    crm: "suitecrm",
    // https://github.com/salesagility/SuiteCRM/blob/master/include/MVC/Controller/SugarController.php (module/action/record)
    // https://github.com/salesagility/SuiteCRM-Core/blob/master/core/app/core/src/app-routing.module.ts (:module/record/:record)
    source: "SuiteCRM 7 / SugarCRM CE: index.php?module=Opportunities&action=DetailView&record=<id>; SuiteCRM 8: #/opportunities/record/<id>",
    read: first(
      (u) => {
        const p = params(u);
        const module = p.get("module");
        if (!module || p.has("view") || !/index\.php$|\/$/.test(u.pathname)) return null;
        const action = (p.get("action") ?? "index").toLowerCase();
        const id = p.get("record") ?? "";
        return { type: module, id, single: !!id && /detailview|editview/.test(action) };
      },
      onHash(/^([a-z-]+)\/record\/([0-9a-f-]{20,})(?:[/?]|$)/),
      listOn(/^([a-z-]+)\/(?:index|list)\/?$/, "hash"),
    ),
  },
  {
    crm: "sugarcrm",
    // https://support.sugarcrm.com/documentation/sugar_developer/sugar_developer_serve/user_interface/sidecar/ (router: #<Module>/<id>)
    source: "SugarCRM 7+ (Sidecar): #Opportunities/<id>, #Opportunities/<id>/edit, #Opportunities (list)",
    read: onHash(new RegExp(`^([A-Z][A-Za-z]+)\\/(${SUGAR_ID})(?:\\/(?:edit|layout\\/\\w+))?$`)),
  },
  {
    crm: "espocrm",
    // https://github.com/espocrm/espocrm/blob/master/client/src/router.js (#<Scope>/view/<id>, #<Scope>/edit/<id>)
    source: "EspoCRM: #Opportunity/view/<id>, #Opportunity/edit/<id>, #Opportunity (list)",
    read: first(
      onHash(/^([A-Z][A-Za-z]+)\/(?:view|edit)\/([0-9a-f]{17}|[0-9a-zA-Z]{12,24})(?:\/|\?|$)/),
      listOn(/^(Opportunity|Contact|Account|Lead)(?:\/list)?\/?$/, "hash"),
    ),
  },
  {
    crm: "vtiger",
    // https://github.com/vtiger-crm/vtigercrm/blob/master/layouts/v7/modules/Vtiger/DetailViewHeader.tpl (getDetailViewUrl)
    source: "vTiger 7: index.php?module=Potentials&view=Detail&record=<id> (view=List for lists)",
    read(u) {
      const p = params(u);
      const module = p.get("module");
      const view = p.get("view");
      if (!module || !view) return null;
      const id = p.get("record") ?? "";
      return { type: module, id, single: !!id && /^(Detail|Edit)$/i.test(view) };
    },
  },
  {
    crm: "frappe",
    // https://github.com/frappe/frappe/blob/develop/frappe/public/js/frappe/router.js (/app/<doctype>/<name>)
    // https://github.com/frappe/crm/blob/develop/frontend/src/router.js (/crm/deals/:dealId)
    source: "Frappe / ERPNext desk: /app/opportunity/<name>; Frappe CRM: /crm/deals/<name>",
    read: first(
      onPath(/^\/crm\/(deals|leads|contacts|organizations)\/([^/]+)\/?$/),
      (u) => {
        const m = /^\/app\/([a-z0-9-]+)(?:\/([^/]+))?(?:\/(view\/\w+))?\/?$/.exec(u.pathname);
        if (!m) return null;
        const name = decode(m[2] ?? "");
        const isList = !name || name === "view" || NEW_WORDS.has(name) || name.startsWith("new-");
        return { type: (m[1] ?? "").replace(/-/g, " "), id: isList ? "" : name, single: !isList };
      },
    ),
  },
  {
    crm: "twenty",
    // https://github.com/twentyhq/twenty/blob/main/packages/twenty-front/src/modules/types/AppPath.ts
    source: "Twenty: /object/<objectNameSingular>/<uuid>; lists /objects/<objectNamePlural>",
    read: first(
      onPath(new RegExp(`^/object/([A-Za-z]+)/(${UUID})/?$`)),
      listOn(/^\/objects\/([A-Za-z]+)\/?$/),
    ),
  },
  {
    crm: "copper",
    // https://support.copper.com/ (record links app.copper.com/companies/<account>/app#/deal/<id>)
    source: "Copper: /companies/<account>/app#/deal/<id>, #/person/<id>, #/company/<id>",
    hosts: /(^|\.)(copper\.com|prosperworks\.com)$/,
    read: onHash(/^(deal|opportunity|person|people|company|organization|lead)\/(\d+)(?:\/|$)/),
  },
  {
    crm: "close",
    // https://developer.close.com/resources/leads/ (lead_…, oppo_…, cont_… ids; app.close.com/lead/<id>/)
    source: "Close: /lead/lead_<id>/ (its opportunities on the lead), /opportunity/oppo_<id>/",
    hosts: /(^|\.)close\.(com|io)$/,
    read: onPath(/^\/(lead|opportunity|contact)\/((?:lead|oppo|cont)_[A-Za-z0-9]+)\/?/),
  },
  {
    crm: "freshsales",
    // https://developers.freshworks.com/crm/api/#deals (deal ids; app links /crm/sales/deals/<id>)
    source: "Freshsales (Freshworks CRM): /crm/sales/deals/<id>, /crm/sales/contacts/<id>; legacy /deals/<id>",
    hosts: /(^|\.)(myfreshworks\.com|freshsales\.io|freshworks\.com)$/,
    read: onPath(/^(?:\/crm\/sales)?\/(deals|contacts|accounts|sales_accounts)\/(\d+)(?:\/|$)/),
  },
  {
    crm: "insightly",
    // https://api.insightly.com/v3.1/Help (Opportunities ids; app links /details/Opportunity/<id>)
    source: "Insightly: /details/Opportunity/<id>, /details/Contact/<id>; lists /list/Opportunity/",
    hosts: /(^|\.)insightly\.com$/,
    read: first(
      onPath(/^\/details\/([A-Za-z]+)\/(\d+)/),
      listOn(/^\/list\/([A-Za-z]+)/),
    ),
  },
  {
    crm: "bitrix24",
    // https://apidocs.bitrix24.com/api-reference/crm/deals/ (deal card /crm/deal/details/<id>/)
    source: "Bitrix24: /crm/deal/details/<id>/ (0 = new), lists /crm/deal/list/, /crm/deal/kanban/",
    read(u) {
      const m = /^\/crm\/(deal|contact|company|lead)\/(details\/(\d+)|list|kanban|category\/\d+)\/?/.exec(u.pathname);
      if (!m) return null;
      const id = m[3] ?? "";
      return { type: m[1] ?? "", id: id === "0" ? "" : id, single: !!id && id !== "0" };
    },
  },
  {
    crm: "creatio",
    // https://academy.creatio.com/docs/developer/front_end_development/ (Shell #Card/<Page>/edit/<guid>)
    source: "Creatio: /0/Shell/#Card/OpportunityPageV2/edit/<guid>; sections #Section/…",
    read: onHash(new RegExp(`^(?:Card|CardModuleV2)\\/(\\w+?)(?:V2)?\\/(?:edit|view)\\/(${UUID})`), (t) =>
      t.replace(/Page$/, ""),
    ),
  },
  {
    crm: "zendesk_sell",
    // https://developer.zendesk.com/api-reference/sales-crm/resources/deals/ (app links /sales/deals/<id>)
    source: "Zendesk Sell: app.futuresimple.com/sales/deals/<id>, /crm/contacts/<id>, /leads/<id>",
    hosts: /(^|\.)(futuresimple\.com|zendesk\.com)$/,
    read: onPath(/^\/(?:sales|crm)\/(deals|contacts|leads)\/(\d+)(?:\/|$)/),
  },
  {
    crm: "keap",
    // https://help.keap.com/ (Infusionsoft classic: Opportunity/manageOpportunity.jsp?view=edit&ID=<id>)
    source: "Keap (Infusionsoft): /Opportunity/manageOpportunity.jsp?view=edit&ID=<id>, /Contact/manageContact.jsp?ID=<id>",
    hosts: /(^|\.)(infusionsoft\.com|keap\.app|keap\.com)$/,
    read(u) {
      const m = /\/(Opportunity|Contact|Company)\/manage\w+\.jsp$/.exec(u.pathname);
      if (!m) return null;
      const id = new URLSearchParams(u.search).get("ID") ?? "";
      return { type: m[1] ?? "", id, single: !!id };
    },
  },
  {
    crm: "monday",
    // https://developer.monday.com/api-reference/reference/items (item URL /boards/<board>/pulses/<item>)
    source: "monday CRM: /boards/<boardId>/pulses/<itemId> (an item on the deals board)",
    hosts: /(^|\.)monday\.com$/,
    read(u) {
      const m = /^\/boards\/(\d+)(?:\/pulses\/(\d+))?/.exec(u.pathname);
      if (!m) return null;
      return { type: "item", id: m[2] ?? "", single: !!m[2] };
    },
  },
];

// ---------------------------------------------------------------------------------

const TRACKING = /^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|ref|ref_src|igshid|yclid|_hsenc|_hsmi|__hstc|__hssc|__hsfp|hsCtaTracking)$/i;
const ACTIONS = new Set(["edit", "view", "show", "detail", "details", "overview", "summary", "activity", "activities"]);
const ID_SEGMENT = new RegExp(`^(\\d+|${UUID}|[0-9a-fA-F]{12,}|[A-Za-z0-9]{15}|[A-Za-z0-9]{18}|[a-z]+_[A-Za-z0-9]{8,}|[A-Z][A-Z0-9]*-[A-Z0-9-]*\\d+)$`);

/** The origin, path and route without trailing actions or tracking parameters. */
export function normalisedUrl(u: URL): string {
  const path = u.pathname.split("/").filter(Boolean);
  while (path.length && ACTIONS.has(path[path.length - 1]!.toLowerCase())) path.pop();
  const query = [...new URLSearchParams(u.search)].filter(([k]) => !TRACKING.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const search = query.length ? "?" + new URLSearchParams(query).toString() : "";
  // A hash that is a route ("#/deals/5", "#!deals/5", "#Deal/view/5") is part of the page; an anchor is not.
  const route = hashRoute(u);
  const hash = /^[^=&]*\/[^=&]*$/.test(route) ? "#" + route.replace(/\/(edit|view|show)(\/|$)/i, "/").replace(/\/$/, "") : "";
  return `${u.origin}/${path.join("/")}${search}${hash}`;
}

/** The record a URL no scheme knows names: the last id-like segment of its path or route, and the type before it. */
export function genericIdentity(u: URL): RecordIdentity {
  const key = normalisedUrl(u);
  const route = hashRoute(u).split("?")[0]!;
  const routeParts = route.includes("/") ? route.split("/") : [];
  const segments = [...u.pathname.split("/"), ...routeParts].filter(Boolean).map(decode);
  while (segments.length && ACTIONS.has(segments[segments.length - 1]!.toLowerCase())) segments.pop();
  const last = segments[segments.length - 1] ?? "";
  if (ID_SEGMENT.test(last) && segments.length >= 2) {
    return { crm: "generic", objectType: normaliseType(segments[segments.length - 2]!), recordId: last, single: true, key };
  }
  return { crm: "generic", objectType: "", recordId: "", single: false, key };
}

/** The record `u` names by the first scheme that reads it (host-bound ones first), else the generic reading. */
export function identify(u: URL): RecordIdentity {
  const host = u.hostname.toLowerCase();
  const ordered = [...URL_SCHEMES.filter((s) => s.hosts?.test(host)), ...URL_SCHEMES.filter((s) => !s.hosts)];
  for (const scheme of ordered) {
    let hit: Hit | null = null;
    try {
      hit = scheme.read(u);
    } catch {
      hit = null;
    }
    if (!hit) continue;
    const objectType = normaliseType(hit.type);
    const recordId = hit.id.trim();
    const single = hit.single ?? (!!recordId && !NEW_WORDS.has(recordId.toLowerCase()));
    const key = single ? `${scheme.crm}:${host}/${objectType}/${recordId}` : normalisedUrl(u);
    return { crm: scheme.crm, objectType, recordId: single ? recordId : "", single, key };
  }
  return genericIdentity(u);
}
