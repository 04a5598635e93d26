-- Reports without an account (anonymous residents; partners and imports too): the per-phone cap on anonymous
-- reports counts a phone's recent ones, and their idempotency keys are unique without a creator.
CREATE INDEX cases_accountless_phone_idx ON cases (reporter_phone_hash, created_at)
  WHERE created_by IS NULL AND reporter_phone_hash IS NOT NULL;
CREATE UNIQUE INDEX cases_accountless_idempotency ON cases (idempotency_key, city_code)
  WHERE created_by IS NULL AND idempotency_key IS NOT NULL;
