"""The ledger's tables, as numbered migrations run when it is opened.

``MIGRATIONS[n]`` brings a database at version ``n`` (``PRAGMA user_version``)
to version ``n + 1``. To change the schema, append a migration; never edit
one that has shipped: a clinic's ledger may be at any earlier version, and a
test opens one of every earlier version.
"""

from __future__ import annotations

from .runs import MIGRATION as RUNS
from .signatures import MIGRATION as SIGNATURES

MIGRATIONS: list[str] = [
    # 1: handouts made for named patients, their deliveries, and the once-only claims.
    """
    CREATE TABLE handouts (
        id INTEGER PRIMARY KEY,
        made_at TEXT NOT NULL,            -- UTC, ISO 8601
        made_by TEXT NOT NULL,
        source TEXT NOT NULL,             -- handout, batch, web, day's list
        run TEXT,                         -- the batch run it was made in, if any
        clinic TEXT NOT NULL,
        protocol TEXT NOT NULL,
        language TEXT NOT NULL,
        procedure_date TEXT,
        procedure_time TEXT,
        patient TEXT NOT NULL,
        email TEXT,
        pdf_sha256 TEXT NOT NULL,
        pages INTEGER,
        content_version TEXT NOT NULL,    -- hash of the protocol, translation, branding, templates
        review_status TEXT NOT NULL       -- the protocol's: reviewed, draft, clinic's own
    );
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        handout_id INTEGER NOT NULL REFERENCES handouts (id),
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        run TEXT,
        channel TEXT,                     -- emailed, printed; NULL for a download or .eml
        recipient TEXT NOT NULL DEFAULT '',
        result TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',  -- printer and job, .eml path
        again INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX deliveries_handout ON deliveries (handout_id);
    CREATE TABLE claims (
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        patient TEXT NOT NULL,
        clinic TEXT NOT NULL,
        protocol TEXT NOT NULL,
        procedure_date TEXT NOT NULL,
        occurrence INTEGER NOT NULL,
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
        PRIMARY KEY (channel, recipient, patient, clinic, protocol, procedure_date, occurrence)
    );
    CREATE TABLE imported (name TEXT PRIMARY KEY, at TEXT NOT NULL);
    """,
    # 2: what a manager's search needs on a large record: newest first by
    # date, clinic and procedure, and any part of a name or address.
    """
    CREATE INDEX handouts_made_at ON handouts (made_at);
    CREATE INDEX handouts_clinic ON handouts (clinic, made_at);
    CREATE INDEX handouts_protocol ON handouts (protocol, made_at);
    CREATE INDEX handouts_run ON handouts (run);
    CREATE INDEX handouts_sha256 ON handouts (pdf_sha256);
    CREATE INDEX deliveries_run ON deliveries (run);
    CREATE VIRTUAL TABLE handout_text USING fts5 (patient, email, tokenize = 'trigram');
    INSERT INTO handout_text (rowid, patient, email)
        SELECT id, patient, coalesce(email, '') FROM handouts;
    """,
    # 3: follow-up messages on the patient's dates (handouts/follow_ups/outbox.py):
    # scheduled when a handout is emailed with the patient's consent, claimed
    # and sent at most once, cancelled by a stop request, staff or a later list.
    """
    CREATE TABLE follow_ups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        handout TEXT NOT NULL,          -- one random token per emailed handout (its stop link)
        key TEXT NOT NULL,              -- the follow-up within it: day-2, rule-3-ends
        clinic TEXT NOT NULL,
        protocol TEXT NOT NULL,
        language TEXT NOT NULL,
        procedure_date TEXT NOT NULL,
        patient TEXT NOT NULL,          -- for staff to find it: never sent, never logged
        recipient TEXT NOT NULL,        -- the address the handout went to
        title TEXT NOT NULL,            -- the handout's title
        heading TEXT NOT NULL,
        text TEXT NOT NULL,
        day TEXT NOT NULL,              -- the patient's date it is about
        due TEXT NOT NULL,              -- UTC, ISO 8601
        state TEXT NOT NULL,            -- scheduled, sending, sent, uncertain, cancelled, ...
        consent TEXT NOT NULL,          -- how and when the patient agreed
        scheduled_at TEXT NOT NULL,
        claimed_by TEXT,
        claimed_at TEXT,
        finished_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        UNIQUE (handout, key)
    );
    CREATE INDEX follow_ups_due ON follow_ups (state, due);
    CREATE INDEX follow_ups_recipient ON follow_ups (recipient);
    CREATE INDEX follow_ups_appointment ON follow_ups (clinic, protocol, procedure_date);
    """,
    # 4: signatures drawn at the desk, as proof of receipt (records/signatures.py).
    SIGNATURES,
    # 5: what was set for this patient beyond the protocol (records/particulars.py):
    # other procedures of the visit, a variant, the practitioner's words, a booked visit.
    "ALTER TABLE handouts ADD COLUMN particulars TEXT NOT NULL DEFAULT '{}';",
    # 6: each batch run and what happened to every row of its list (records/runs.py):
    # manifest.csv is their export, and a re-run reads them to skip what is made.
    RUNS,
]

LATEST = len(MIGRATIONS)
