-- Work that comes due later (webhook deliveries, scheduled jobs): `due` is the time it
-- may next be taken, null once it is finished. Workers read the due rows in due order.
ALTER TABLE objects ADD COLUMN due BIGINT;
CREATE INDEX objects_kind_due ON objects (kind, due) WHERE due IS NOT NULL;
