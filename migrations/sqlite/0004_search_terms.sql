-- What search finds by equality without reading every object of a kind: one row per
-- metadata entry (`metadata[key]`) and per other indexed field (a customer's email),
-- its value lowercased because search equality ignores case. `seq` is the object's.
CREATE TABLE search_terms (
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX search_terms_lookup ON search_terms (kind, field, value, seq);
CREATE INDEX search_terms_seq ON search_terms (seq);
-- An object's terms are replaced whenever it is: the trigger drops the old ones inside
-- the upsert itself, so a put of a new object without terms costs no statement more.
CREATE TRIGGER objects_terms_replaced AFTER UPDATE OF body ON objects
BEGIN
    DELETE FROM search_terms WHERE seq = old.seq;
END;
-- The terms of objects stored before this version (metadata values are strings). SQLite's lower() folds ASCII only;
-- values with other capitals are found again once their object is next saved.
INSERT INTO search_terms (kind, field, value, seq)
    SELECT o.kind, 'metadata[' || m.key || ']', lower(m.value), o.seq
    FROM objects o, json_each(o.body, '$.metadata') m
    WHERE o.kind IN ('payment_intent', 'customer', 'charge') AND m.type = 'text';
INSERT INTO search_terms (kind, field, value, seq)
    SELECT kind, 'email', lower(ref1), seq FROM objects
    WHERE kind = 'customer' AND ref1 IS NOT NULL;
