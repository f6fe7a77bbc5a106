"""The demo dataset: eight companies in eight countries, ten deals, 43 people, 37 files.

This module owns the data a fresh install and the demos show: accounts from the US,
Germany, mainland China, Hong Kong, the UK, Brazil, Japan and India; opportunities in
every kind of stage; contacts in all of Salesforce's default roles (and none), with
names in Chinese and Japanese and with accents, phones written the way each country
writes them, reporting lines; and real document files for every deal, written by
`rolecall.demo.documents`. Deliberate rough edges, as in real CRMs: three deals
have no economic buyer, two contacts share the switchboard number of their company,
several people are on two deals, one contact belongs to no account.

Everything is fixed (no clock, no randomness): two builds into the same directory give
equal datasets and byte-identical files. Phones, e-mails and domains are fictional
(`.example` domains, numbers from ranges set aside for drama where a country has one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal
from urllib.parse import quote

from rolecall.crm.importing import PhoneKind, parse_phone
from rolecall.demo import documents as files
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Relationship,
    normalize_role,
)

__all__ = ["DEMO_NOW", "demo_dataset"]

DEMO_NOW: Final = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
"""The demo's "today": documents were last changed in the weeks before it."""

# --- accounts -------------------------------------------------------------------------

_ACCOUNTS: Final = (
    # id, name, industry, domain, switchboard, region
    ("acc-acme", "Acme Analytics, Inc.", "Technology", "acme-analytics.example",
     "(415) 555-0132", "US"),
    ("acc-kessler", "Kessler Maschinenbau GmbH", "Machinery", "kessler-maschinenbau.example",
     "+49 711 123456-0", "DE"),
    ("acc-huaxin", "华信零售集团 (Huaxin Retail Group)", "Retail", "huaxin-retail.example",
     "021-6123 4567", "CN"),
    ("acc-harbour", "Harbour Pacific Bank Limited", "Banking", "harbourpacific-bank.example",
     "+852 2123 4567", "HK"),
    ("acc-northfield", "University of Northfield", "Education",
     "northfield-university.example", "020 7946 0123", "GB"),
    ("acc-rapido", "Rápido Logística S.A.", "Transportation", "rapido-logistica.example",
     "(11) 3456-7890", "BR"),
    ("acc-sakura", "Sakura Precision K.K. (桜精密株式会社)", "Electronics",
     "sakura-precision.example", "06-6123-4567", "JP"),
    ("acc-tarang", "Tarang Health Pvt. Ltd.", "Healthcare", "tarang-health.example",
     "+91 80 4123 4567", "IN"),
)  # fmt: skip

# --- contacts -------------------------------------------------------------------------

_Phones = tuple[tuple[PhoneKind, str], ...]


@dataclass(frozen=True)
class _Person:
    id: str
    account_id: str | None
    first_name: str
    last_name: str
    title: str
    email: str
    """The part before @ (the account's domain follows), or a whole address."""
    phones: _Phones
    sip_uri: str | None = None


_W: Final = "work"
_M: Final = "mobile"

