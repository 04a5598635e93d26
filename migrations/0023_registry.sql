-- The registry (人、地、事、物): households and residents with their personal
-- data encrypted, care tags, places, things (城市部件), move history, and the
-- links from a case to the household, place or thing it concerns.
-- Every table that grows with a city carries city_code (the Citus distribution
-- column) and the node_path of its grid, so scope checks are one ltree test.

-- Care and attention tags (重点人群标签). visit_every_days drives the visit plans
-- (NULL = no regular visits); sensitive tags (community correction, mental
-- illness …) are shown only to those who may reveal personal data.
CREATE TABLE tag_kinds (
  code             text PRIMARY KEY,
  name_zh          text NOT NULL,
  name_en          text NOT NULL,
  visit_every_days integer CHECK (visit_every_days IS NULL OR visit_every_days > 0),
  sensitive        boolean NOT NULL DEFAULT false,
  sort             integer NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- Rendered from src/domain/registry.ts (TAG_KINDS). ON CONFLICT DO NOTHING:
-- a frequency an administrator has changed keeps its value.
INSERT INTO tag_kinds (code, name_zh, name_en, visit_every_days, sensitive, sort) VALUES
  ('elderly_alone',          '独居老人',     'Elderly living alone',        7,    false, 10),
  ('elderly',                '老年人',       'Elderly',                     NULL, false, 20),
  ('pregnant',               '孕产妇',       'Pregnant or postpartum',      30,   false, 30),
  ('disabled',               '残疾人',       'Disabled',                    30,   false, 40),
  ('left_behind_child',      '留守儿童',     'Left-behind child',           30,   false, 50),
  ('low_income',             '低保户',       'Low-income (dibao)',          30,   false, 60),
  ('community_correction',   '社区矫正对象', 'Under community correction',  30,   true,  70),
  ('serious_mental_illness', '严重精神障碍患者', 'Serious mental illness',  14,   true,  80),
  ('released_prisoner',      '刑满释放人员', 'Released prisoner',           90,   true,  90),
  ('drug_rehabilitation',    '社区戒毒康复人员', 'Drug rehabilitation',     30,   true,  100),
  ('veteran',                '退役军人',     'Veteran',                     NULL, false, 110),
  ('floating',               '流动人口',     'Floating population',         NULL, false, 120)
ON CONFLICT (code) DO NOTHING;

-- Places (地): buildings, compounds, shops, enterprises, schools, hospitals.
-- match_key (normalised kind|name|address) lets a re-imported ledger update
-- the place instead of adding it twice.
CREATE TABLE places (
  id                bigserial PRIMARY KEY,
  city_code         text NOT NULL,
  node_code         text NOT NULL,
  node_path         ltree NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('building','compound','shop','enterprise','school','hospital','other')),
  name              text NOT NULL,
  address           text,
  match_key         text NOT NULL,
  location          geometry(Point, 4326),
  -- The special grid (专属网格) a school, hospital or enterprise belongs to.
  special_node_code text,
  contact_name      text,
  phone_enc         text,
  phone_hash        text,
  phone_masked      text,
  attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code)
);
CREATE UNIQUE INDEX places_match_idx ON places (city_code, match_key);
CREATE INDEX places_node_path_gist ON places USING gist (node_path);
CREATE INDEX places_node_idx ON places (node_code, kind);
CREATE INDEX places_location_gist ON places USING gist (location) WHERE location IS NOT NULL;
CREATE INDEX places_special_idx ON places (special_node_code) WHERE special_node_code IS NOT NULL;

-- Households (户). address_key is the normalised address|building|unit|room:
-- one active household per address, and the key a re-import matches on.
CREATE TABLE households (
  id          bigserial PRIMARY KEY,
  city_code   text NOT NULL,
  node_code   text NOT NULL,
  node_path   ltree NOT NULL,
  address     text NOT NULL,
  building    text,
  unit        text,
  room        text,
  address_key text NOT NULL,
  place_id    bigint REFERENCES places (id),
  location    geometry(Point, 4326),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active','moved_out')),
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code)
);
CREATE UNIQUE INDEX households_address_idx ON households (city_code, address_key) WHERE status = 'active';
CREATE INDEX households_node_path_gist ON households USING gist (node_path);
CREATE INDEX households_node_idx ON households (node_code, id);
CREATE INDEX households_place_idx ON households (place_id) WHERE place_id IS NOT NULL;
CREATE INDEX households_location_gist ON households USING gist (location) WHERE location IS NOT NULL;

