-- What was suggested when a ticket was saved, beside what the agent chose,
-- so the desk can say how often each source's suggestions are kept. A
-- suggestion overridden before saving and one edited afterwards both count
-- as changed: what matters is whether the ticket still carries it.
CREATE TABLE ticket_suggestions (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    source    TEXT NOT NULL CONSTRAINT suggestion_source CHECK (source IN ('claude', 'local')),
    category  TEXT NOT NULL CONSTRAINT suggested_category_known
                  CHECK (category IN ('billing', 'technical', 'account', 'general')),
    priority  TEXT NOT NULL CONSTRAINT suggested_priority_known
                  CHECK (priority IN ('low', 'medium', 'high', 'critical'))
) STRICT;

-- Running totals per source and field: tickets that still carry the
-- suggested value (kept) and tickets that do not (changed). Stats read these
-- four rows, never the tables.
CREATE TABLE suggestion_counts (
    source  TEXT NOT NULL CHECK (source IN ('claude', 'local')),
    field   TEXT NOT NULL CHECK (field IN ('category', 'priority')),
    kept    INTEGER NOT NULL DEFAULT 0 CHECK (kept >= 0),
    changed INTEGER NOT NULL DEFAULT 0 CHECK (changed >= 0),
    PRIMARY KEY (source, field)
) STRICT, WITHOUT ROWID;

INSERT INTO suggestion_counts (source, field)
VALUES ('claude', 'category'), ('claude', 'priority'), ('local', 'category'), ('local', 'priority');

CREATE TRIGGER ticket_suggestions_counted AFTER INSERT ON ticket_suggestions
BEGIN
    UPDATE suggestion_counts
    SET kept = kept + (t.category = NEW.category), changed = changed + (t.category <> NEW.category)
    FROM (SELECT category FROM tickets WHERE id = NEW.ticket_id) AS t
    WHERE source = NEW.source AND field = 'category';
    UPDATE suggestion_counts
    SET kept = kept + (t.priority = NEW.priority), changed = changed + (t.priority <> NEW.priority)
    FROM (SELECT priority FROM tickets WHERE id = NEW.ticket_id) AS t
    WHERE source = NEW.source AND field = 'priority';
END;

-- A suggestion is written once, with its ticket, and stays while it does.
CREATE TRIGGER ticket_suggestions_unchanged BEFORE UPDATE ON ticket_suggestions
BEGIN
    SELECT RAISE(ABORT, 'ticket suggestions are written once');
END;
CREATE TRIGGER ticket_suggestions_kept BEFORE DELETE ON ticket_suggestions
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id)
BEGIN
    SELECT RAISE(ABORT, 'ticket suggestions are written once');
END;

-- An edit afterwards moves the ticket between kept and changed.
CREATE TRIGGER ticket_suggestions_follow_edits AFTER UPDATE OF category, priority ON tickets
WHEN NEW.category IS NOT OLD.category OR NEW.priority IS NOT OLD.priority
BEGIN
    UPDATE suggestion_counts
    SET kept = kept + (NEW.category = s.category) - (OLD.category = s.category),
        changed = changed + (NEW.category <> s.category) - (OLD.category <> s.category)
    FROM (SELECT source, category FROM ticket_suggestions WHERE ticket_id = NEW.id) AS s
    WHERE suggestion_counts.source = s.source AND field = 'category';
    UPDATE suggestion_counts
    SET kept = kept + (NEW.priority = s.priority) - (OLD.priority = s.priority),
        changed = changed + (NEW.priority <> s.priority) - (OLD.priority <> s.priority)
    FROM (SELECT source, priority FROM ticket_suggestions WHERE ticket_id = NEW.id) AS s
    WHERE suggestion_counts.source = s.source AND field = 'priority';
END;

-- A ticket removed takes its suggestion out of the totals (before the
-- cascade removes the suggestion itself).
CREATE TRIGGER ticket_suggestions_forgotten BEFORE DELETE ON tickets
BEGIN
    UPDATE suggestion_counts
    SET kept = kept - (OLD.category = s.category), changed = changed - (OLD.category <> s.category)
    FROM (SELECT source, category FROM ticket_suggestions WHERE ticket_id = OLD.id) AS s
    WHERE suggestion_counts.source = s.source AND field = 'category';
    UPDATE suggestion_counts
    SET kept = kept - (OLD.priority = s.priority), changed = changed - (OLD.priority <> s.priority)
    FROM (SELECT source, priority FROM ticket_suggestions WHERE ticket_id = OLD.id) AS s
    WHERE suggestion_counts.source = s.source AND field = 'priority';
END;
