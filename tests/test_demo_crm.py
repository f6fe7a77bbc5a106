"""The demo CRM web app: its server (routes, documents, headers) over HTTP, and its pages
rendered by Debian's Chromium (microdata naming the record, client-side navigation,
hostile text staying text)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from rolecall.demo.browser import find_chromium
from rolecall.demo.crm_app import CrmApp
from rolecall.demo.dataset import demo_dataset
from rolecall.protocol.records import Contact, ContactRole, Dataset, Opportunity, Phone


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CrmApp, Dataset]]:
    crm = CrmApp().start()
    data = demo_dataset(tmp_path_factory.mktemp("docs"), crm.documents_url)
    crm.serve(data)
    try:
        yield crm, data
    finally:
        crm.close()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_app_pages_are_the_shell_with_a_strict_policy(app: tuple[CrmApp, Dataset]) -> None:
    crm, _ = app
    for path in ("/", "/opportunities", "/opportunities/opp-acme-platform", "/contacts",
                 "/accounts", "/accounts/acc-acme"):  # fmt: skip
        status, headers, body = get(crm.url + path)
        assert status == 200, path
        assert b'<script src="/static/app.js" defer></script>' in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert get(crm.url + "/static/app.js")[1]["Content-Type"].startswith("text/javascript")
    for path in ("/static/../crm_app.py", "/static/nothing.js", "/opportunities/a/b", "/x"):
        assert get(crm.url + path)[0] == 404, path


def test_api_gives_the_deal_with_its_people_in_roles_and_documents(
    app: tuple[CrmApp, Dataset],
) -> None:
    crm, data = app
    deal = json.loads(get(crm.url + "/api/opportunities/opp-acme-platform")[2])
    roles = {c["id"]: (c["role"], c["role_label"], c["primary"]) for c in deal["contacts"]}
    assert roles["con-anna-kowalski"] == ("decision_maker", "Decision Maker", True)
    assert roles["con-jordan-lee"] == ("none", "None", False)
    raw = {p["raw"] for c in deal["contacts"] for p in c["phones"]}
    assert {"(415) 555-0147", "415.555.0198", "+1 415 555 0110", "415-555-0163 x204"} <= raw
    assert len(deal["documents"]) == 6
    assert len(json.loads(get(crm.url + "/api/opportunities")[2])) == len(data.opportunities)
    assert len(json.loads(get(crm.url + "/api/contacts")[2])) == len(data.contacts)
    account = json.loads(get(crm.url + "/api/accounts/acc-kessler")[2])
    assert {o["id"] for o in account["opportunities"]} == {
        "opp-kessler-plant",
        "opp-kessler-service",
    }
    assert get(crm.url + "/api/opportunities/opp-nope")[0] == 404
    assert get(crm.url + "/api/secrets")[0] == 404


def test_documents_are_served_at_their_urls_and_nothing_else_is(
    app: tuple[CrmApp, Dataset],
) -> None:
    crm, data = app
    for document in data.documents:
        assert document.url and document.url.startswith(crm.documents_url)
        status, _, body = get(document.url)
        assert status == 200, document.url
        assert body == Path(document.local_path or "").read_bytes()
    pdf = next(d for d in data.documents if d.doc_type == "pdf")
    assert get(pdf.url or "")[1]["Content-Type"] == "application/pdf"
    for path in (
        "opp-acme-platform/../../rolecall.db",
        "opp-acme-platform/..%2F..%2Frolecall.db",
        "opp-acme-platform/missing.pdf",
        "%2Fetc%2Fpasswd",
    ):
        assert get(crm.documents_url + path)[0] == 404, path


def test_pages_render_on_the_client_mark_the_record_and_keep_hostile_text_as_text(
    tmp_path: Path,
) -> None:
    hostile = '<img src=x onerror="window.pwned=1">'
    phone = Phone(raw="(415) 555-0100", e164="+14155550100")
    data = Dataset(
        opportunities=[Opportunity(id="opp-1", name=hostile, description=hostile)],
        contacts=[
            Contact(id="c-1", last_name=hostile, title=hostile, phones=[phone]),
            Contact(id="c-2", first_name="Ana", last_name="Ruiz", phones=[Phone(raw="+34 612")]),
        ],
        roles=[
            ContactRole(opportunity_id="opp-1", contact_id="c-1", source_role=hostile),
            ContactRole(opportunity_id="opp-1", contact_id="c-2"),
        ],
    )
    crm = CrmApp().start()
    crm.serve(data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(crm.url + "/opportunities")
            page.evaluate("() => { window.sameDocument = true; }")
            page.locator("a[data-nav]", has_text="img src").first.click()
            page.wait_for_selector('main[data-record-id="opp-1"]')
            assert page.evaluate("() => window.sameDocument") is True  # no page load
            assert page.url == crm.url + "/opportunities/opp-1"
            record = page.evaluate(
                """() => {
                    const main = document.querySelector('main[itemscope]');
                    const prop = (p) => main.querySelector(`meta[itemprop="${p}"]`).content;
                    return [prop('identifier'), prop('additionalType'),
                            main.querySelector('[itemprop=name]').textContent];
                }"""
            )
            assert record == ["opp-1", "Opportunity", hostile]
            people = page.locator('tr[itemtype="https://schema.org/Person"]')
            assert people.count() == 2
            assert page.locator('a[href="tel:+14155550100"]').count() == 1
            assert page.evaluate("() => document.querySelectorAll('main img').length") == 0
            assert page.evaluate("() => window.pwned") is None
            page.go_back()
            page.wait_for_selector("text=All open and closed deals")
            assert page.evaluate("() => window.sameDocument") is True
            browser.close()
    finally:
        crm.close()


def test_contacts_and_account_pages_link_up_on_the_client(app: tuple[CrmApp, Dataset]) -> None:
    crm, data = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(crm.url + "/contacts")
        page.wait_for_selector("text=All contacts (43)")
        page.evaluate("() => { window.sameDocument = true; }")
        rows = page.locator('tr[itemtype="https://schema.org/Person"]')
        assert rows.count() == len(data.contacts)
        # Phones as written, the first of each person as a tel: link.
        assert page.locator('a[href="tel:+14155550163;ext=204"]').count() == 1
        assert page.get_by_text("0711/123456-410").count() == 1
        page.locator("a[data-nav]", has_text="Kessler Maschinenbau GmbH").first.click()
        page.wait_for_selector('main[data-record-id="acc-kessler"]')
        assert page.url == crm.url + "/accounts/acc-kessler"
        assert (
            page.evaluate(
                "() => document.querySelector('main meta[itemprop=additionalType]').content"
            )
            == "Account"
        )
        page.get_by_role("link", name="Kessler — Service Hotline Renewal").click()
        page.wait_for_selector('main[data-record-id="opp-kessler-service"]')
        assert page.get_by_role("heading", name="Files (3)").count() == 1
        page.go_back()
        page.wait_for_selector('main[data-record-id="acc-kessler"]')
        assert page.evaluate("() => window.sameDocument") is True
        page.goto(crm.url + "/opportunities/opp-nope")
        page.wait_for_selector("text=Not available")
        browser.close()
