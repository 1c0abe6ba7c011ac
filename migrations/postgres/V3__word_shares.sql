-- Possible duplicates weigh a draft's words by how many tickets hold each.
-- Counting a common word reads thousands of rows, yet ANALYZE already keeps
-- the most common words of the word index and the share of tickets holding
-- each. Agents may not read the statistics of an index they do not own, so
-- this function, run as the owner, hands out those shares and nothing else.
CREATE FUNCTION ticket_word_shares() RETURNS TABLE (word text, share real)
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
    RETURN QUERY
    SELECT e.word, e.share
    FROM pg_stats AS s
    JOIN pg_class AS c ON c.relname = s.tablename
    JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = s.schemaname,
    LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e (word, share)
    WHERE c.oid = 'tickets_words'::regclass AND e.word IS NOT NULL;
END
$$;

-- Names resolve in the desk's schema, temporary tables last, as for every
-- function of V1.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION ticket_word_shares() SET search_path = %I, pg_temp', current_schema());
END
$$;
