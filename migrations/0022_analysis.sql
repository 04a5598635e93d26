-- The monthly review of recurring problems (每月研判): groups of similar reports
-- that a leader marks to be solved at the source (源头治理) and follows. The
-- analysis itself is computed from the cases on request; only what people
-- decide is stored.

CREATE TABLE analysis_items (
  city_code     text NOT NULL,
  id            bigserial,
  node_code     text NOT NULL,
  node_path     ltree NOT NULL,
  -- First day of the analysed month (China time).
  month         date NOT NULL,
  category_code text NOT NULL REFERENCES categories (code),
  title         text NOT NULL,
  keywords      text[] NOT NULL DEFAULT '{}',
  -- The group's reports when it was marked, and their texts: later reports
  -- of the same problem are found by similarity to these.
  case_ids      bigint[] NOT NULL,
  samples       text[] NOT NULL,
  threshold     real NOT NULL CHECK (threshold > 0 AND threshold <= 1),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','solved','dropped')),
  note_seq      integer NOT NULL DEFAULT 0,
  created_by    uuid,
  created_by_name text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz,
  PRIMARY KEY (city_code, id),
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code)
);
CREATE INDEX analysis_items_node_gist ON analysis_items USING gist (node_path);
CREATE INDEX analysis_items_month_idx ON analysis_items (city_code, month);

-- The item's history: every status change and progress note, append-only, numbered per item.
CREATE TABLE analysis_item_notes (
  city_code   text NOT NULL,
  item_id     bigint NOT NULL,
  seq         integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    uuid,
  actor_name  text,
  from_status text,
  to_status   text,
  note        text,
  PRIMARY KEY (city_code, item_id, seq),
  FOREIGN KEY (city_code, item_id) REFERENCES analysis_items (city_code, id)
);

-- A month of a subtree's reports: the analysis reads cases by city and report time.
CREATE INDEX IF NOT EXISTS cases_city_created_idx ON cases (city_code, created_at);
