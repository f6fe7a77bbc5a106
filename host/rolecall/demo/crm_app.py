"""The demo CRM: a small web app on 127.0.0.1 showing the demo dataset like a real CRM.

The server (standard library only) answers three kinds of path:

- app pages (`/`, `/opportunities`, `/opportunities/<id>`, `/contacts`, `/accounts`,
  `/accounts/<id>`): one HTML shell; the page itself is rendered in the browser by
  `web/app.js` from the JSON API, and links navigate on the client (history.pushState),
  as the big CRMs' single-page apps do;
- `/api/...`: the dataset as JSON (`opportunities`, `opportunities/<id>`, `contacts`,
  `accounts`, `accounts/<id>`);
- `/documents/<opportunity id>/<file name>`: the dataset's document files, exactly
  those (no other path under the documents folder is served).

`/static/<name>` serves the app's own files from `web/` (package data). Every answer
carries a strict Content-Security-Policy and `nosniff`. The pages mark the record in
view with schema.org microdata (`identifier`, `additionalType`), so the extension ties
a call placed from a page to that record.
"""

from __future__ import annotations

import json
import mimetypes
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from rolecall.protocol.records import ROLE_LABELS, Account, Contact, Dataset, Opportunity

__all__ = ["DOCUMENTS_PATH", "CrmApp"]

