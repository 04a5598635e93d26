-- The case loop: categories, the responsibility list, cases with their
-- append-only timeline, photos, co-handlers, the outbox, notices, webhooks.

-- Case categories (事件分类): a small reference tree (replicated under Citus).
-- The code is the dotted path of short labels, e.g. 'dispute.neighbour'.
CREATE TABLE categories (
  code          text PRIMARY KEY,
  path          ltree NOT NULL UNIQUE,
  parent_code   text REFERENCES categories (code),
  name_zh       text NOT NULL,
  name_en       text NOT NULL,
  description   text,
  kind          text NOT NULL CHECK (kind IN ('event','component','dispute','hazard','request','care','suggestion','wish')),
  default_level text NOT NULL CHECK (default_level IN ('grid','community','street','district','city')),
  -- {"accept": {"amount": 2, "unit": "hours"}, "sign": {...}, "handle": {...}}
  default_deadlines jsonb NOT NULL,
  default_department_kind text,
  photo_required_on_resolve boolean NOT NULL DEFAULT false,
  duplicate_radius_m integer NOT NULL DEFAULT 50 CHECK (duplicate_radius_m >= 0),
  duplicate_window_hours integer NOT NULL DEFAULT 72 CHECK (duplicate_window_hours >= 0),
  keywords      text[] NOT NULL DEFAULT '{}',
  -- Extra questions asked at intake (Open311 service definition attributes).
  attributes    jsonb NOT NULL DEFAULT '[]'::jsonb,
  active        boolean NOT NULL DEFAULT true,
  sort          integer NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX categories_path_gist ON categories USING gist (path);

-- The responsibility list (责任清单): category subtree × node subtree → who handles.
-- Unique per (node, category): two entries can never be equally specific.
CREATE TABLE responsibility_entries (
  id            bigserial PRIMARY KEY,
  city_code     text NOT NULL,
  node_code     text NOT NULL,
  node_path     ltree NOT NULL,
  category_code text NOT NULL REFERENCES categories (code),
  category_path ltree NOT NULL,
  handling_level text NOT NULL CHECK (handling_level IN ('grid','community','street','district','city')),
  lead          jsonb NOT NULL,
  co_handlers   text[] NOT NULL DEFAULT '{}',
  deadlines     jsonb NOT NULL,
  auto_dispatch boolean NOT NULL DEFAULT false,
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    uuid,
  FOREIGN KEY (city_code, node_code) REFERENCES nodes (city_code, code),
  UNIQUE (city_code, node_code, category_code)
);
CREATE INDEX responsibility_node_gist ON responsibility_entries USING gist (node_path);

-- Days that differ from the official working calendar (a year chinese-days does not know yet, a local holiday).
CREATE TABLE calendar_overrides (
  day        date PRIMARY KEY,
  is_workday boolean NOT NULL,
  name       text
);

-- Cases (事件/诉求).
CREATE TABLE cases (
  city_code       text NOT NULL,
  id              bigserial,
  number          text NOT NULL,
  status          text NOT NULL,
  suspended_from  text,
  channel         text NOT NULL CHECK (channel IN ('resident_app','h5','hotline','patrol','partner','import','station','linkage','console')),
  reporter_id     uuid,
  reporter_name   text,
  reporter_phone_enc    text,
  reporter_phone_hash   text,
  reporter_phone_masked text,
  partner_id      bigint,
  created_by      uuid,
  category_code   text NOT NULL REFERENCES categories (code),
  category_path   ltree NOT NULL,
  description     text NOT NULL,
  address         text,
  location        geometry(Point, 4326),
  node_code       text,
  node_path       ltree,
  placed_by       text CHECK (placed_by IN ('location','address','reporter','dispatcher','given')),
  urgent          boolean NOT NULL DEFAULT false,
  -- Routing and handling
  handling_level  text,
  handler_type    text CHECK (handler_type IN ('department','node_office','grid_worker')),
  handler_node_code   text,
  handler_node_path   ltree,
  handler_department_id bigint,
  route_entry_id  bigint,
  route           jsonb,
  deadline_unit   text,
  accept_due_at   timestamptz,
  sign_due_at     timestamptz,
  handle_due_at   timestamptz,
  clock_started_at timestamptz,
  -- When the running clock (acceptance while reported, else handling) turns yellow; computed on the
  -- working calendar when the deadline is set, so the sweep compares timestamps only.
  yellow_at       timestamptz,
  clock_colour    text NOT NULL DEFAULT 'green' CHECK (clock_colour IN ('green','yellow','red')),
  -- Until when the resident may rate (set when the case starts awaiting a rating).
  rating_due_at   timestamptz,
  supervised_at   timestamptz,
  auto_escalated_at timestamptz,
  pending_extension  jsonb,
  pending_suspension jsonb,
  suspended_at    timestamptz,
  -- Counters and outcome
  event_seq       integer NOT NULL DEFAULT 0,
  reopen_count    integer NOT NULL DEFAULT 0,
  rework_count    integer NOT NULL DEFAULT 0,
  return_count    integer NOT NULL DEFAULT 0,
  escalation_count integer NOT NULL DEFAULT 0,
  accepted_at     timestamptz,
  responded_at    timestamptz,
  dispatched_at   timestamptz,
  signed_at       timestamptz,
  resolved_at     timestamptz,
  resolved_level  text,
  resolved_on_time boolean,
  rating          text CHECK (rating IN ('satisfied','basically_satisfied','unsatisfied')),
  rating_comment  text,
  rated_at        timestamptz,
  closed_at       timestamptz,
  close_reason    text CHECK (close_reason IN ('rated','not_rated')),
  merged_into_id  bigint,
  rejected_reason text,
  idempotency_key text,
  attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city_code, id),
  UNIQUE (city_code, number)
);
CREATE UNIQUE INDEX cases_idempotency ON cases (created_by, idempotency_key, city_code) WHERE idempotency_key IS NOT NULL;
CREATE INDEX cases_node_path_gist ON cases USING gist (node_path);
CREATE INDEX cases_handler_path_gist ON cases USING gist (handler_node_path);
CREATE INDEX cases_queue_idx ON cases (city_code, status, created_at DESC);
CREATE INDEX cases_open_due_idx ON cases (handle_due_at) WHERE status IN ('dispatched','in_progress');
CREATE INDEX cases_yellow_idx ON cases (yellow_at) WHERE clock_colour = 'green' AND status IN ('reported','dispatched','in_progress');
CREATE INDEX cases_accept_due_idx ON cases (accept_due_at) WHERE status = 'reported';
CREATE INDEX cases_rating_due_idx ON cases (rating_due_at) WHERE status = 'awaiting_rating';
CREATE INDEX cases_location_gist ON cases USING gist (location) WHERE location IS NOT NULL;
CREATE INDEX cases_reporter_idx ON cases (reporter_id, created_at DESC) WHERE reporter_id IS NOT NULL;
CREATE INDEX cases_reporter_phone_idx ON cases (reporter_phone_hash, created_at DESC) WHERE reporter_phone_hash IS NOT NULL;
CREATE INDEX cases_department_idx ON cases (handler_department_id, status) WHERE handler_department_id IS NOT NULL;

