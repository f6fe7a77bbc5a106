"""The demo's people on the other end of the line, and how each one answers.

Each demo callee is a person from the demo dataset (or a colleague at our own company)
with a behaviour: one answers and speaks, one is busy, one never answers, one misses
the call and rings back shortly after, and a colleague takes transferred calls. Every
phone number of the person's contact in the dataset reaches them; any other number of
the dataset reaches `CATCH_ALL` (who answers too), so every call button on the demo
CRM works. Pure data: no processes, no pjsua2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from rolecall.protocol.records import Dataset

__all__ = [
    "CAST",
    "CATCH_ALL",
    "COLLEAGUE_EXTENSION",
    "DEMO_USER",
    "Behaviour",
    "Person",
    "cast_of",
]

Behaviour = Literal["answer", "busy", "no_answer", "call_back", "colleague"]

DEMO_USER: Final = "you"
"""The SIP user of the demo's own account (the salesperson at the browser)."""
COLLEAGUE_EXTENSION: Final = "2001"
"""The colleague's internal extension: what to type as a transfer target."""


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    behaviour: Behaviour
    says: str
    contact_id: str | None = None
    users: tuple[str, ...] = field(default=())
    """SIP user parts that reach this person: E.164 numbers, or an extension."""
    catch_all: bool = False
    """Also answers every call to a user part nobody else has."""

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "behaviour": self.behaviour,
            "users": list(self.users),
            "catch_all": self.catch_all,
        }


CAST: Final = (
    Person(
        "anna",
        "Anna Kowalski",
        "answer",
        "Hi, this is Anna Kowalski at Acme Analytics. Good timing: I have the security "
        "review notes in front of me. Can you walk me through the proposal?",
        contact_id="con-anna-kowalski",
    ),
    Person("marcus", "Marcus Reed", "busy", "", contact_id="con-marcus-reed"),
    Person("priya", "Priya Natarajan", "no_answer", "", contact_id="con-priya-natarajan"),
    Person(
        "tom",
        "Tom Becker",
        "call_back",
        "Hi, Tom Becker here, I just missed your call. Is now a good time?",
        contact_id="con-tom-becker",
    ),
    Person(
        "sam",
        "Sam Rivera (Solutions Engineering, ext. 2001)",
        "colleague",
        "Sam Rivera, solutions engineering. Happy to take it from here.",
        users=(COLLEAGUE_EXTENSION,),
    ),
)

CATCH_ALL: Final = Person(
    "switchboard",
    "Whoever picks up",
    "answer",
    "Hello, thanks for calling. Yes, I can talk now. What can I do for you?",
    users=("switchboard",),
    catch_all=True,
)


def cast_of(dataset: Dataset) -> tuple[Person, ...]:
    """The cast with each person's numbers from `dataset`, and the catch-all last."""
    contacts = {contact.id: contact for contact in dataset.contacts}
    people = []
    for person in CAST:
        contact = contacts.get(person.contact_id or "")
        numbers = tuple(p.e164 for p in contact.phones if p.e164) if contact else ()
        people.append(
            Person(
                person.key,
                person.name,
                person.behaviour,
                person.says,
                person.contact_id,
                person.users + numbers,
            )
        )
    return (*people, CATCH_ALL)
