-- The free-text search a creator was found with when shortlisted: implicit
-- feedback for the learned ranking (scout-train export ranking --feedback).
ALTER TABLE shortlist_entries ADD COLUMN query TEXT;