-- The timeline: append-only, one row per action, numbered 1, 2, 3 … per case with no gaps.
CREATE TABLE case_events (
  city_code   text NOT NULL,
  case_id     bigint NOT NULL,
  seq         integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    uuid,
  actor_name  text,
  actor_role  text,
  actor_unit  text,
  action      text NOT NULL,
  from_status text,
  to_status   text,
  note        text,
  photos      jsonb NOT NULL DEFAULT '[]'::jsonb,
  clock       jsonb,
  data        jsonb,
  PRIMARY KEY (city_code, case_id, seq),
  FOREIGN KEY (city_code, case_id) REFERENCES cases (city_code, id)
);

-- Co-handlers (协办) summoned under one lead (主办).
CREATE TABLE case_assignments (
  city_code     text NOT NULL,
  case_id       bigint NOT NULL,
  department_id bigint NOT NULL REFERENCES departments (id),
  summoned_at   timestamptz NOT NULL DEFAULT now(),
  summoned_by   uuid,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','reported')),
  report        text,
  reported_at   timestamptz,
  reported_by   uuid,
  PRIMARY KEY (city_code, case_id, department_id),
  FOREIGN KEY (city_code, case_id) REFERENCES cases (city_code, id)
);

-- Photos live on disk (or an object store), named by their SHA-256; the row is the index.
CREATE TABLE case_photos (
  city_code  text NOT NULL,
  id         bigserial,
  case_id    bigint NOT NULL,
  sha256     text NOT NULL,
  mime       text NOT NULL CHECK (mime IN ('image/jpeg','image/png','image/webp')),
  bytes      integer NOT NULL,
  stage      text NOT NULL CHECK (stage IN ('report','progress','resolve','check','rating')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city_code, id),
  FOREIGN KEY (city_code, case_id) REFERENCES cases (city_code, id)
);
CREATE INDEX case_photos_case_idx ON case_photos (case_id);

-- The outbox: written in the same transaction as the change, delivered after commit.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  city_code    text NOT NULL,
  topic        text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  delivered_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE delivered_at IS NULL;

-- Inbox notices (待办/消息) for users.
CREATE TABLE notices (
  id         bigserial PRIMARY KEY,
  city_code  text NOT NULL,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL,
  case_id    bigint,
  title      text NOT NULL,
  body       text,
  dedupe_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz
);
CREATE INDEX notices_user_idx ON notices (user_id, created_at DESC);
CREATE UNIQUE INDEX notices_dedupe ON notices (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Partner webhooks (signed with HMAC-SHA256) and their delivery log.
CREATE TABLE webhook_subscriptions (
  id         bigserial PRIMARY KEY,
  city_code  text NOT NULL,
  name       text NOT NULL,
  url        text NOT NULL,
  secret_enc text NOT NULL,
  topics     text[] NOT NULL DEFAULT '{}',
  node_path  ltree,
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  outbox_id       bigint NOT NULL,
  attempt         integer NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  status_code     integer,
  error           text,
  duration_ms     integer,
  next_retry_at   timestamptz,
  delivered       boolean NOT NULL DEFAULT false
);
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (subscription_id, at DESC);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (next_retry_at) WHERE NOT delivered AND next_retry_at IS NOT NULL;
