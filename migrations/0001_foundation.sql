-- Foundation: the grid tree, people and roles, departments, sessions, audit.
-- Written for PostgreSQL 15 (Debian bookworm) and PGlite (PostgreSQL 18) alike.
-- Citus: tables that grow with a city carry city_code (the distribution column).

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS ltree;

-- 网格体系: one tree from province to cell grid. The code is the key (official
-- GB/T 2260 and statistical codes; grids: community code + 3, units + 2, cells + 2).
CREATE TABLE nodes (
  city_code   text NOT NULL,
  code        text NOT NULL,
  parent_code text,
  name        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('province','city','district','street','community','grid','unit','cell')),
  kind        text NOT NULL DEFAULT 'admin' CHECK (kind IN ('admin','comprehensive','special','professional','online')),
  path        ltree NOT NULL,
  depth       smallint NOT NULL,
  boundary    geometry(MultiPolygon, 4326),
  households  integer CHECK (households >= 0),
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),
  source      text NOT NULL DEFAULT 'manual' CHECK (source IN ('division','manual','demo','import')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz,
  PRIMARY KEY (city_code, code)
);
CREATE INDEX nodes_path_gist ON nodes USING gist (path);
CREATE INDEX nodes_parent_idx ON nodes (parent_code, code);
CREATE INDEX nodes_boundary_gist ON nodes USING gist (boundary) WHERE status = 'active' AND boundary IS NOT NULL;

-- Departments (职能部门) serve a node and its subtree.
CREATE TABLE departments (
  id          bigserial PRIMARY KEY,
  city_code   text NOT NULL,
  node_code   text NOT NULL,
  name        text NOT NULL,
  kind        text NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code),
  UNIQUE (city_code, node_code, name)
);

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  city_code     text NOT NULL,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  -- Personal data: AES-256-GCM ciphertext, keyed hash for exact lookup, masked form for display.
  phone_enc     text,
  phone_hash    text UNIQUE,
  phone_masked  text,
  password_hash text NOT NULL,
  must_change_password boolean NOT NULL DEFAULT false,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until  timestamptz,
  last_login_at timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A role held at a node covers that node's subtree. node_code NULL = the whole tree (system administrator only).
CREATE TABLE role_assignments (
  id            bigserial PRIMARY KEY,
  city_code     text NOT NULL,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role          text NOT NULL CHECK (role IN ('administrator','leader','dispatcher','street_officer','community_secretary',
                                               'grid_leader','grid_worker','department_staff','resident')),
  node_code     text,
  department_id bigint REFERENCES departments (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    uuid,
  CHECK (node_code IS NOT NULL OR role = 'administrator'),
  CHECK ((role = 'department_staff') = (department_id IS NOT NULL))
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments (user_id, role, coalesce(node_code, ''), coalesce(department_id, 0));
CREATE INDEX role_assignments_node_idx ON role_assignments (node_code);
CREATE INDEX role_assignments_department_idx ON role_assignments (department_id);

-- Sessions: the cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
  id_hash      text PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  city_code    text NOT NULL,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Every write and every denied or failed attempt.
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  city_code    text,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_name   text,
  ip           text,
  action       text NOT NULL,
  resource     text,
  resource_id  text,
  result       text NOT NULL CHECK (result IN ('ok','denied','failed')),
  status_code  integer,
  detail       jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);

-- Small facts about this installation (demo state, first-admin flag).
CREATE TABLE app_meta (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
