-- Most tickets belong to nobody, and an import brings thousands that way at
-- once. Indexing only assigned tickets keeps "mine" and "bob's" one index walk
-- while unassigned rows (listed by the recency index and a check) cost the
-- index nothing: an import no longer has to rebuild it.
DROP INDEX tickets_by_assignee;
CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at) WHERE assignee IS NOT NULL;
