-- The ticket store. Every rule lives here so that a raw INSERT from the sqlite3
-- shell is held to the same contract as the application. Keep this file
-- readable by SQLite 3.40 (the stock shell on the hosts we support).

-- "TDSK" marks the file as ours; open() refuses any other non-empty database.
PRAGMA application_id = 1413763915;

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    -- 1..200 characters (length() counts characters, not bytes), stored trimmed,
    -- and no control characters: C0, DEL and C1 are all refused.
    title       TEXT NOT NULL
                    CONSTRAINT title_1_to_200_chars CHECK (length(title) BETWEEN 1 AND 200)
                    CONSTRAINT title_trimmed CHECK (title = trim(title, ' ' || char(9, 10, 11, 12, 13)))
                    -- Two ranges (C0; DEL and C1): GLOB tests a range per character, far
                    -- cheaper than a list of 65 characters.
                    CONSTRAINT title_no_control_chars CHECK (
                        title NOT GLOB ('*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*')),
    -- Non-empty after trimming; newlines, tabs and other control characters are
    -- kept as given and made safe only when displayed.
    description TEXT NOT NULL
                    CONSTRAINT description_not_blank
                    CHECK (length(trim(description, ' ' || char(9, 10, 11, 12, 13))) > 0),
    category    TEXT NOT NULL CONSTRAINT category_known CHECK (category IN ('billing', 'technical', 'account', 'general')),
    priority    TEXT NOT NULL CONSTRAINT priority_known CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status      TEXT NOT NULL DEFAULT 'open'
                    CONSTRAINT status_known CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    -- Fixed-width UTC timestamps (YYYY-MM-DDTHH:MM:SS.sssZ) so text order is time order.
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    CONSTRAINT created_at_utc_millis CHECK (
                    created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z'
                    AND julianday(created_at) IS NOT NULL
                ),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    CONSTRAINT updated_at_utc_millis CHECK (
                    updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z'
                    AND julianday(updated_at) IS NOT NULL
                )
) STRICT;

-- Newest first under any filter: each index ends in created_at (and the rowid,
-- implicitly), so "WHERE <filter> ORDER BY created_at DESC, id DESC LIMIT n"
-- walks one index and stops. Two filters walk the more selective index and
-- test the other column on at most a few hundred rows.
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_status ON tickets (status, created_at);
CREATE INDEX tickets_by_priority ON tickets (priority, created_at);
CREATE INDEX tickets_by_category ON tickets (category, created_at);

-- Any change made without touching updated_at (a reporting tool's UPDATE, say)
-- still moves it. Our own writes rely on this too.
CREATE TRIGGER tickets_touch AFTER UPDATE OF title, description, category, priority, status ON tickets
WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE tickets SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

-- Full-text search over title and description. External content (no second
-- copy of the text) and detail=none (no positions): queries only ask "which
-- rows have a token starting with ...", and the exact rule is re-checked on
-- the candidates, so positions would only cost space and import time.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    title, description,
    content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0',
    detail = none,
    prefix = '2 3'
);

-- Let the index gather 16 MiB of terms before writing a segment (the default is
-- 1 MiB): bulk imports then merge far fewer segments.
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 16777216);

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, title, description) VALUES (NEW.id, NEW.title, NEW.description);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description)
    VALUES ('delete', OLD.id, OLD.title, OLD.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description)
    VALUES ('delete', OLD.id, OLD.title, OLD.description);
    INSERT INTO tickets_fts (rowid, title, description) VALUES (NEW.id, NEW.title, NEW.description);
END;

-- Running totals per (category, priority, status), kept by triggers, so stats
-- read 64 rows instead of scanning the table.
CREATE TABLE ticket_counts (
    category TEXT NOT NULL CHECK (category IN ('billing', 'technical', 'account', 'general')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status   TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    n        INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (category, priority, status)
) STRICT, WITHOUT ROWID;

INSERT INTO ticket_counts (category, priority, status)
SELECT c.value, p.value, s.value
FROM (SELECT 'billing' AS value UNION ALL SELECT 'technical' UNION ALL SELECT 'account' UNION ALL SELECT 'general') AS c,
     (SELECT 'low' AS value UNION ALL SELECT 'medium' UNION ALL SELECT 'high' UNION ALL SELECT 'critical') AS p,
     (SELECT 'open' AS value UNION ALL SELECT 'in_progress' UNION ALL SELECT 'resolved' UNION ALL SELECT 'closed') AS s;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
    UPDATE ticket_counts SET n = n + 1
    WHERE category = NEW.category AND priority = NEW.priority AND status = NEW.status;
END;
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE category = OLD.category AND priority = OLD.priority AND status = OLD.status;
END;
CREATE TRIGGER ticket_counts_update AFTER UPDATE OF category, priority, status ON tickets
WHEN NEW.category IS NOT OLD.category OR NEW.priority IS NOT OLD.priority OR NEW.status IS NOT OLD.status
BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE category = OLD.category AND priority = OLD.priority AND status = OLD.status;
    UPDATE ticket_counts SET n = n + 1
    WHERE category = NEW.category AND priority = NEW.priority AND status = NEW.status;
END;
