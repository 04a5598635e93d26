-- Care visits (走访), patrols with tracks (巡查), four-level linkage groups (四级联户),
-- notices down the tree (broadcasts with read receipts) and help requests up it.
-- Every table that grows with a city carries city_code and the node path it is
-- scoped by, so a scope check is one ltree test.

-- A resident who signs in (H5) is linked to their registry entry: their
-- household's notices and their help requests follow from it.
ALTER TABLE residents ADD COLUMN user_id uuid REFERENCES users (id);
CREATE UNIQUE INDEX residents_user_idx ON residents (user_id) WHERE user_id IS NOT NULL;

-- Visits to residents with care tags. The due list is computed from the tags'
-- frequencies (tag_kinds.visit_every_days) and the last visit, not stored.
CREATE TABLE visits (
  id           bigserial PRIMARY KEY,
  city_code    text NOT NULL,
  resident_id  bigint NOT NULL REFERENCES residents (id),
  household_id bigint REFERENCES households (id),
  node_code    text NOT NULL,
  node_path    ltree NOT NULL,
  visitor_id   uuid NOT NULL REFERENCES users (id),
  visited_at   timestamptz NOT NULL,
  kind         text NOT NULL DEFAULT 'home' CHECK (kind IN ('home','phone','other')),
  location     geometry(Point, 4326),
  findings     text NOT NULL,
  photos       jsonb NOT NULL DEFAULT '[]'::jsonb,
  case_id      bigint,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visits_resident_idx ON visits (resident_id, visited_at DESC);
CREATE INDEX visits_node_idx ON visits (node_code, visited_at DESC);
CREATE INDEX visits_node_path_gist ON visits USING gist (node_path);

-- An overdue visit is flagged once per resident and due date (the worker's
-- pass may run in several processes: the unique key keeps it to one notice).
CREATE TABLE visit_flags (
  city_code   text NOT NULL,
  resident_id bigint NOT NULL REFERENCES residents (id),
  due_at      timestamptz NOT NULL,
  flagged_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resident_id, due_at)
);

-- Patrols: one active patrol per worker at a time.
CREATE TABLE patrols (
  id          bigserial PRIMARY KEY,
  city_code   text NOT NULL,
  node_code   text NOT NULL,
  node_path   ltree NOT NULL,
  worker_id   uuid NOT NULL REFERENCES users (id),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
  started_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  note        text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX patrols_one_active_idx ON patrols (worker_id) WHERE status = 'active';
CREATE INDEX patrols_worker_idx ON patrols (worker_id, started_at DESC);
CREATE INDEX patrols_node_path_gist ON patrols USING gist (node_path);

-- Track points. The phone names each point (client_id); a batch sent twice or
-- out of order lands once, ordered by recorded_at (ON CONFLICT DO NOTHING).
CREATE TABLE patrol_points (
  patrol_id   bigint NOT NULL REFERENCES patrols (id),
  client_id   text NOT NULL,
  city_code   text NOT NULL,
  seq         integer,
  recorded_at timestamptz NOT NULL,
  geom        geometry(Point, 4326) NOT NULL,
  accuracy    real,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patrol_id, client_id)
);
CREATE INDEX patrol_points_time_idx ON patrol_points (patrol_id, recorded_at);

-- A finding on a patrol becomes a case with the patrol attached.
ALTER TABLE cases ADD COLUMN patrol_id bigint REFERENCES patrols (id);
CREATE INDEX cases_patrol_idx ON cases (patrol_id) WHERE patrol_id IS NOT NULL;

