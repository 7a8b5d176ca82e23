-- Objects are stored version-free as JSON; the columns beside the body exist for
-- lookups and list filters. `seq` orders lists (newest first).
CREATE TABLE account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key TEXT NOT NULL,
    publishable_key TEXT NOT NULL,
    country TEXT NOT NULL,
    api_version TEXT NOT NULL,
    created INTEGER NOT NULL
);

CREATE TABLE objects (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    customer TEXT,
    ref1 TEXT,
    hidden INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX objects_kind_seq ON objects (kind, seq);
-- Partial: most rows have no customer (events) or no ref1 (intents), and every index
-- a row is in costs a page write on insert.
CREATE INDEX objects_kind_customer_seq ON objects (kind, customer, seq) WHERE customer IS NOT NULL;
CREATE INDEX objects_kind_ref1_seq ON objects (kind, ref1, seq) WHERE ref1 IS NOT NULL;

-- Responses saved under an Idempotency-Key, kept 24 hours.
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX idempotency_created ON idempotency (created);
