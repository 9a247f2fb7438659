-- Access-key secrets and secret subscription attributes (a ticket's Authorization header) are sealed with
-- AES-GCM under the server key (SecretBox), as connection secrets are since V10. SQL never sees that key,
-- so rows written before this version are sealed by the server at start-up, right after this migration
-- (AccessKeyStore, NotifyStore.sealPlaintext), which empties the plain-text column. A later version may
-- drop secret_access_key once no server older than this one can be running.

ALTER TABLE access_keys ADD COLUMN secret_sealed text;
ALTER TABLE access_keys ALTER COLUMN secret_access_key DROP NOT NULL;
-- Rows written from now on carry only the sealed secret; older rows are checked once they are sealed.
ALTER TABLE access_keys ADD CONSTRAINT access_keys_secret_sealed
    CHECK (secret_access_key IS NULL AND secret_sealed IS NOT NULL) NOT VALID;

-- The secret attributes of a subscription, sealed as one JSON object; NULL when it has none. The attributes
-- column keeps the others.
ALTER TABLE sns_subscriptions ADD COLUMN secret_attributes text;
