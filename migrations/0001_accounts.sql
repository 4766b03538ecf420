-- Accounts, tenants and the audit trail: the foundation every other table hangs off.
CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  company_name text NOT NULL,
  plan text NOT NULL DEFAULT 'starter',
  cloud_provider text,
  preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'customer')),
  customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (role = 'admin' OR customer_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Platform-wide settings that must survive restarts and be shared by replicas.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Every state change with who and when; append-only.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL
);
CREATE INDEX audit_log_customer_at ON audit_log (customer_id, at);

-- Opaque bearer tokens for machines: a customer's agent runtime ('runtime') or a platform agent
-- process ('agent'). Only the SHA-256 of the token is stored; revocation keeps the row.
CREATE TABLE access_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('runtime', 'agent')),
  customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CHECK (kind = 'agent' OR customer_id IS NOT NULL)
);