_PEOPLE: Final = (
    # Acme Analytics (San Francisco)
    _Person("con-anna-kowalski", "acc-acme", "Anna", "Kowalski", "VP, Customer Operations",
            "anna.kowalski", ((_W, "(415) 555-0147"), (_M, "415.555.0198")),
            "sip:anna@pbx.acme-analytics.example"),
    _Person("con-marcus-reed", "acc-acme", "Marcus", "Reed", "Chief Financial Officer",
            "marcus.reed", ((_W, "+1 415 555 0110"),)),
    _Person("con-priya-natarajan", "acc-acme", "Priya", "Natarajan",
            "Director, IT Infrastructure", "priya.natarajan",
            ((_W, "415-555-0163 x204"), (_M, "(628) 555-0181")),
            "sip:priya.n@pbx.acme-analytics.example"),
    _Person("con-tom-becker", "acc-acme", "Tom", "Becker", "Sales Operations Manager",
            "tom.becker", ((_M, "(628) 555-0175"),)),
    _Person("con-bjork-gudmundsdottir", "acc-acme", "Björk", "Guðmundsdóttir",
            "Head of Sales, EMEA", "bjork.gudmundsdottir", ((_M, "+354 611 2345"),)),
    _Person("con-lucia-fernandez", "acc-acme", "Lucía", "Fernández",
            "Regional Sales Manager, Iberia", "lucia.fernandez", ((_M, "+34 612 34 56 78"),)),
    _Person("con-jordan-lee", "acc-acme", "Jordan", "Lee", "Executive Assistant to the CFO",
            "jordan.lee", ((_W, "(415) 555-0111"),)),
    # Kessler Maschinenbau (Stuttgart): two people reached through the switchboard
    _Person("con-juergen-weiss", "acc-kessler", "Jürgen", "Weiß",
            "Geschäftsführer (Managing Director)", "j.weiss", ((_W, "0711 123456-0"),)),
    _Person("con-anna-schmidt", "acc-kessler", "Anna", "Schmidt", "Leiterin IT-Infrastruktur",
            "a.schmidt", ((_W, "0711 123456-0"), (_M, "0171 2345678"))),
    _Person("con-zoe-mueller", "acc-kessler", "Zoë", "Müller",
            "Leiterin Einkauf (Head of Procurement)", "z.mueller",
            ((_W, "+49 711 123456-210"), (_M, "+49 151 23456789"))),
    _Person("con-stefan-hofmann", "acc-kessler", "Stefan", "Hofmann",
            "Werkleiter Stuttgart-Feuerbach", "s.hofmann", ((_M, "0152 23456789"),)),
    _Person("con-katrin-vogel", "acc-kessler", "Katrin", "Vogel", "IT-Architektin", "k.vogel",
            ((_W, "+49 (0)711 123456-305"),), "sip:k.vogel@sip.kessler-maschinenbau.example"),
    _Person("con-mehmet-yilmaz", "acc-kessler", "Mehmet", "Yılmaz", "Teamleiter Kundendienst",
            "m.yilmaz", ((_W, "0711/123456-410"),)),
    # Huaxin Retail (Shanghai): Chinese names kept whole in the last name, as CRMs do
    _Person("con-wang-wei", "acc-huaxin", "", "王伟", "首席运营官 (COO)", "wang.wei",
            ((_W, "+86 21 6123 4567 ext. 8001"), (_M, "138 0013 8000"))),
    _Person("con-li-na", "acc-huaxin", "", "李娜", "IT总监 (IT Director)", "li.na",
            ((_M, "+86 139 1234 5678"),)),
    _Person("con-zhang-min", "acc-huaxin", "", "张敏", "门店运营经理 (Store Operations Manager)",
            "zhang.min", ((_M, "186-2101-2345"),)),
    _Person("con-chen-jing", "acc-huaxin", "", "陈静", "采购经理 (Procurement Manager)",
            "chen.jing", ((_W, "021-6123 4599"), (_M, "137 0000 1234"))),
    _Person("con-liu-yang", "acc-huaxin", "", "刘洋", "客服中心主管 (Contact Centre Lead)",
            "liu.yang", ((_M, "15012345678"),)),
    _Person("con-david-zhou", "acc-huaxin", "David", "Zhou", "Regional IT Manager, North China",
            "david.zhou", ((_W, "+86 10 6552 1234"),)),
    # Harbour Pacific Bank (Hong Kong)
    _Person("con-chan-tai-man", "acc-harbour", "Tai-man", "Chan",
            "Head of Wealth Management Technology", "tm.chan",
            ((_W, "2123 4588"), (_M, "9123 4567")),
            "sip:tm.chan@voice.harbourpacific-bank.example"),
    _Person("con-wong-mei-ling", "acc-harbour", "", "黃美玲", "Chief Compliance Officer",
            "meiling.wong", ((_W, "+852 2123 4599"),)),
    _Person("con-kenneth-lau", "acc-harbour", "Kenneth", "Lau",
            "Senior Vice President, Private Banking", "kenneth.lau", ((_W, "(852) 2123-4620"),)),
    _Person("con-grace-ho", "acc-harbour", "Grace", "Ho", "Relationship Manager", "grace.ho",
            ((_M, "+852 6123 4567"),)),
    _Person("con-rajiv-menon", "acc-harbour", "Rajiv", "Menon",
            "Chief Information Security Officer", "rajiv.menon", ((_W, "+852 2123 4650"),)),
    # University of Northfield (London, with a campus in Leeds)
    _Person("con-eleanor-hughes", "acc-northfield", "Eleanor", "Hughes",
            "Pro-Vice-Chancellor (Education)", "e.hughes", ((_W, "020 7946 0200"),)),
    _Person("con-oliver-bennett", "acc-northfield", "Oliver", "Bennett", "Director of Finance",
            "o.bennett", ((_W, "+44 20 7946 0321"),)),
    _Person("con-siobhan-oconnor", "acc-northfield", "Siobhán", "O'Connor", "Head of Admissions",
            "s.oconnor", ((_W, "+44 (0)20 7946 0456"), (_M, "07911 123456"))),
    _Person("con-amara-okafor", "acc-northfield", "Amara", "Okafor",
            "Admissions Systems Analyst", "a.okafor", ((_W, "020 7946 0457"),)),
    _Person("con-dafydd-llewellyn", "acc-northfield", "Dafydd", "Llewellyn",
            "IT Service Manager, Leeds Campus", "d.llewellyn", ((_W, "0113 496 0789"),)),
    _Person("con-francois-lefevre", "acc-northfield", "François", "Lefèvre",
            "International Recruitment Manager", "f.lefevre", ((_M, "+33 6 12 34 56 78"),)),
    # Rápido Logística (São Paulo)
    _Person("con-jose-alvarez", "acc-rapido", "José", "Álvarez", "Diretor de Operações",
            "jose.alvarez", ((_W, "+55 11 3456-7801"), (_M, "(11) 91234-5678"))),
    _Person("con-joao-goncalves", "acc-rapido", "João", "Gonçalves",
            "Diretor Financeiro (CFO)", "joao.goncalves", ((_W, "+55 (11) 3456-7802"),)),
    _Person("con-luiza-araujo", "acc-rapido", "Luíza", "Araújo", "Gerente de TI",
            "luiza.araujo", ((_M, "+55 21 98765-4321"),)),
    _Person("con-marcos-pereira", "acc-rapido", "Marcos", "Pereira", "Coordenador de Frota",
            "marcos.pereira", ((_M, "(11) 97654-3210"),)),
    # Sakura Precision (Osaka): Japanese names whole in the last name, family name first
    _Person("con-sato-ken", "acc-sakura", "", "佐藤 健",
            "情報システム部 部長 (General Manager, IT)", "ken.sato",
            ((_W, "06-6123-4501"), (_M, "090-1234-5678"))),
    _Person("con-hiroshi-tanaka", "acc-sakura", "Hiroshi", "Tanaka", "Procurement Manager",
            "hiroshi.tanaka", ((_W, "+81 6 6123 4502"),)),
    _Person("con-nakamura-yuki", "acc-sakura", "", "中村 由紀",
            "カスタマーサポート課 課長 (Customer Support Manager)", "yuki.nakamura",
            ((_W, "06-6123-4510"),)),
    _Person("con-kenji-watanabe", "acc-sakura", "Kenji", "Watanabe", "Senior Support Engineer",
            "kenji.watanabe", ((_M, "080-9876-5432"),)),
    # Tarang Health (Bengaluru), and a consultant from their systems integrator
    _Person("con-priya-raghunathan", "acc-tarang", "Priya", "Raghunathan",
            "Chief Medical Information Officer", "priya.r", ((_M, "+91 98450 12345"),)),
    _Person("con-arjun-mehta", "acc-tarang", "Arjun", "Mehta", "VP Finance", "arjun.mehta",
            ((_W, "080 4123 4590"),)),
    _Person("con-kavya-iyer", "acc-tarang", "Kavya", "Iyer", "Head of Patient Experience",
            "kavya.iyer", ((_M, "98860 54321"),)),
    _Person("con-sanjay-kulkarni", "acc-tarang", "Sanjay", "Kulkarni", "IT Manager",
            "sanjay.kulkarni", ((_W, "+91 80 4123 4601"), (_M, "+91-99001 23456"))),
    _Person("con-meera-pillai", None, "Meera", "Pillai",
            "Principal Consultant, Lotus Systems Integrators", "meera.pillai@lotus-si.example",
            ((_M, "+91 98201 23456"),)),
)  # fmt: skip

