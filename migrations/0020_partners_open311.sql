-- Partner systems (合作系统: 12345 hotlines, city apps, FixMyStreet-style clients) and their
-- API keys, for the Open311 GeoReport v2 API under /open311/v2/.

-- A partner belongs to a city and a node of the tree; its keys act within that subtree.
CREATE TABLE partners (
  id          bigserial PRIMARY KEY,
  city_code   text NOT NULL,
  name        text NOT NULL,
  node_code   text NOT NULL,
  node_path   ltree NOT NULL,
  contact     text,
  -- 'immediate': POST requests answers the service_request_id at once (service type realtime);
  -- 'after_acceptance': it answers a token, exchanged for the id once a dispatcher has
  -- accepted (or rejected) the case (service type batch).
  request_ids text NOT NULL DEFAULT 'immediate' CHECK (request_ids IN ('immediate','after_acceptance')),
  -- The identity recorded on the partner's cases (cases.created_by, timeline actor).
  actor_id    uuid NOT NULL UNIQUE,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code),
  UNIQUE (city_code, name)
);
CREATE INDEX partners_node_gist ON partners USING gist (node_path);

-- Only the SHA-256 of a key is stored; the key itself is shown once, when issued.
CREATE TABLE partner_keys (
  id          bigserial PRIMARY KEY,
  city_code   text NOT NULL,
  partner_id  bigint NOT NULL REFERENCES partners (id),
  key_hash    text NOT NULL UNIQUE,
  -- The first characters of the key, so that people can tell keys apart.
  key_prefix  text NOT NULL,
  label       text,
  node_code   text NOT NULL,
  node_path   ltree NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  last_used_at timestamptz,
  revoked_at  timestamptz,
  revoked_by  uuid,
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code)
);
CREATE INDEX partner_keys_partner_idx ON partner_keys (partner_id);

-- GET tokens/{token}: the token is written into the case's attributes at intake (same row, same
-- transaction as the case), so a token can never point at a missing case.
CREATE INDEX cases_open311_token_idx ON cases ((attributes -> 'open311' ->> 'token'))
  WHERE channel = 'partner' AND attributes ? 'open311';

-- servicerequestupdates: timeline entries by time.
CREATE INDEX case_events_at_idx ON case_events (at);
