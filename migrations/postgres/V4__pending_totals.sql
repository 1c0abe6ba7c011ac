-- Single writes on a busy desk queued behind one another on the running
-- totals: each writing statement locked the rows of its tickets' totals
-- until its transaction committed, and every new ticket of a kind moves the
-- same row, so sixteen agents saving at once waited in line (p99 over
-- 100 ms). Now a statement adds its changes as rows of their own (inserts
-- never wait for one another), and a writer that finds nobody else folding
-- moves every pending change into the totals; one that finds someone
-- folding leaves its change for the next. The totals a reader wants are
-- the folded ones plus what is pending: the views `ticket_totals` and
-- `suggestion_totals`, which stats, `db check` and reports read.
CREATE TABLE ticket_count_changes (
    category text NOT NULL,
    priority text NOT NULL,
    status   text NOT NULL,
    delta    bigint NOT NULL
);

CREATE TABLE suggestion_count_changes (
    source  text NOT NULL,
    field   text NOT NULL,
    kept    bigint NOT NULL,
    changed bigint NOT NULL
);

CREATE VIEW ticket_totals AS
SELECT c.category, c.priority, c.status, c.n + coalesce(p.delta, 0) AS n
FROM ticket_counts AS c
LEFT JOIN (SELECT category, priority, status, sum(delta) AS delta
           FROM ticket_count_changes GROUP BY category, priority, status) AS p
    USING (category, priority, status);

CREATE VIEW suggestion_totals AS
SELECT c.source, c.field, c.kept + coalesce(p.kept, 0) AS kept, c.changed + coalesce(p.changed, 0) AS changed
FROM suggestion_counts AS c
LEFT JOIN (SELECT source, field, sum(kept) AS kept, sum(changed) AS changed
           FROM suggestion_count_changes GROUP BY source, field) AS p
    USING (source, field);

-- Totals are no secret: anyone who may read tickets may read these.
GRANT SELECT ON ticket_totals, suggestion_totals TO PUBLIC;

-- One folder at a time per database: the key's bytes spell "TDSKTOTL". The
-- lock lasts until the folder's transaction ends, so the totals' rows are
-- only ever locked by the one folder, and nobody waits for it.
CREATE OR REPLACE FUNCTION ticket_counts_apply(delta_rows jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO ticket_count_changes (category, priority, status, delta)
    SELECT d.category, d.priority, d.status, d.delta
    FROM jsonb_to_recordset(delta_rows) AS d (category text, priority text, status text, delta bigint)
    WHERE d.delta <> 0;
    IF pg_try_advisory_xact_lock(6072069780604408908) THEN
        WITH folded AS (DELETE FROM ticket_count_changes RETURNING category, priority, status, delta),
             summed AS (SELECT category, priority, status, sum(delta) AS delta
                        FROM folded GROUP BY category, priority, status)
        UPDATE ticket_counts AS c SET n = c.n + s.delta
        FROM summed AS s
        WHERE (c.category, c.priority, c.status) = (s.category, s.priority, s.status);
        WITH folded AS (DELETE FROM suggestion_count_changes RETURNING source, field, kept, changed),
             summed AS (SELECT source, field, sum(kept) AS kept, sum(changed) AS changed
                        FROM folded GROUP BY source, field)
        UPDATE suggestion_counts AS c SET kept = c.kept + s.kept, changed = c.changed + s.changed
        FROM summed AS s
        WHERE (c.source, c.field) = (s.source, s.field);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION suggestion_counts_apply(delta_rows jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO suggestion_count_changes (source, field, kept, changed)
    SELECT d.source, d.field, d.kept, d.changed
    FROM jsonb_to_recordset(delta_rows) AS d (source text, field text, kept bigint, changed bigint)
    WHERE d.kept <> 0 OR d.changed <> 0;
    -- Folding both kinds is the totals function's work; it runs with no
    -- change of its own here.
    PERFORM ticket_counts_apply('[]');
END
$$;

-- A replaced function loses its settings: pin both again as V1 did. The
-- new tables and views belong to whoever owns the totals (the owner role,
-- once `db init-roles` has run), so the functions may write them.
DO $$
DECLARE
    owner name := (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'ticket_counts'::regclass);
BEGIN
    EXECUTE format('ALTER TABLE ticket_count_changes OWNER TO %I', owner);
    EXECUTE format('ALTER TABLE suggestion_count_changes OWNER TO %I', owner);
    EXECUTE format('ALTER VIEW ticket_totals OWNER TO %I', owner);
    EXECUTE format('ALTER VIEW suggestion_totals OWNER TO %I', owner);
    EXECUTE format('ALTER FUNCTION ticket_counts_apply(jsonb) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION suggestion_counts_apply(jsonb) SET search_path = %I, pg_temp', current_schema());
END
$$;
