-- Whether a search walks the newest tickets or reads every row the trigram
-- indexes name is the planner's choice, from how often it thinks a pattern
-- occurs. It judges `LIKE '%credit%card%'` from a sample of the lowered
-- texts: with the default hundred, a phrase on 3% of a million tickets was
-- sometimes found in none of them, and the planner read all 35,000 rows
-- holding it (250 ms) instead of the newest few (20 ms). Three hundred make
-- that miss practically impossible; ANALYZE reads more rows in exchange
-- (1.6 s -> 4.8 s at a million tickets).
ALTER INDEX tickets_search_title ALTER COLUMN 1 SET STATISTICS 300;
ALTER INDEX tickets_search_description ALTER COLUMN 1 SET STATISTICS 300;
