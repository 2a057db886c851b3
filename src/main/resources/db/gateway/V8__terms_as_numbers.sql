-- A search term is the first 64 bits of a word's keyed hash. Stored as 16 hex digits in a text array, each took 17
-- bytes and every index comparison compared text under the database's collation; as a bigint it takes 8 and compares
-- as a number. Measured on a 2-core machine with pgbench, writing 100 messages of 30 terms per statement: the write's
-- own cost fell by about a fifth, the terms index by 11-39 % and the table by about a third. Existing rows keep
-- their terms — the same 64 bits, read as a signed big-endian number — so they stay searchable.
CREATE FUNCTION terms_as_numbers(terms TEXT[]) RETURNS BIGINT[] LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ARRAY(SELECT ('x' || term)::bit(64)::bigint FROM unnest(terms) WITH ORDINALITY AS t(term, n) ORDER BY n)
$$;

DROP INDEX requests_terms_idx;
ALTER TABLE requests ALTER COLUMN content_terms TYPE BIGINT[] USING terms_as_numbers(content_terms);
DROP FUNCTION terms_as_numbers(TEXT[]);
CREATE INDEX requests_terms_idx ON requests USING GIN (content_terms)
    WITH (fastupdate = on, gin_pending_list_limit = 16384);
