-- A desk shared by many agents: versions so no change overwrites one it did
-- not see, an assignee, and an append-only record of who changed what.

ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 1
    CONSTRAINT version_positive CHECK (version >= 1);

-- An OS account name (letters, digits, '.', '_', '@', '-'), or NULL when nobody has it.
ALTER TABLE tickets ADD COLUMN assignee TEXT
    CONSTRAINT assignee_account_name CHECK (
        assignee IS NULL OR (length(assignee) BETWEEN 1 AND 64 AND assignee NOT GLOB '*[^A-Za-z0-9._@-]*')
    );

CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at);

-- Every change bumps the version, whoever makes it (our writes and a reporting
-- tool's UPDATE alike), and moves updated_at.
DROP TRIGGER tickets_touch;
CREATE TRIGGER tickets_touch AFTER UPDATE OF title, description, category, priority, status, assignee ON tickets
WHEN NEW.version = OLD.version
BEGIN
    UPDATE tickets SET version = OLD.version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = NEW.id;
END;

CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                  CONSTRAINT event_at_utc_millis CHECK (
                      at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z'
                  ),
    -- The OS account that made the change.
    actor     TEXT NOT NULL CONSTRAINT event_actor CHECK (length(actor) BETWEEN 1 AND 64),
    field     TEXT NOT NULL CONSTRAINT event_field CHECK (
                  field IN ('created', 'title', 'description', 'category', 'priority', 'status', 'assignee', 'note')
              ),
    old_value TEXT,
    new_value TEXT,
    -- Where the new value came from: a person, a suggestion (cached or not), or an import.
    source    TEXT NOT NULL DEFAULT 'person' CONSTRAINT event_source CHECK (
                  source IN ('person', 'claude', 'local', 'claude-cached', 'local-cached', 'import')
              ),
    CONSTRAINT note_not_blank CHECK (field <> 'note' OR length(trim(coalesce(new_value, ''))) > 0)
) STRICT;

CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

-- History is written once and never rewritten.
CREATE TRIGGER ticket_events_append_only BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket events are append-only');
END;
