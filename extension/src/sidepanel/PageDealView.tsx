// A deal read off a CRM page (page memory): where it came from and a way back to it.
// Everything shown is the page's text, rendered as text; links open only http(s).

import type { JSX } from "preact";
import type { OpportunityContext } from "../protocol/index";
import { t } from "../shared/i18n";

/** The URL when it may be opened from the panel (http or https only), else null. */
export function crmLink(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function OpenInCrm({ url, testId = "open-in-crm" }: { url: string | null | undefined; testId?: string }): JSX.Element | null {
  const href = crmLink(url);
  if (!href) return null;
  return (
    <a class="open-in-crm" href={href} target="_blank" rel="noopener noreferrer" data-testid={testId}>
      {t("open_in_crm")}
    </a>
  );
}

/** Under the deal's name: "read off the page at …" and Open in CRM, for a page deal. */
export function PageDealSource({ context }: { context: OpportunityContext }): JSX.Element | null {
  if (context.source !== "page" || !context.page) return null;
  return (
    <p class="muted small page-source" data-testid="page-deal-source" data-origin={context.page.origin}>
      {t("page_deal_from", context.page.origin)} <OpenInCrm url={context.page.url} />
    </p>
  );
}
