-- Gaps in the case loop: the signing-for (签收) deadline is swept, and delivered
-- outbox rows and their delivery log are purged after a retention period.

-- When the sweep flagged the current assignment as not signed for in time (once
-- per assignment: a new dispatch clears it).
ALTER TABLE cases ADD COLUMN sign_overdue_at timestamptz;
-- Dispatched cases not yet signed for nor flagged, by their signing deadline:
-- the sweep's candidate query reads only those whose deadline has passed.
CREATE INDEX cases_sign_overdue_idx ON cases (sign_due_at)
  WHERE status = 'dispatched' AND signed_at IS NULL AND sign_overdue_at IS NULL;

-- Retention: delivered outbox rows by age, and a message's delivery-log rows
-- (there was no index leading with outbox_id).
CREATE INDEX outbox_delivered_idx ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX webhook_deliveries_outbox_idx ON webhook_deliveries (outbox_id);
