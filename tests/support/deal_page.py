"""A simple CRM-like deal page, written for tests and benchmarks: a heading with the
deal's name, a people table (Contact, Role, Title, Phone, Email) and an attachment list.

Names, roles and numbers are fictional (+1 650 555 01xx); page text is escaped.
"""

from __future__ import annotations

from html import escape

ROLES = ("Decision Maker", "Economic Buyer", "Champion", "Technical evaluator", "End user", "")


def number(index: int) -> str:
    """The person's phone number as the page writes it."""
    return f"+1 650 555 {100 + index % 100:04d}"


def e164(index: int) -> str:
    return f"+1650555{100 + index % 100:04d}"


def deal_page(name: str, people: int, documents: int, files_url: str = "/files") -> str:
    rows = "\n".join(
        f"<tr><td>Person{i} Tester{i}</td><td>{ROLES[i % len(ROLES)]}</td>"
        f"<td>Director {i}</td><td><a href='tel:{e164(i)}'>{number(i)}</a></td>"
        f"<td>p{i}@customer.example</td></tr>"
        for i in range(people)
    )
    files = "\n".join(
        f"<li><a href='{files_url}/contract-{i}.pdf'>Contract {i}.pdf</a></li>"
        for i in range(documents)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(name)} | Deals</title></head>
<body>
<main>
  <h1>{escape(name)}</h1>
  <p>Stage: Proposal. Amount: $48,000.</p>
  <h2>People</h2>
  <table>
    <thead><tr><th>Contact</th><th>Role</th><th>Title</th><th>Phone</th><th>Email</th></tr></thead>
    <tbody>
{rows}
    </tbody>
  </table>
  <h2>Attachments</h2>
  <ul class="attachments">
{files}
  </ul>
</main>
</body>
</html>
"""
