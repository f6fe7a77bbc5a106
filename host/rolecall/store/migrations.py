"""The embedded store's schema as numbered steps; `PRAGMA user_version` says which ran.

Each step runs in its own transaction and is never edited once released: a change to
the schema is a new step. `migrate` brings a database of any earlier version (or an
empty file) to the latest one.
"""

from __future__ import annotations

import sqlite3

STEPS: tuple[str, ...] = (
    # 1: the CRM data the people and document views show.
    """
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        industry TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        phone_raw TEXT,
        phone_e164 TEXT
    );
    CREATE TABLE contacts (
        id TEXT PRIMARY KEY,
        account_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        sip_uri TEXT
    );
    CREATE TABLE contact_phones (
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        raw TEXT NOT NULL,
        e164 TEXT,
        PRIMARY KEY (contact_id, position)
    );
    CREATE INDEX contact_phones_e164 ON contact_phones(e164) WHERE e164 IS NOT NULL;
    CREATE TABLE opportunities (
        id TEXT PRIMARY KEY,
        account_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        stage TEXT NOT NULL DEFAULT '',
        amount REAL,
        currency TEXT NOT NULL DEFAULT 'USD',
        close_date TEXT,
        owner TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE opportunity_contact_roles (
        opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        source_role TEXT NOT NULL DEFAULT '',
        is_primary INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (opportunity_id, contact_id)
    );
    CREATE INDEX roles_by_contact ON opportunity_contact_roles(contact_id);
    CREATE TABLE relationships (
        from_contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        to_contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        PRIMARY KEY (from_contact_id, to_contact_id, kind)
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        url TEXT,
        local_path TEXT,
        owner TEXT NOT NULL DEFAULT '',
        modified_at TEXT
    );
    CREATE INDEX documents_by_opportunity ON documents(opportunity_id);
    """,
    # 2: the call log, notes, and the outbox of write-backs to CRMs.
    """
    CREATE TABLE calls (
        call_id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        direction TEXT NOT NULL,
        number TEXT NOT NULL,
        contact_id TEXT,
        opportunity_id TEXT,
        account_id TEXT,
        subject TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        answered_at TEXT,
        ended_at TEXT,
        duration_s INTEGER NOT NULL DEFAULT 0,
        end_cause TEXT,
        disposition TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        documents_presented TEXT NOT NULL DEFAULT '[]',
        recording_path TEXT,
        state TEXT NOT NULL CHECK (state IN ('live', 'ended'))
    );
    CREATE INDEX calls_by_opportunity ON calls(opportunity_id, started_at);
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        contact_id TEXT,
        opportunity_id TEXT,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        connector TEXT NOT NULL,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        remote_id TEXT,
        UNIQUE (connector, kind, idempotency_key)
    );
    """,
    # 3: page memory (deals, people and documents read off CRM pages, kept apart from
    # imported and connector data) and the CRM record a call was placed from.
    """
    CREATE TABLE page_deals (
        deal_key TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        fields TEXT NOT NULL DEFAULT '{}',
        account_phone_e164 TEXT,
        is_open INTEGER NOT NULL DEFAULT 1,
        seen INTEGER NOT NULL,
        seen_at TEXT NOT NULL,
        UNIQUE (origin, record_type, record_id)
    );
    CREATE INDEX page_deals_by_seen ON page_deals(seen);
    CREATE INDEX page_deals_by_origin ON page_deals(origin, seen);
    CREATE INDEX page_deals_by_switchboard ON page_deals(account_phone_e164)
        WHERE account_phone_e164 IS NOT NULL;
    CREATE TABLE page_people (
        deal_key TEXT NOT NULL REFERENCES page_deals(deal_key) ON DELETE CASCADE,
        person_key TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL,
        source_role TEXT NOT NULL DEFAULT '',
        phones TEXT NOT NULL DEFAULT '[]',
        email TEXT NOT NULL DEFAULT '',
        is_primary INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (deal_key, person_key)
    );
    CREATE TABLE page_phones (
        e164 TEXT NOT NULL,
        deal_key TEXT NOT NULL,
        person_key TEXT NOT NULL,
        PRIMARY KEY (e164, deal_key, person_key),
        FOREIGN KEY (deal_key, person_key) REFERENCES page_people(deal_key, person_key)
            ON DELETE CASCADE
    );
    CREATE INDEX page_phones_by_person ON page_phones(deal_key, person_key);
    CREATE TABLE page_documents (
        deal_key TEXT NOT NULL REFERENCES page_deals(deal_key) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        doc_type TEXT NOT NULL DEFAULT '',
        size_bytes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (deal_key, position)
    );
    CREATE TABLE page_edits (
        deal_key TEXT NOT NULL REFERENCES page_deals(deal_key) ON DELETE CASCADE,
        person_key TEXT NOT NULL,
        role TEXT,
        is_primary INTEGER,
        notes TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (deal_key, person_key)
    );
    ALTER TABLE calls ADD COLUMN record_origin TEXT;
    ALTER TABLE calls ADD COLUMN record_type TEXT;
    ALTER TABLE calls ADD COLUMN record_id TEXT;
    ALTER TABLE calls ADD COLUMN record_url TEXT;
    """,
    # 4: call transcripts made on this machine: turns by speaker, summary, action items.
    """
    CREATE TABLE transcripts (
        call_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        turns TEXT NOT NULL DEFAULT '[]',
        summary TEXT NOT NULL DEFAULT '',
        action_items TEXT NOT NULL DEFAULT '[]',
        error TEXT NOT NULL DEFAULT '',
        recording_path TEXT NOT NULL DEFAULT '',
        audio_s REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX transcripts_by_created ON transcripts(created_at);
    """,
)

LATEST = len(STEPS)


def version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, target: int = LATEST) -> int:
    """Runs the steps after the database's version up to `target`; the new version."""
    current = version(connection)
    if current > LATEST:
        raise RuntimeError(
            f"the database is version {current}, newer than this Rolecall ({LATEST})"
        )
    for number in range(current + 1, target + 1):
        script = STEPS[number - 1]
        try:
            connection.executescript(
                f"BEGIN IMMEDIATE; {script}; PRAGMA user_version = {number}; COMMIT;"
            )
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return version(connection)
