-- Possible duplicates weigh a draft's words by how many tickets hold each
-- one whole (as the SQLite desk's full-text index counts its tokens) and ask
-- for the newest of them. The trigram indexes, made for the search rule's
-- substrings, can only narrow those questions: every candidate row had to be
-- read and tested again, seconds per draft at a million tickets. A word
-- index answers both from one posting list per word.
CREATE INDEX tickets_words ON tickets USING gin (to_tsvector('simple', title || ' ' || description));
