-- Work that comes due later (webhook deliveries, scheduled jobs): `due` is the time it
-- may next be taken, null once it is finished. Workers read the due rows in due order.
-- A delivery's `customer` column holds its endpoint, so the worker can pass over
-- endpoints it is already sending to.
ALTER TABLE objects ADD COLUMN due BIGINT;
CREATE INDEX objects_kind_due ON objects (kind, due) WHERE due IS NOT NULL;
-- Deliveries owed before this version keep their place.
UPDATE objects SET due = (body::json->>'due_at')::bigint, customer = body::json->>'endpoint'
    WHERE kind = 'webhook_delivery' AND ref1 = 'pending';
UPDATE objects SET customer = body::json->>'endpoint'
    WHERE kind = 'webhook_delivery' AND customer IS NULL;
