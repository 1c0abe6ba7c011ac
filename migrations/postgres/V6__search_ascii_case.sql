-- Search narrows rows by the ASCII runs of a query, ignoring ASCII case,
-- through lower(). lower() follows the database's locale, and some locales
-- lowercase ASCII their own way: in a Turkish one lower('INVOICE') is
-- 'ınvoıce', so a search for "invoice" missed tickets written in capitals.
-- Under the "C" collation lower() changes A to Z and nothing else, whatever
-- the database's locale: exactly the test the narrowing needs.
DROP INDEX tickets_search_title;
DROP INDEX tickets_search_description;
CREATE INDEX tickets_search_title ON tickets USING gin (lower(title COLLATE "C") gin_trgm_ops);
CREATE INDEX tickets_search_description ON tickets USING gin (lower(description COLLATE "C") gin_trgm_ops);
ALTER INDEX tickets_search_title ALTER COLUMN 1 SET STATISTICS 300;
ALTER INDEX tickets_search_description ALTER COLUMN 1 SET STATISTICS 300;
-- The planner judges searches from the indexes' statistics: have them now.
ANALYZE tickets;
