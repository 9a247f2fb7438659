-- Inventories are stored gzip-compressed already: PostgreSQL's own TOAST compression of them only burns CPU
-- (measured: the INSERT of a batch of first reports' inventories was the third costliest ingest statement).
ALTER TABLE installed_inventories ALTER COLUMN packages_gzip SET STORAGE EXTERNAL;
