// What the background and the options page both know of sites: the CRMs the options
// page offers to enable in one click, and one site's state as the background reports it.

export interface KnownCrm {
  id: string;
  name: string;
  patterns: string[];
}

/** The CRMs the options page offers to enable in one click. */
export const KNOWN_CRMS: readonly KnownCrm[] = [
  {
    id: "salesforce",
    name: "Salesforce",
    patterns: ["https://*.lightning.force.com/*", "https://*.my.salesforce.com/*"],
  },
  { id: "dynamics", name: "Dynamics 365", patterns: ["https://*.dynamics.com/*"] },
  {
    id: "hubspot",
    name: "HubSpot",
    patterns: ["https://app.hubspot.com/*", "https://app-eu1.hubspot.com/*"],
  },
  {
    id: "zoho",
    name: "Zoho CRM",
    patterns: [
      "https://crm.zoho.com/*",
      "https://crm.zoho.eu/*",
      "https://crm.zoho.in/*",
      "https://crm.zoho.com.au/*",
      "https://crm.zoho.jp/*",
    ],
  },
  { id: "pipedrive", name: "Pipedrive", patterns: ["https://*.pipedrive.com/*"] },
];

export interface SiteInfo {
  pattern: string;
  enabled: boolean;
  /** Held from install (a development build's loopback sites): can be turned off only. */
  builtIn: boolean;
  crm: string | null;
}