-- Linkage groups of levels 1–4. path is the chain of group ids from the
-- community's level-4 group (e.g. '12.340.5000'), so "this group and all under
-- it" is one ltree test; community_path scopes the tree in the grid tree.
CREATE TABLE linkage_groups (
  id                bigserial PRIMARY KEY,
  city_code         text NOT NULL,
  community_code    text NOT NULL,
  community_path    ltree NOT NULL,
  level             smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  parent_id         bigint REFERENCES linkage_groups (id),
  path              ltree NOT NULL,
  node_code         text NOT NULL,
  node_path         ltree NOT NULL,
  name              text NOT NULL,
  owner_resident_id bigint REFERENCES residents (id),
  owner_user_id     uuid REFERENCES users (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (owner_resident_id IS NULL OR owner_user_id IS NULL)
);
CREATE INDEX linkage_groups_community_idx ON linkage_groups (community_code, level);
CREATE INDEX linkage_groups_level_idx ON linkage_groups (level, id);
CREATE INDEX linkage_groups_node_path_gist ON linkage_groups USING gist (node_path);
CREATE INDEX linkage_groups_parent_idx ON linkage_groups (parent_id);
CREATE INDEX linkage_groups_path_gist ON linkage_groups USING gist (path);
CREATE INDEX linkage_groups_community_path_gist ON linkage_groups USING gist (community_path);

-- Members: households (level 1), residents (owners of child groups, levels 2–3)
-- or users (grid workers, the three-person team: level 4). No uniqueness across
-- groups: a household in two groups is a violation to list, not to hide.
CREATE TABLE linkage_members (
  id           bigserial PRIMARY KEY,
  city_code    text NOT NULL,
  group_id     bigint NOT NULL REFERENCES linkage_groups (id) ON DELETE CASCADE,
  household_id bigint REFERENCES households (id),
  resident_id  bigint REFERENCES residents (id),
  user_id      uuid REFERENCES users (id),
  CHECK (num_nonnulls(household_id, resident_id, user_id) = 1)
);
CREATE UNIQUE INDEX linkage_members_household_uq ON linkage_members (group_id, household_id) WHERE household_id IS NOT NULL;
CREATE UNIQUE INDEX linkage_members_resident_uq ON linkage_members (group_id, resident_id) WHERE resident_id IS NOT NULL;
CREATE UNIQUE INDEX linkage_members_user_uq ON linkage_members (group_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX linkage_members_household_idx ON linkage_members (household_id) WHERE household_id IS NOT NULL;

-- Notices down the tree (通知/预警): from a group, or from a node of the grid
-- tree to every linkage group under it. Receipts are written by the fan-out in
-- chunks of level-1 groups (cursor = last group id done), one per household.
CREATE TABLE broadcasts (
  id             bigserial PRIMARY KEY,
  city_code      text NOT NULL,
  -- No foreign key: a community's tree may be rebuilt; the notice keeps the ids it went to.
  group_id       bigint,
  group_path     ltree,
  node_code      text NOT NULL,
  node_path      ltree NOT NULL,
  sender_id      uuid NOT NULL REFERENCES users (id),
  title          text NOT NULL,
  body           text NOT NULL,
  urgent         boolean NOT NULL DEFAULT false,
  status         text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending','sent')),
  cursor_group   bigint NOT NULL DEFAULT 0,
  recipients     integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz,
  reminded_at    timestamptz
);
CREATE INDEX broadcasts_node_path_gist ON broadcasts USING gist (node_path);
CREATE INDEX broadcasts_sending_idx ON broadcasts (id) WHERE status = 'sending';

CREATE TABLE broadcast_receipts (
  broadcast_id bigint NOT NULL REFERENCES broadcasts (id),
  household_id bigint NOT NULL,
  city_code    text NOT NULL,
  group_id     bigint NOT NULL,
  read_at      timestamptz,
  read_by      uuid,
  PRIMARY KEY (broadcast_id, household_id)
);
CREATE INDEX broadcast_receipts_unread_idx ON broadcast_receipts (broadcast_id, group_id) WHERE read_at IS NULL;
CREATE INDEX broadcast_receipts_household_idx ON broadcast_receipts (household_id);

-- Help requests (求助) from a resident in their level-1 group, answered by the
-- neighbour service team; unclaimed ones go up a level at escalate_at.
CREATE TABLE help_requests (
  id                bigserial PRIMARY KEY,
  city_code         text NOT NULL,
  resident_id       bigint NOT NULL REFERENCES residents (id),
  requester_id      uuid REFERENCES users (id),
  -- No foreign keys to groups: a rebuilt tree keeps old requests readable (group_path says where they were).
  origin_group_id   bigint NOT NULL,
  group_id          bigint NOT NULL,
  group_path        ltree NOT NULL,
  level             smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  node_code         text NOT NULL,
  node_path         ltree NOT NULL,
  title             text NOT NULL,
  body              text,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open','claimed','done','cancelled','case')),
  claimed_by        uuid REFERENCES users (id),
  claimed_at        timestamptz,
  done_at           timestamptz,
  result            text,
  escalate_at       timestamptz,
  escalated_at      timestamptz,
  case_id           bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX help_requests_escalate_idx ON help_requests (escalate_at) WHERE status = 'open';
CREATE INDEX help_requests_group_path_gist ON help_requests USING gist (group_path);
CREATE INDEX help_requests_resident_idx ON help_requests (resident_id, created_at DESC);