DOCUMENTS_PATH = "/documents/"
_STATIC = {"app.js": "text/javascript", "app.css": "text/css", "index.html": "text/html"}
_APP_PAGES = re.compile(r"^/(?:(?:opportunities|contacts|accounts)(?:/[A-Za-z0-9_.:-]{1,64})?)?$")
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class _Api:
    """The dataset as the JSON the app renders."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.accounts = {a.id: a for a in data.accounts}
        self.contacts = {c.id: c for c in data.contacts}
        self.opportunities = {o.id: o for o in data.opportunities}

    def _account_ref(self, account_id: str | None) -> dict[str, Any] | None:
        account = self.accounts.get(account_id or "")
        return {"id": account.id, "name": account.name} if account else None

    def _contact(self, contact: Contact) -> dict[str, Any]:
        return {
            "id": contact.id,
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "phones": [{"kind": p.kind, "raw": p.raw, "e164": p.e164} for p in contact.phones],
            "account": self._account_ref(contact.account_id),
        }

    def _opportunity_summary(self, opp: Opportunity) -> dict[str, Any]:
        return {
            "id": opp.id,
            "name": opp.name,
            "stage": opp.stage,
            "amount": opp.amount,
            "currency": opp.currency,
            "close_date": opp.close_date.isoformat() if opp.close_date else None,
            "owner": opp.owner,
            "account": self._account_ref(opp.account_id),
        }

    def _account(self, account: Account) -> dict[str, Any]:
        return {
            "id": account.id,
            "name": account.name,
            "industry": account.industry,
            "website": account.website,
            "phone": account.phone.raw if account.phone else "",
        }

    def opportunities_list(self) -> Any:
        return [self._opportunity_summary(o) for o in self.data.opportunities]

    def opportunity(self, opportunity_id: str) -> Any:
        opp = self.opportunities.get(opportunity_id)
        if opp is None:
            return None
        people = []
        for role in self.data.roles:
            contact = self.contacts.get(role.contact_id)
            if role.opportunity_id == opp.id and contact is not None:
                people.append(
                    {
                        **self._contact(contact),
                        "role": role.role.value,
                        "role_label": role.source_role or ROLE_LABELS.get(role.role, "None"),
                        "primary": role.is_primary,
                    }
                )
        documents = [
            {
                "id": d.id,
                "title": d.title,
                "type": d.doc_type,
                "size_bytes": d.size_bytes,
                "url": d.url,
                "owner": d.owner,
                "modified_at": d.modified_at.isoformat() if d.modified_at else None,
            }
            for d in self.data.documents
            if d.opportunity_id == opp.id
        ]
        return {
            **self._opportunity_summary(opp),
            "description": opp.description,
            "contacts": people,
            "documents": documents,
        }

    def contacts_list(self) -> Any:
        return [self._contact(c) for c in self.data.contacts]

    def accounts_list(self) -> Any:
        return [self._account(a) for a in self.data.accounts]

    def account(self, account_id: str) -> Any:
        account = self.accounts.get(account_id)
        if account is None:
            return None
        return {
            **self._account(account),
            "contacts": [
                self._contact(c) for c in self.data.contacts if c.account_id == account.id
            ],
            "opportunities": [
                self._opportunity_summary(o)
                for o in self.data.opportunities
                if o.account_id == account.id
            ],
        }


class CrmApp:
    """The demo CRM served on `host`:`port` (port 0: any free one) from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._api: _Api = _Api(Dataset())
        self._documents: dict[str, Path] = {}
        self._web = resources.files("rolecall.demo").joinpath("web")
        app = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "RolecallDemoCRM"
            sys_version = ""

            def do_GET(self) -> None:
                app._handle(self, head=False)

            def do_HEAD(self) -> None:
                app._handle(self, head=True)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def documents_url(self) -> str:
        return self.url + DOCUMENTS_PATH

    def serve(self, data: Dataset) -> None:
        """Serves `data`: its records, and the document files its `local_path`s name."""
        self._api = _Api(data)
        prefix = urlsplit(self.documents_url).path
        self._documents = {
            unquote(urlsplit(d.url).path).removeprefix(prefix): Path(d.local_path)
            for d in data.documents
            if d.url and d.local_path
        }

    def start(self) -> CrmApp:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-crm", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    # ---- requests -------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, *, head: bool) -> None:
        path = urlsplit(request.path).path
        try:
            status, body, content_type = self._route(path)
        except Exception:  # a bug must not take the demo down: say so, keep serving
            status, body, content_type = HTTPStatus.INTERNAL_SERVER_ERROR, b"error", "text/plain"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Content-Security-Policy", _CSP)
        request.send_header("X-Content-Type-Options", "nosniff")
        request.send_header("Referrer-Policy", "no-referrer")
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        if not head:
            request.wfile.write(body)

    def _route(self, path: str) -> tuple[HTTPStatus, bytes, str]:
        if _APP_PAGES.match(path):
            return HTTPStatus.OK, self._static("index.html"), "text/html; charset=utf-8"
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            if name in _STATIC:
                return HTTPStatus.OK, self._static(name), f"{_STATIC[name]}; charset=utf-8"
        if path.startswith("/api/"):
            found = self._api_answer(path.removeprefix("/api/"))
            if found is not None:
                return HTTPStatus.OK, json.dumps(found).encode(), "application/json"
            return HTTPStatus.NOT_FOUND, b'{"error": "not found"}', "application/json"
        if path.startswith(DOCUMENTS_PATH):
            local = self._documents.get(unquote(path.removeprefix(DOCUMENTS_PATH)))
            if local is not None and local.is_file():
                kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
                return HTTPStatus.OK, local.read_bytes(), kind
        return HTTPStatus.NOT_FOUND, b"not found", "text/plain; charset=utf-8"

    def _api_answer(self, rest: str) -> Any:
        parts = rest.split("/")
        lists: dict[str, Callable[[], Any]] = {
            "opportunities": self._api.opportunities_list,
            "contacts": self._api.contacts_list,
            "accounts": self._api.accounts_list,
        }
        records: dict[str, Callable[[str], Any]] = {
            "opportunities": self._api.opportunity,
            "accounts": self._api.account,
        }
        if len(parts) == 1 and parts[0] in lists:
            return lists[parts[0]]()
        if len(parts) == 2 and parts[0] in records:
            return records[parts[0]](unquote(parts[1]))
        return None

    def _static(self, name: str) -> bytes:
        return self._web.joinpath(name).read_bytes()
