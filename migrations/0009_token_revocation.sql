-- Revocable user tokens: every JWT carries the user's token_version (`tv`); logout, disabling or
-- deleting a user bumps it (or removes the row), so every token issued before stops working at once.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
