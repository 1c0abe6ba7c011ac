-- Rules the application kept and the schema did not, now kept by the database
-- for every writer (the sqlite3 shell included). They are triggers, not new
-- CHECKs: adding a CHECK means rebuilding `tickets`, and with foreign keys on
-- that would cascade into ticket_events and erase every history entry and
-- note. Rows written before these rules existed are kept; `db check` names
-- them. Each message starts with the rule's name, as a CHECK's would.

-- A timestamp must be a real instant, written the one way the application
-- writes it: no 30 February, no 24:00, no second 60. Reading it as a Julian
-- day and writing it back yields the same text only for such a timestamp.
-- A title is one line that reads as it is written: besides the control
-- characters its CHECK refuses, no line or paragraph separators, no BiDi
-- controls or marks, no invisible format characters (the application's
-- `title_refused_ranges`, which a test compares with this). Every such
-- character takes more than one byte: a title that is as long in bytes as in
-- characters is plain ASCII and skips the costlier pattern.
CREATE TRIGGER tickets_rules_insert BEFORE INSERT ON tickets
BEGIN
    SELECT RAISE(ABORT, 'title_no_invisible_chars: title must not hold separators, BiDi marks or invisible characters')
    WHERE length(CAST(NEW.title AS BLOB)) > length(NEW.title) AND NEW.title GLOB ('*[' || char(173) || char(1536) || '-' || char(1541) || char(1564) || char(1757) || char(1807)
        || char(2192) || '-' || char(2193) || char(2274) || char(4447) || '-' || char(4448) || char(6158)
        || char(8203) || char(8206) || '-' || char(8207) || char(8232) || '-' || char(8238)
        || char(8288) || '-' || char(8303) || char(12644) || char(65279) || char(65440)
        || char(65520) || '-' || char(65531) || char(69821) || char(69837) || char(78896) || '-' || char(78911)
        || char(113824) || '-' || char(113827) || char(119155) || '-' || char(119162)
        || char(917504) || '-' || char(917535) || char(917632) || '-' || char(917759)
        || char(918000) || '-' || char(921599) || ']*');
    SELECT RAISE(ABORT, 'created_at_utc_millis: created_at must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ')
    WHERE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(NEW.created_at)) IS NOT NEW.created_at;
    SELECT RAISE(ABORT, 'updated_at_utc_millis: updated_at must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ')
    WHERE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(NEW.updated_at)) IS NOT NEW.updated_at;
    SELECT RAISE(ABORT, 'description_at_most_65536_chars: description must be at most 65536 characters')
    WHERE length(NEW.description) > 65536;
    -- SQLite's text functions stop at NUL; bytes do not.
    SELECT RAISE(ABORT, 'description_no_nul: description must not contain NUL characters')
    WHERE instr(CAST(NEW.description AS BLOB), x'00') > 0;
END;

CREATE TRIGGER tickets_rules_update BEFORE UPDATE OF title, description, created_at, updated_at ON tickets
BEGIN
    SELECT RAISE(ABORT, 'title_no_invisible_chars: title must not hold separators, BiDi marks or invisible characters')
    WHERE NEW.title IS NOT OLD.title AND length(CAST(NEW.title AS BLOB)) > length(NEW.title)
      AND NEW.title GLOB ('*[' || char(173) || char(1536) || '-' || char(1541) || char(1564) || char(1757) || char(1807)
        || char(2192) || '-' || char(2193) || char(2274) || char(4447) || '-' || char(4448) || char(6158)
        || char(8203) || char(8206) || '-' || char(8207) || char(8232) || '-' || char(8238)
        || char(8288) || '-' || char(8303) || char(12644) || char(65279) || char(65440)
        || char(65520) || '-' || char(65531) || char(69821) || char(69837) || char(78896) || '-' || char(78911)
        || char(113824) || '-' || char(113827) || char(119155) || '-' || char(119162)
        || char(917504) || '-' || char(917535) || char(917632) || '-' || char(917759)
        || char(918000) || '-' || char(921599) || ']*');
    SELECT RAISE(ABORT, 'created_at_utc_millis: created_at must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ')
    WHERE NEW.created_at IS NOT OLD.created_at
      AND strftime('%Y-%m-%dT%H:%M:%fZ', julianday(NEW.created_at)) IS NOT NEW.created_at;
    SELECT RAISE(ABORT, 'updated_at_utc_millis: updated_at must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ')
    WHERE NEW.updated_at IS NOT OLD.updated_at
      AND strftime('%Y-%m-%dT%H:%M:%fZ', julianday(NEW.updated_at)) IS NOT NEW.updated_at;
    SELECT RAISE(ABORT, 'description_at_most_65536_chars: description must be at most 65536 characters')
    WHERE NEW.description IS NOT OLD.description AND length(NEW.description) > 65536;
    SELECT RAISE(ABORT, 'description_no_nul: description must not contain NUL characters')
    WHERE NEW.description IS NOT OLD.description AND instr(CAST(NEW.description AS BLOB), x'00') > 0;
END;

-- Notes follow the description's rules; every event's time is a real instant.
CREATE TRIGGER ticket_events_rules BEFORE INSERT ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'event_at_utc_millis: at must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ')
    WHERE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(NEW.at)) IS NOT NEW.at;
    SELECT RAISE(ABORT, 'note_at_most_65536_chars: a note must be at most 65536 characters')
    WHERE NEW.field = 'note' AND length(NEW.new_value) > 65536;
    SELECT RAISE(ABORT, 'note_no_nul: a note must not contain NUL characters')
    WHERE NEW.field = 'note' AND instr(CAST(NEW.new_value AS BLOB), x'00') > 0;
END;

-- History is never removed while its ticket exists. Removing a whole ticket
-- (its row is gone by the time the cascade reaches its events) still takes
-- its history with it.
CREATE TRIGGER ticket_events_never_deleted BEFORE DELETE ON ticket_events
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id)
BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;