_REPORTS_TO: Final = (
    ("con-tom-becker", "con-anna-kowalski"),
    ("con-priya-natarajan", "con-marcus-reed"),
    ("con-jordan-lee", "con-marcus-reed"),
    ("con-lucia-fernandez", "con-bjork-gudmundsdottir"),
    ("con-anna-schmidt", "con-juergen-weiss"),
    ("con-stefan-hofmann", "con-juergen-weiss"),
    ("con-zoe-mueller", "con-juergen-weiss"),
    ("con-katrin-vogel", "con-anna-schmidt"),
    ("con-mehmet-yilmaz", "con-stefan-hofmann"),
    ("con-li-na", "con-wang-wei"),
    ("con-zhang-min", "con-wang-wei"),
    ("con-chen-jing", "con-wang-wei"),
    ("con-liu-yang", "con-zhang-min"),
    ("con-david-zhou", "con-li-na"),
    ("con-chan-tai-man", "con-kenneth-lau"),
    ("con-grace-ho", "con-kenneth-lau"),
    ("con-siobhan-oconnor", "con-eleanor-hughes"),
    ("con-amara-okafor", "con-siobhan-oconnor"),
    ("con-francois-lefevre", "con-siobhan-oconnor"),
    ("con-marcos-pereira", "con-jose-alvarez"),
    ("con-luiza-araujo", "con-joao-goncalves"),
    ("con-nakamura-yuki", "con-sato-ken"),
    ("con-kenji-watanabe", "con-nakamura-yuki"),
    ("con-kavya-iyer", "con-priya-raghunathan"),
    ("con-sanjay-kulkarni", "con-priya-raghunathan"),
)
_OTHER_LINKS: Final[tuple[tuple[str, str, Literal["works_with", "assistant_of"]], ...]] = (
    ("con-jordan-lee", "con-marcus-reed", "assistant_of"),
    ("con-tom-becker", "con-priya-natarajan", "works_with"),
    ("con-grace-ho", "con-chan-tai-man", "works_with"),
    ("con-meera-pillai", "con-sanjay-kulkarni", "works_with"),
    ("con-katrin-vogel", "con-mehmet-yilmaz", "works_with"),
)

