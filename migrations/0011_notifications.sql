-- Webhook notifications (Slack-compatible payloads) for approvals needed, rollbacks, completed changes
-- and incidents. Events come from the audit log in order; `cursor` is the last audit id handled, so
-- nothing is sent twice and nothing is skipped across restarts.
CREATE TABLE notification_webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  url text NOT NULL,
  events text[] NOT NULL,
  cursor bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX notification_webhooks_by_customer ON notification_webhooks (customer_id);

CREATE TABLE notification_deliveries (
  webhook_id uuid NOT NULL REFERENCES notification_webhooks(id) ON DELETE CASCADE,
  audit_id bigint NOT NULL,
  event text NOT NULL,
  status text NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts integer NOT NULL,
  http_status integer,
  error text,
  at timestamptz NOT NULL,
  PRIMARY KEY (webhook_id, audit_id)
);
