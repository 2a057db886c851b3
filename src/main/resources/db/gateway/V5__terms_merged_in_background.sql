-- The search terms' GIN index cost about a third of the database's time per written row when each write took its terms
-- into the tree at once (V3). Now writes append them to the index's pending list, and the gateway merges that list
-- into the tree in bulk once a second, off the write path (TermsMerger): less than half the cost. The limit is only a
-- backstop for a gateway that stops merging: past it, a write merges the list itself, as autovacuum also does.
ALTER INDEX requests_terms_idx SET (fastupdate = on, gin_pending_list_limit = 16384);
