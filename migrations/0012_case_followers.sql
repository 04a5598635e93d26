-- Followers of a case: reporters of duplicates merged into it (they follow the
-- original from then on) and anyone else who asked to be told.
CREATE TABLE case_followers (
  city_code  text NOT NULL,
  case_id    bigint NOT NULL,
  user_id    uuid,
  phone_hash text,
  reason     text NOT NULL CHECK (reason IN ('merged','subscribed')),
  from_case_id bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (city_code, case_id) REFERENCES cases (city_code, id)
);
CREATE INDEX case_followers_case_idx ON case_followers (case_id);
CREATE INDEX case_followers_user_idx ON case_followers (user_id) WHERE user_id IS NOT NULL;
