-- Clock sweep and outbox delivery: indexes that keep one sweep pass proportional to
-- the cases that change (not to all open cases), and channel kinds for subscriptions.

-- Cases are looked up by id alone (actOnCase, the sweep's candidates); the primary key leads
-- with city_code, so without this each lookup scans the table. Not unique: under Citus a unique
-- index must include the distribution column (the primary key already guarantees it).
CREATE INDEX cases_id_idx ON cases (id);

-- Running clocks not yet red, by the deadline that turns them red. The sweep's red
-- UPDATE reads only rows whose deadline has just passed; already-red rows are not in it.
CREATE INDEX cases_accept_not_red_idx ON cases (accept_due_at)
  WHERE status = 'reported' AND clock_colour <> 'red';
CREATE INDEX cases_handle_not_red_idx ON cases (handle_due_at)
  WHERE status IN ('dispatched','in_progress') AND clock_colour <> 'red';
-- Red cases waiting for supervision (督办).
CREATE INDEX cases_supervise_idx ON cases (handle_due_at)
  WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND supervised_at IS NULL;
-- Red cases not yet escalated automatically.
CREATE INDEX cases_auto_escalate_idx ON cases (handle_due_at)
  WHERE status IN ('dispatched','in_progress') AND clock_colour = 'red' AND auto_escalated_at IS NULL;

-- A subscription's channel: a partner's webhook, an SMS gateway, a WeChat message gateway.
ALTER TABLE webhook_subscriptions
  ADD COLUMN kind text NOT NULL DEFAULT 'webhook' CHECK (kind IN ('webhook','sms','wechat')),
  ADD COLUMN node_code text,
  ADD COLUMN created_by uuid,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX webhook_subscriptions_city_idx ON webhook_subscriptions (city_code) WHERE active;

-- One row per attempt: a retry can never be logged (or scheduled) twice.
CREATE UNIQUE INDEX webhook_deliveries_attempt_uq ON webhook_deliveries (subscription_id, outbox_id, attempt);