-- A household moved to another grid (the address is re-drawn, a grid split).
CREATE TABLE household_moves (
  id             bigserial PRIMARY KEY,
  city_code      text NOT NULL,
  household_id   bigint NOT NULL REFERENCES households (id),
  from_node_code text NOT NULL,
  to_node_code   text NOT NULL,
  moved_at       timestamptz NOT NULL DEFAULT now(),
  by             uuid,
  note           text
);
CREATE INDEX household_moves_household_idx ON household_moves (household_id, moved_at DESC);

-- Residents (人). ID number and phone: AES-256-GCM ciphertext (key id inside,
-- see src/server/lib/personal-data.ts), keyed HMAC for exact lookup, masked
-- form for display. No plaintext column and no plaintext index exists.
-- node_code/node_path are the household's grid, kept in step on every move.
CREATE TABLE residents (
  id                   bigserial PRIMARY KEY,
  city_code            text NOT NULL,
  household_id         bigint REFERENCES households (id),
  node_code            text NOT NULL,
  node_path            ltree NOT NULL,
  name                 text NOT NULL,
  gender               text CHECK (gender IN ('male','female')),
  birth_date           date,
  id_number_enc        text,
  id_number_hash       text,
  id_number_masked     text,
  phone_enc            text,
  phone_hash           text,
  phone_masked         text,
  relation             text,
  registered_residence text,
  actual_residence     text,
  tags                 text[] NOT NULL DEFAULT '{}',
  -- 友邻服务队: residents who volunteered to answer requests for help.
  volunteer            boolean NOT NULL DEFAULT false,
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active','moved_out','deceased')),
  attributes           jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((id_number_enc IS NULL) = (id_number_hash IS NULL)),
  CHECK ((phone_enc IS NULL) = (phone_hash IS NULL))
);
CREATE UNIQUE INDEX residents_id_hash_idx ON residents (city_code, id_number_hash) WHERE id_number_hash IS NOT NULL;
CREATE INDEX residents_phone_hash_idx ON residents (phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX residents_household_idx ON residents (household_id) WHERE household_id IS NOT NULL;
CREATE INDEX residents_node_path_gist ON residents USING gist (node_path);
CREATE INDEX residents_node_idx ON residents (node_code, id);
CREATE INDEX residents_name_idx ON residents (city_code, name text_pattern_ops);
CREATE INDEX residents_tags_gin ON residents USING gin (tags);
CREATE INDEX residents_volunteer_idx ON residents (node_code) WHERE volunteer AND status = 'active';

-- A resident moved between households (NULL: came from or left the registry).
CREATE TABLE resident_moves (
  id                bigserial PRIMARY KEY,
  city_code         text NOT NULL,
  resident_id       bigint NOT NULL REFERENCES residents (id),
  from_household_id bigint REFERENCES households (id),
  to_household_id   bigint REFERENCES households (id),
  from_node_code    text,
  to_node_code      text,
  moved_at          timestamptz NOT NULL DEFAULT now(),
  by                uuid,
  note              text
);
CREATE INDEX resident_moves_resident_idx ON resident_moves (resident_id, moved_at DESC);

-- Things (物, 城市部件): street lights, manholes, hydrants … with the case
-- category that matches them; code is the asset tag a re-import matches on.
CREATE TABLE things (
  id            bigserial PRIMARY KEY,
  city_code     text NOT NULL,
  node_code     text NOT NULL,
  node_path     ltree NOT NULL,
  kind          text NOT NULL,
  category_code text REFERENCES categories (code),
  name          text NOT NULL,
  code          text,
  place_id      bigint REFERENCES places (id),
  location      geometry(Point, 4326),
  state         text NOT NULL DEFAULT 'normal' CHECK (state IN ('normal','faulty','out_of_service','removed')),
  attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code)
);
CREATE UNIQUE INDEX things_code_idx ON things (city_code, code) WHERE code IS NOT NULL;
CREATE INDEX things_node_path_gist ON things USING gist (node_path);
CREATE INDEX things_node_idx ON things (node_code, kind);
CREATE INDEX things_location_gist ON things USING gist (location) WHERE location IS NOT NULL;

-- A case may concern a household, a place or a thing (a thing's page lists its cases).
ALTER TABLE cases ADD COLUMN household_id bigint REFERENCES households (id);
ALTER TABLE cases ADD COLUMN place_id bigint REFERENCES places (id);
ALTER TABLE cases ADD COLUMN thing_id bigint REFERENCES things (id);
CREATE INDEX cases_household_idx ON cases (household_id, created_at DESC) WHERE household_id IS NOT NULL;
CREATE INDEX cases_place_idx ON cases (place_id, created_at DESC) WHERE place_id IS NOT NULL;
CREATE INDEX cases_thing_idx ON cases (thing_id, created_at DESC) WHERE thing_id IS NOT NULL;