# --- opportunities and roles ----------------------------------------------------------


@dataclass(frozen=True)
class _Deal:
    id: str
    account_id: str
    name: str
    stage: str
    amount: float
    currency: str
    close_date: date
    owner: str
    description: str
    seats: int
    roles: tuple[tuple[str, str, bool], ...]
    """(contact id, Salesforce role as written, primary)."""


_DM, _EB, _EDM = "Decision Maker", "Economic Buyer", "Economic Decision Maker"
_ES, _TB, _EV = "Executive Sponsor", "Technical Buyer", "Evaluator"
_IN, _BU, _OT = "Influencer", "Business User", "Other"

_DEALS: Final = (
    _Deal("opp-acme-platform", "acc-acme", "Acme Analytics — Contact Centre Platform",
          "Negotiation/Review", 182_500.0, "USD", date(2025, 3, 28), "Maria Chen",
          'Replace the "click-to-dial" plug-in for 240 agents, with call context on every '
          "opportunity.\nDecision after the security review; legal has redlines on the MSA, "
          "section 7 (data protection), and wants a 3-year price lock.",
          240,
          (("con-anna-kowalski", _DM, True), ("con-marcus-reed", _EB, False),
           ("con-priya-natarajan", _TB, False), ("con-tom-becker", _EV, False),
           ("con-jordan-lee", "", False))),
    _Deal("opp-acme-emea", "acc-acme", "Acme Analytics — EMEA Seat Expansion", "Prospecting",
          46_000.0, "USD", date(2025, 6, 30), "Daniel Okoye",
          "Add 60 seats for the Dublin, Madrid and Reykjavík sales teams. No budget owner yet.",
          60,
          (("con-bjork-gudmundsdottir", _DM, True), ("con-anna-kowalski", _ES, False),
           ("con-lucia-fernandez", _IN, False), ("con-tom-becker", _BU, False))),
    _Deal("opp-kessler-plant", "acc-kessler", "Kessler — Werk Feuerbach Telephony Integration",
          "Proposal/Price Quote", 240_000.0, "EUR", date(2025, 4, 30), "Daniel Okoye",
          "Integrate the plant's Unify PBX with SAP and Salesforce; 3 shifts, 85 users.\n"
          "Works council (Betriebsrat) must approve call recording: keep it off by default.",
          85,
          (("con-stefan-hofmann", _DM, True), ("con-zoe-mueller", _EDM, False),
           ("con-katrin-vogel", _TB, False), ("con-anna-schmidt", _IN, False),
           ("con-juergen-weiss", _ES, False))),
    _Deal("opp-kessler-service", "acc-kessler", "Kessler — Service Hotline Renewal", "Closed Won",
          60_000.0, "EUR", date(2025, 1, 31), "Daniel Okoye",
          "Two-year renewal of the service hotline, 25 agents, signed 29 January.",
          25,
          (("con-juergen-weiss", _DM, False), ("con-mehmet-yilmaz", _BU, True),
           ("con-katrin-vogel", _EV, False), ("con-zoe-mueller", _EB, False))),
    _Deal("opp-huaxin-stores", "acc-huaxin", "华信 — 门店呼叫中心 (Store Contact Centre)",
          "Needs Analysis", 1_200_000.0, "CNY", date(2025, 7, 15), "Kenji Mori",
          "320 stores in East China call customers back about online orders.\n"
          "需要支持普通话和上海话的来电弹屏; data must stay in mainland China (PIPL).",
          320,
          (("con-wang-wei", _DM, True), ("con-li-na", _TB, False), ("con-zhang-min", _BU, False),
           ("con-chen-jing", _EV, False), ("con-liu-yang", _IN, False),
           ("con-david-zhou", _OT, False))),
    _Deal("opp-harbour-wealth", "acc-harbour", "Harbour Pacific — Wealth Desk Call Context",
          "Qualification", 850_000.0, "HKD", date(2025, 9, 30), "Kenji Mori",
          "Relationship managers want the client's open deals on screen when they call; "
          "HKMA record-keeping rules apply, so every call is logged against the deal.",
          60,
          (("con-chan-tai-man", _DM, True), ("con-wong-mei-ling", _ES, False),
           ("con-kenneth-lau", _EV, False), ("con-grace-ho", _BU, False),
           ("con-rajiv-menon", _TB, False))),
    _Deal("opp-northfield-admissions", "acc-northfield", "Northfield — Admissions Calling",
          "Closed Won", 38_000.0, "GBP", date(2025, 2, 14), "Daniel Okoye",
          "Clearing-season calling for the admissions office, 40 seats from July to September.",
          40,
          (("con-siobhan-oconnor", _DM, True), ("con-oliver-bennett", _EB, False),
           ("con-eleanor-hughes", _ES, False), ("con-amara-okafor", _EV, False),
           ("con-dafydd-llewellyn", _TB, False), ("con-francois-lefevre", _BU, False))),
    _Deal("opp-rapido-fleet", "acc-rapido", "Rápido — Fleet Dispatch Calls", "Closed Lost",
          410_000.0, "BRL", date(2025, 2, 21), "Camila Rocha",
          "Lost to the incumbent on price (R$ 95,000 lower over 3 years).\n"
          "Revisit in Q4: their contract ends in December.",
          150,
          (("con-jose-alvarez", _DM, True), ("con-joao-goncalves", _EDM, False),
           ("con-luiza-araujo", _TB, False), ("con-marcos-pereira", _BU, False))),
    _Deal("opp-sakura-support", "acc-sakura", "Sakura Precision — Support Line Modernisation",
          "Id. Decision Makers", 15_000_000.0, "JPY", date(2025, 8, 29), "Kenji Mori",
          "Modernise the 50-seat support line in Osaka; the head office in Tokyo decides.",
          50,
          (("con-sato-ken", _DM, True), ("con-hiroshi-tanaka", _EB, False),
           ("con-nakamura-yuki", _IN, False), ("con-kenji-watanabe", "", False))),
    _Deal("opp-tarang-clinics", "acc-tarang", "Tarang Health — Clinic Network Pilot",
          "Value Proposition", 6_500_000.0, "INR", date(2025, 5, 30), "Rahul Desai",
          "Pilot in 12 clinics in Bengaluru and Mysuru, with Lotus Systems Integrators.",
          120,
          (("con-kavya-iyer", _DM, True), ("con-arjun-mehta", _EB, False),
           ("con-priya-raghunathan", _ES, False), ("con-sanjay-kulkarni", _TB, False),
           ("con-meera-pillai", _OT, False))),
)  # fmt: skip

