-- What search finds by equality without reading every object of a kind: one row per
-- metadata entry (`metadata[key]`) and per other indexed field (a customer's email),
-- its value lowercased because search equality ignores case. `seq` is the object's.
CREATE TABLE search_terms (
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX search_terms_lookup ON search_terms (kind, field, value, seq);
CREATE INDEX search_terms_seq ON search_terms (seq);
-- An object's terms are replaced whenever it is: the trigger drops the old ones inside
-- the upsert itself, so a put of a new object without terms costs no statement more.
CREATE FUNCTION search_terms_replaced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_terms WHERE seq = OLD.seq;
    RETURN NULL;
END $$;
CREATE TRIGGER objects_terms_replaced AFTER UPDATE OF body ON objects
    FOR EACH ROW EXECUTE FUNCTION search_terms_replaced();
-- The terms of objects stored before this version (metadata values are strings).
INSERT INTO search_terms (kind, field, value, seq)
    SELECT o.kind, 'metadata[' || m.key || ']', lower(m.value), o.seq
    FROM objects o, jsonb_each_text(o.body::jsonb -> 'metadata') m
    WHERE o.kind IN ('payment_intent', 'customer', 'charge')
      AND jsonb_typeof(o.body::jsonb -> 'metadata' -> m.key) = 'string';
INSERT INTO search_terms (kind, field, value, seq)
    SELECT kind, 'email', lower(ref1), seq FROM objects
    WHERE kind = 'customer' AND ref1 IS NOT NULL;
