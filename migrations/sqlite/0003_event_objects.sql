-- An event's customer column holds the id of the object it is about (the Dashboard lists an
-- object's events by it); events recorded before this version get theirs.
UPDATE objects SET customer = json_extract(body, '$.object.id')
    WHERE kind = 'event' AND customer IS NULL;