# --- documents ------------------------------------------------------------------------

_SE: Final = "Lukas Brandt"
"""The solutions engineer who draws the architecture diagrams."""

_LAW: Final = {
    "US": "the laws of the State of California",
    "DE": "German law; courts of Stuttgart",
    "CN": "the laws of the People's Republic of China",
    "HK": "the laws of the Hong Kong SAR",
    "GB": "the laws of England and Wales",
    "BR": "Brazilian law; courts of São Paulo",
    "JP": "the laws of Japan; Osaka District Court",
    "IN": "the laws of India; courts of Bengaluru",
}

_DocKind = Literal["proposal", "msa", "pricing", "architecture", "notes", "odt-notes",
                   "orgchart", "chart"]  # fmt: skip

_DOCUMENTS: Final[dict[str, tuple[tuple[str, _DocKind, str], ...]]] = {
    # opportunity -> (key, kind, title)
    "opp-acme-platform": (
        ("proposal", "proposal", "Proposal - Contact Centre Platform v3"),
        ("msa", "msa", "Master Services Agreement - Acme Analytics (redlined)"),
        ("pricing", "pricing", "Pricing - 240 seats, 3 years"),
        ("architecture", "architecture", "Architecture - Salesforce and PBX"),
        ("notes", "notes", "Meeting notes - security review 2025-02-18"),
        ("orgchart", "orgchart", "Buying committee"),
    ),
    "opp-acme-emea": (
        ("notes", "odt-notes", "Discovery notes - EMEA sales teams"),
        ("pricing", "pricing", "Seat forecast EMEA"),
    ),
    "opp-kessler-plant": (
        ("proposal", "proposal", "Angebot - Werk Feuerbach (Proposal)"),
        ("pricing", "pricing", "Preisblatt - Werk Feuerbach"),
        ("architecture", "architecture", "Architektur - Unify PBX, SAP, Salesforce"),
        ("questionnaire", "msa", "IT-Sicherheitsfragebogen (Security questionnaire)"),
        ("notes", "odt-notes", "Besprechungsnotizen 2025-02-11"),
    ),
    "opp-kessler-service": (
        ("order", "proposal", "Order form - Service Hotline Renewal 2025-2027"),
        ("msa", "msa", "Master Services Agreement - Kessler (signed)"),
        ("usage", "chart", "Hotline call volume 2024"),
    ),
    "opp-huaxin-stores": (
        ("requirements", "notes", "需求说明书 - 门店呼叫中心 (Requirements)"),
        ("rollout", "pricing", "Store rollout plan and pricing"),
        ("architecture", "architecture", "Architecture - mainland China hosting"),
        ("notes", "odt-notes", "会议纪要 2025-02-20 (Meeting notes)"),
    ),
    "opp-harbour-wealth": (
        ("notes", "notes", "Discovery call notes - Wealth Desk"),
        ("compliance", "pricing", "HKMA compliance checklist"),
        ("architecture", "orgchart", "Wealth desk stakeholders"),
    ),
    "opp-northfield-admissions": (
        ("proposal", "proposal", "Proposal - Admissions Calling (signed)"),
        ("msa", "msa", "Master Services Agreement - University of Northfield"),
        ("pricing", "pricing", "Pricing - Clearing 2025"),
        ("volume", "chart", "Clearing call volume 2022-2024"),
    ),
    "opp-rapido-fleet": (
        ("proposal", "proposal", "Proposta comercial - Despacho de frota"),
        ("pricing", "pricing", "Tabela de preços - Frota"),
        ("review", "odt-notes", "Loss review - Fleet Dispatch"),
    ),
    "opp-sakura-support": (
        ("proposal", "proposal", "Proposal - Support Line Modernisation"),
        ("notes", "notes", "打ち合わせメモ 2025-02-25 (Meeting notes)"),
        ("volume", "chart", "Support calls per month 2024"),
    ),
    "opp-tarang-clinics": (
        ("proposal", "proposal", "Pilot proposal - 12 clinics"),
        ("pricing", "pricing", "Pilot pricing"),
        ("architecture", "architecture", "Architecture - clinics, PBX, Salesforce Health Cloud"),
        ("stakeholders", "orgchart", "Stakeholder map"),
    ),
}
_LATIN_NAMES: Final = {
    "con-wang-wei": "Wang Wei",
    "con-li-na": "Li Na",
    "con-zhang-min": "Zhang Min",
    "con-chen-jing": "Chen Jing",
    "con-liu-yang": "Liu Yang",
    "con-wong-mei-ling": "Wong Mei-ling",
    "con-sato-ken": "Sato Ken",
    "con-nakamura-yuki": "Nakamura Yuki",
}
"""How the people whose names are not in Latin letters write them in Latin ones."""
_EXTENSIONS: Final[dict[_DocKind, str]] = {
    "proposal": "pdf",
    "msa": "docx",
    "pricing": "xlsx",
    "architecture": "png",
    "notes": "docx",
    "odt-notes": "odt",
    "orgchart": "svg",
    "chart": "png",
}
_UNSAFE_IN_FILE_NAMES: Final = str.maketrans({c: "-" for c in '/\\:*?"<>|'})


