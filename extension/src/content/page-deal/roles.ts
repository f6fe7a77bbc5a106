// A person's role on a deal as the page words it ("Champion", "Technischer Prüfer",
// "决策人", or inside a title: "Head of Procurement (decision maker)") mapped to one of
// the host's roles. The page's own wording is kept beside it; unknown wording maps to
// nothing rather than to a guess.

import type { Role } from "../../protocol";

// Wordings per role, compared after `roleKey`. English, German, French, Spanish, Chinese.
const WORDS: Record<Exclude<Role, "none" | "other">, readonly string[]> = {
  decision_maker: [
    "decision maker", "decisionmaker", "final decision maker", "economic decision maker", "approver", "final approver",
    "signatory", "signer",
    "entscheider", "entscheidungsträger", "entscheidungstraeger", "entscheiderin",
    "décideur", "décisionnaire", "decideur", "décisionnaire final",
    "decisor", "tomador de decisiones", "responsable de la decisión", "responsable de decisión",
    "决策人", "决策者", "拍板人", "最终决策人",
  ],
  economic_buyer: [
    "economic buyer", "budget holder", "budget owner", "buyer", "purchaser", "procurement", "payer",
    "wirtschaftlicher käufer", "budgetverantwortlicher", "budgetverantwortliche", "einkäufer", "einkauf",
    "acheteur économique", "acheteur", "responsable budget", "détenteur du budget",
    "comprador económico", "comprador", "responsable del presupuesto",
    "经济买家", "预算负责人", "采购", "采购负责人", "经济决策人",
  ],
  executive_sponsor: [
    "executive sponsor", "sponsor", "exec sponsor", "executive",
    "sponsor exécutif", "sponsor executif", "patrocinador ejecutivo", "patrocinador",
    "geschäftsführender sponsor", "auftraggeber",
    "高管支持者", "高层赞助人", "赞助人",
  ],
  technical_buyer: [
    "technical buyer", "technical evaluator", "technical decision maker", "technical contact", "technical lead",
    "technischer käufer", "technischer entscheider", "technischer prüfer", "technischer ansprechpartner",
    "acheteur technique", "évaluateur technique", "evaluateur technique", "référent technique",
    "comprador técnico", "evaluador técnico", "responsable técnico",
    "技术买家", "技术评估人", "技术负责人", "技术决策人",
  ],
  evaluator: [
    "evaluator", "evaluation", "tester", "reviewer", "prüfer", "bewerter", "évaluateur", "evaluateur",
    "evaluador", "评估人", "评估者",
  ],
  influencer: [
    "influencer", "champion", "coach", "advocate", "internal champion", "key influencer",
    "beeinflusser", "fürsprecher", "befürworter", "meinungsführer",
    "influenceur", "prescripteur", "promoteur", "ambassadeur",
    "influenciador", "influyente", "promotor", "defensor",
    "影响者", "影响人", "支持者", "内部支持者", "倡导者",
  ],
  business_user: [
    "business user", "user", "end user", "key user", "primary user",
    "anwender", "nutzer", "endanwender", "fachanwender",
    "utilisateur", "utilisateur final", "usuario", "usuario final", "用户", "最终用户", "业务用户",
  ],
};

/** Role wording reduced for comparison: lower case, single spaces, no punctuation. */
export function roleKey(text: string): string {
  return text
    .toLocaleLowerCase()
    .normalize("NFC")
    .replace(/[_\-/]+/g, " ")
    .replace(/[^\p{L}\p{N} ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const EXACT = new Map<string, Role>();
for (const role of Object.keys(WORDS) as (keyof typeof WORDS)[]) {
  for (const word of WORDS[role]) if (!EXACT.has(roleKey(word))) EXACT.set(roleKey(word), role);
}
// Longest first, so "technical decision maker" wins over "decision maker".
const PHRASES = [...EXACT.entries()].sort((a, b) => b[0].length - a[0].length);
const CJK = /[\u3400-\u9fff]/;

/** The host role `text` words, or null when it names none we know. */
export function canonicalRole(text: string | undefined | null): Role | null {
  const key = roleKey(text ?? "");
  if (!key) return null;
  const exact = EXACT.get(key);
  if (exact) return exact;
  for (const [phrase, role] of PHRASES) {
    if (phrase.length < 4 && !CJK.test(phrase)) continue;
    const at = key.indexOf(phrase);
    if (at < 0) continue;
    if (CJK.test(phrase)) return role;
    const before = at === 0 || key[at - 1] === " ";
    const after = at + phrase.length === key.length || key[at + phrase.length] === " ";
    if (before && after) return role;
  }
  return null;
}

/**
 * A role written inside a title: "Head of Procurement (decision maker)", "CTO – Champion",
 * "采购经理（决策人）". Returns the title without it and the role's wording, or null.
 */
export function roleInTitle(title: string): { title: string; role: string } | null {
  const m = /^(.*?)\s*[(（[]\s*([^()（）[\]]+?)\s*[)）\]]\s*$/.exec(title) ?? /^(.*?)\s+[–—|·-]\s+([^–—|·-]+)$/.exec(title);
  if (!m) return null;
  const role = (m[2] ?? "").trim();
  if (!canonicalRole(role)) return null;
  return { title: (m[1] ?? "").trim(), role };
}