@dataclass(frozen=True)
class _Context:
    """What a document's content is written from."""

    deal: _Deal
    account: Account
    region: str
    people: dict[str, Contact]
    managers: dict[str, str]
    title: str
    author: str
    modified: datetime

    def on_deal(self) -> list[tuple[Contact, str]]:
        return [(self.people[cid], role or "No role") for cid, role, _ in self.deal.roles]

    def money(self, value: float) -> str:
        return f"{self.deal.currency} {value:,.0f}"

    def lines(self) -> list[tuple[str, float, float]]:
        """Line items (item, quantity, unit price) adding up to about the deal's amount."""
        total, seats = self.deal.amount, self.deal.seats
        return [
            ("Rolecall seats (3 years)", seats, round(total * 0.6 / seats, 2)),
            ("Implementation and CRM integration", 1, round(total * 0.25, 2)),
            ("Training (per session)", 4, round(total * 0.05 / 4, 2)),
            ("Premium support (per year)", 3, round(total * 0.1 / 3, 2)),
        ]


def _latin(text: str) -> str:
    """For the PDF's Windows-1252 fonts: "Sakura K.K. (桜精密)" -> "Sakura K.K.", else as is."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        both = re.fullmatch(r"(.*?)\s*\((.*)\)", text)
        for part in both.groups() if both else ():
            if _latin(part) == part:
                return part
    return text


def _proposal(path: Path, c: _Context) -> int:
    primary = next((c.people[cid] for cid, _, p in c.deal.roles if p), None)
    attention = ""
    if primary is not None:
        name = _latin(_LATIN_NAMES.get(primary.id, primary.name))
        attention = f", attention of {name} ({_latin(primary.title)})"
    lines = [
        f"Prepared for: {_latin(c.account.name)}{attention}",
        f"Prepared by: {c.deal.owner}, {c.modified:%d %B %Y}",
        "",
        "Summary",
        *c.deal.description.splitlines(),
        "",
        "Scope",
        "- Click-to-dial and incoming-call context for every opportunity in the CRM.",
        "- The people on the deal grouped by role, and its documents, during the call.",
        "- Call logging once per call against the opportunity, with notes.",
        "",
        "Commercials",
        *(f"- {item}: {qty} x {c.money(unit)}" for item, qty, unit in c.lines()),
        f"Total: {c.money(c.deal.amount)}, excluding taxes.",
        "",
        f"This proposal is valid until {c.deal.close_date:%d %B %Y}.",
    ]
    return files.write_pdf(path, c.title, lines, author=c.author, created=c.modified)


def _msa(path: Path, c: _Context) -> int:
    sections: list[files.Section] = [
        ("1. Parties", [f"Rolecall Ltd. and {c.account.name} ({c.account.website})."]),
        ("2. Services", ["Rolecall provides the software and support described in each "
                         "order form; order forms reference this agreement."]),
        ("3. Fees and payment", [f"Fees are stated in {c.deal.currency} and invoiced yearly "
                                 "in advance; payment within 30 days of invoice."]),
        ("4. Term", ["Three years from the first order form, renewing for one year unless "
                     "either party gives 90 days' notice."]),
        ("5. Confidentiality", ["Each party keeps the other's confidential information "
                                "confidential for five years after termination."]),
        ("6. Data protection", ["Rolecall processes personal data only on the customer's "
                                "instructions; the data processing addendum applies."]),
        ("7. Governing law", [f"This agreement is governed by {_LAW[c.region]}."]),
    ]  # fmt: skip
    return files.write_docx(path, c.title, sections, author=c.author, modified=c.modified)


def _pricing(path: Path, c: _Context) -> int:
    header = ["Item", "Quantity", f"Unit price ({c.deal.currency})", f"Total ({c.deal.currency})"]
    rows: list[Sequence[files.Cell]] = [
        [item, qty, unit, round(qty * unit, 2)] for item, qty, unit in c.lines()
    ]
    return files.write_xlsx(
        path, "Pricing", header, rows, totals=True, title=c.title, author=c.author,
        modified=c.modified,
    )  # fmt: skip


def _architecture(path: Path, c: _Context) -> int:
    boxes = [(40, 60, 180, 70), (310, 60, 180, 70), (580, 60, 180, 70),
             (310, 220, 180, 70), (40, 360, 180, 70), (580, 360, 180, 70)]  # fmt: skip
    links = [(0, 1), (1, 2), (1, 3), (3, 4), (3, 5)]
    return files.write_diagram_png(path, boxes, links)


def _notes(path: Path, c: _Context) -> int:
    attendees = [f"{person.name} - {person.title} ({role})" for person, role in c.on_deal()]
    sections: list[files.Section] = [
        ("Attendees", [*attendees, f"{c.deal.owner} (Rolecall)"]),
        ("Discussion", c.deal.description.splitlines()),
        ("Next steps", [f"{c.deal.owner} sends the updated proposal.",
                        f"Target decision by {c.deal.close_date:%Y-%m-%d}."]),
    ]  # fmt: skip
    write = files.write_odt if path.suffix == ".odt" else files.write_docx
    return write(path, c.title, sections, author=c.author, modified=c.modified)


def _orgchart(path: Path, c: _Context) -> int:
    people = [cid for cid, _, _ in c.deal.roles]
    levels: dict[str, int] = {}
    for cid in people:
        depth, boss = 0, c.managers.get(cid)
        while boss in people and depth < 5:
            depth, boss = depth + 1, c.managers.get(boss)
        levels[cid] = depth
    placed: list[tuple[str, int, int]] = []
    per_level: dict[int, int] = {}
    for cid in people:
        level = levels[cid]
        column = per_level.get(level, 0)
        per_level[level] = column + 1
        placed.append((c.people[cid].name, 20 + column * 190, 60 + level * 120))
    links = [
        (people.index(c.managers[cid]), index)
        for index, cid in enumerate(people)
        if c.managers.get(cid) in people
    ]
    width = max(800, 40 + 190 * max(per_level.values()))
    return files.write_diagram_svg(path, c.title, placed, links, width=width)


def _chart(path: Path, c: _Context) -> int:
    seed = sum(ord(char) for char in c.deal.id)
    values = [float(40 + (seed * (month + 3)) % 60) for month in range(12)]
    return files.write_bar_chart_png(path, values)


_WRITERS: Final[dict[_DocKind, Callable[[Path, _Context], int]]] = {
    "proposal": _proposal,
    "msa": _msa,
    "pricing": _pricing,
    "architecture": _architecture,
    "notes": _notes,
    "odt-notes": _notes,
    "orgchart": _orgchart,
    "chart": _chart,
}

# --- building -------------------------------------------------------------------------


def _phones(person: _Person, region: str) -> list[Phone]:
    phones = [parse_phone(raw, kind, region) for kind, raw in person.phones]
    return [phone for phone in phones if phone is not None]


def demo_dataset(documents_dir: Path, documents_url: str | None = None) -> Dataset:
    """The demo data, with its document files written into `documents_dir` (one folder
    per opportunity; existing files of the same names are replaced). With
    `documents_url`, each document's `url` is that base followed by the same
    `<opportunity id>/<file name>` path (as a web server of `documents_dir` serves it)."""
    regions = {account_id: region for account_id, *_, region in _ACCOUNTS}
    domains = {account_id: domain for account_id, _, _, domain, *_ in _ACCOUNTS}
    accounts = [
        Account(
            id=account_id,
            name=name,
            industry=industry,
            website=f"https://www.{domain}",
            phone=parse_phone(switchboard, "work", region),
        )
        for account_id, name, industry, domain, switchboard, region in _ACCOUNTS
    ]
    contacts = [
        Contact(
            id=p.id,
            account_id=p.account_id,
            first_name=p.first_name,
            last_name=p.last_name,
            title=p.title,
            email=p.email if "@" in p.email else f"{p.email}@{domains[p.account_id or '']}",
            phones=_phones(p, regions.get(p.account_id or "", "IN")),
            sip_uri=p.sip_uri,
        )
        for p in _PEOPLE
    ]
    opportunities = [
        Opportunity(
            id=d.id,
            account_id=d.account_id,
            name=d.name,
            stage=d.stage,
            amount=d.amount,
            currency=d.currency,
            close_date=d.close_date,
            owner=d.owner,
            description=d.description,
        )
        for d in _DEALS
    ]
    roles = [
        ContactRole(
            opportunity_id=d.id,
            contact_id=contact_id,
            role=normalize_role(role),
            source_role=role,
            is_primary=primary,
        )
        for d in _DEALS
        for contact_id, role, primary in d.roles
    ]
    relationships = [
        Relationship(from_contact_id=start, to_contact_id=end, kind="reports_to")
        for start, end in _REPORTS_TO
    ] + [
        Relationship(from_contact_id=start, to_contact_id=end, kind=kind)
        for start, end, kind in _OTHER_LINKS
    ]
    people = {contact.id: contact for contact in contacts}
    by_account = {account.id: account for account in accounts}
    managers = dict(_REPORTS_TO)
    documents: list[Document] = []
    for deal_index, deal in enumerate(_DEALS):
        for doc_index, (key, kind, title) in enumerate(_DOCUMENTS[deal.id]):
            modified = DEMO_NOW - timedelta(days=3 * deal_index + 1, hours=5 * doc_index + 2)
            author = _SE if kind == "architecture" else deal.owner
            path = (
                documents_dir.absolute()
                / deal.id
                / f"{title.translate(_UNSAFE_IN_FILE_NAMES)}.{_EXTENSIONS[kind]}"
            )
            context = _Context(
                deal, by_account[deal.account_id], regions[deal.account_id], people, managers,
                title, author, modified,
            )  # fmt: skip
            size = _WRITERS[kind](path, context)
            os.utime(path, (modified.timestamp(), modified.timestamp()))
            documents.append(
                Document(
                    id=f"doc-{deal.id.removeprefix('opp-')}-{key}",
                    opportunity_id=deal.id,
                    title=title,
                    doc_type=_EXTENSIONS[kind],
                    size_bytes=size,
                    url=(
                        f"{documents_url.rstrip('/')}/{quote(deal.id)}/{quote(path.name)}"
                        if documents_url
                        else None
                    ),
                    local_path=str(path),
                    owner=author,
                    modified_at=modified,
                )
            )
    return Dataset(
        accounts=accounts,
        contacts=contacts,
        opportunities=opportunities,
        roles=roles,
        relationships=relationships,
        documents=documents,
    )
