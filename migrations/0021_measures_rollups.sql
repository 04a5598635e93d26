-- Measures (考核指标) kept in step with the cases from the database side.
--
-- The definitions live in src/domain/measures.ts; case_measure_facts() below is
-- their SQL mirror (same counters, same dates, same exclusions) and is the one
-- place SQL reads them: the trigger, the full recount (`wangge verify measures`)
-- and the scan fallback of GET /api/measures all call it.
--
-- Throughput: a trigger on cases writes its changes as rows of an INSERT-ONLY
-- delta table (no row is ever updated by intake, so concurrent intakes never wait
-- on a hot counter row). measure_compact() folds deltas into the roll-up in
-- batches (FOR UPDATE SKIP LOCKED, safe with several processes); readers add the
-- unfolded deltas to the roll-up, so figures are exact whether or not compaction ran.
--
-- Granularity: day (UTC+8) × district × top-level category × channel — a month
-- of a district is a few thousand rows at most, whatever the number of cases.

/** The calendar day in China Standard Time (UTC+8, no daylight saving). */
CREATE FUNCTION measure_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ((ts AT TIME ZONE 'UTC') + interval '8 hours')::date $$;

/** The grid label of a node path (the node itself above grid level, its grid below), '' without a node. */
CREATE FUNCTION measure_grid(p ltree) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN p IS NULL THEN '' WHEN nlevel(p) > 6 THEN subpath(p, 5, 1)::text ELSE subpath(p, nlevel(p) - 1, 1)::text END $$;

/** The district label of a node path (province.city.district…), '' above district level or without a node. */
CREATE FUNCTION measure_district(p ltree) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN p IS NOT NULL AND nlevel(p) >= 3 THEN subpath(p, 2, 1)::text ELSE '' END $$;

-- What one case adds to the counters, one row per day a fact of it belongs to,
-- each counter multiplied by sign (+1 add, -1 take back). Mirrors caseContributions().
-- STRICT: a NULL row (OLD on INSERT, NEW on DELETE) gives no rows (and keeps the function from being
-- inlined, which trips a planner error on whole-row arguments in LATERAL). Excluded cases (merged duplicates, cancelled) add nothing.
CREATE FUNCTION case_measure_facts(c cases, sign integer)
RETURNS TABLE (city_code text, day date, district_code text, grid_code text, category_top text, channel text,
  reported integer, responded_on_time integer, accepted integer, accepted_closed integer, resolved integer, resolved_on_time integer, reworked integer, dispatched integer, returned integer, rated integer, satisfied integer, lvl_grid integer, lvl_community integer, lvl_street integer, lvl_district integer, lvl_city integer)
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT c.city_code, x.*
    FROM (
      SELECT measure_day(c.created_at), measure_district(c.node_path), measure_grid(c.node_path), subpath(c.category_path, 0, 1)::text, c.channel,
             sign * (1), sign * (CASE WHEN c.responded_at IS NOT NULL AND (c.accept_due_at IS NULL OR c.responded_at <= c.accept_due_at) THEN 1 ELSE 0 END), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      UNION ALL
      SELECT measure_day(coalesce(c.accepted_at, c.responded_at)), measure_district(c.node_path), measure_grid(c.node_path), subpath(c.category_path, 0, 1)::text, c.channel,
             0, 0, sign * (1), sign * (CASE WHEN c.closed_at IS NOT NULL THEN 1 ELSE 0 END), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
       WHERE c.status <> 'rejected' AND (c.accepted_at IS NOT NULL OR (c.resolved_at IS NOT NULL AND c.responded_at IS NOT NULL))
      UNION ALL
      SELECT measure_day(c.resolved_at), measure_district(c.node_path), measure_grid(c.node_path), subpath(c.category_path, 0, 1)::text, c.channel,
             0, 0, 0, 0, sign * (1), sign * (CASE WHEN c.resolved_on_time THEN 1 ELSE 0 END), sign * (CASE WHEN c.rework_count > 0 THEN 1 ELSE 0 END), 0, 0, 0, 0, sign * (CASE WHEN c.resolved_level = 'grid' THEN 1 ELSE 0 END), sign * (CASE WHEN c.resolved_level = 'community' THEN 1 ELSE 0 END), sign * (CASE WHEN c.resolved_level = 'street' THEN 1 ELSE 0 END), sign * (CASE WHEN c.resolved_level = 'district' THEN 1 ELSE 0 END), sign * (CASE WHEN c.resolved_level = 'city' THEN 1 ELSE 0 END)
       WHERE c.resolved_at IS NOT NULL
      UNION ALL
      SELECT measure_day(c.dispatched_at), measure_district(c.node_path), measure_grid(c.node_path), subpath(c.category_path, 0, 1)::text, c.channel,
             0, 0, 0, 0, 0, 0, 0, sign * (1), sign * (CASE WHEN c.return_count > 0 THEN 1 ELSE 0 END), 0, 0, 0, 0, 0, 0, 0
       WHERE c.dispatched_at IS NOT NULL
      UNION ALL
      SELECT measure_day(c.rated_at), measure_district(c.node_path), measure_grid(c.node_path), subpath(c.category_path, 0, 1)::text, c.channel,
             0, 0, 0, 0, 0, 0, 0, 0, 0, sign * (1), sign * (CASE WHEN c.rating IN ('satisfied','basically_satisfied') THEN 1 ELSE 0 END), 0, 0, 0, 0, 0
       WHERE c.rated_at IS NOT NULL AND c.rating IS NOT NULL
    ) AS x
   WHERE c.id IS NOT NULL AND c.merged_into_id IS NULL AND c.status NOT IN ('merged','cancelled')
$$;

-- Insert-only: intake and actions append here; measure_compact() moves rows to the roll-up.
CREATE TABLE measure_deltas (
  id            bigserial PRIMARY KEY,
  city_code     text NOT NULL,
  day           date NOT NULL,
  district_code text NOT NULL,
  grid_code     text NOT NULL,
  category_top  text NOT NULL,
  channel       text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  responded_on_time integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_closed integer NOT NULL DEFAULT 0,
  resolved integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  reworked integer NOT NULL DEFAULT 0,
  dispatched integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  lvl_grid integer NOT NULL DEFAULT 0,
  lvl_community integer NOT NULL DEFAULT 0,
  lvl_street integer NOT NULL DEFAULT 0,
  lvl_district integer NOT NULL DEFAULT 0,
  lvl_city integer NOT NULL DEFAULT 0
);

CREATE TABLE measure_rollup (
  city_code     text NOT NULL,
  day           date NOT NULL,
  district_code text NOT NULL,
  category_top  text NOT NULL,
  channel       text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  responded_on_time integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_closed integer NOT NULL DEFAULT 0,
  resolved integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  reworked integer NOT NULL DEFAULT 0,
  dispatched integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  lvl_grid integer NOT NULL DEFAULT 0,
  lvl_community integer NOT NULL DEFAULT 0,
  lvl_street integer NOT NULL DEFAULT 0,
  lvl_district integer NOT NULL DEFAULT 0,
  lvl_city integer NOT NULL DEFAULT 0,
  PRIMARY KEY (city_code, day, district_code, category_top, channel)
);
-- Rankings and figures below district level by whole months: month × node at grid level
-- (codes nest, so communities and streets are prefixes of the grid code).
CREATE TABLE measure_grid_rollup (
  city_code     text NOT NULL,
  month         date NOT NULL,
  grid_code     text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  responded_on_time integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_closed integer NOT NULL DEFAULT 0,
  resolved integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  reworked integer NOT NULL DEFAULT 0,
  dispatched integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  lvl_grid integer NOT NULL DEFAULT 0,
  lvl_community integer NOT NULL DEFAULT 0,
  lvl_street integer NOT NULL DEFAULT 0,
  lvl_district integer NOT NULL DEFAULT 0,
  lvl_city integer NOT NULL DEFAULT 0,
  PRIMARY KEY (city_code, month, grid_code)
);

-- District figures: by district then day (the primary key serves the city-wide ones).
CREATE INDEX measure_rollup_district_idx ON measure_rollup (district_code, day);
CREATE INDEX measure_deltas_key_idx ON measure_deltas (city_code, day);
CREATE INDEX measure_grid_rollup_grid_idx ON measure_grid_rollup (city_code, grid_code text_pattern_ops, month);

-- Row trigger: the net change of one case's facts, grouped by key, only when a fact changed.
CREATE FUNCTION cases_measure_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A new case: its own facts, one row per day group (intake's path: no diff, no grouping).
  IF TG_OP = 'INSERT' THEN
    INSERT INTO measure_deltas (city_code, day, district_code, grid_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT city_code, day, district_code, grid_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city FROM case_measure_facts(NEW, 1);
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND
     (OLD.city_code, OLD.created_at, OLD.accept_due_at, OLD.responded_at, OLD.accepted_at, OLD.dispatched_at, OLD.resolved_at,
      OLD.resolved_level, OLD.resolved_on_time, OLD.rating, OLD.rated_at, OLD.closed_at, OLD.merged_into_id,
      OLD.rework_count > 0, OLD.return_count > 0, OLD.node_path, OLD.category_path, OLD.channel,
      OLD.status IN ('rejected','merged','cancelled'), OLD.status = 'rejected', OLD.status = 'cancelled')
     IS NOT DISTINCT FROM
     (NEW.city_code, NEW.created_at, NEW.accept_due_at, NEW.responded_at, NEW.accepted_at, NEW.dispatched_at, NEW.resolved_at,
      NEW.resolved_level, NEW.resolved_on_time, NEW.rating, NEW.rated_at, NEW.closed_at, NEW.merged_into_id,
      NEW.rework_count > 0, NEW.return_count > 0, NEW.node_path, NEW.category_path, NEW.channel,
      NEW.status IN ('rejected','merged','cancelled'), NEW.status = 'rejected', NEW.status = 'cancelled') THEN
    RETURN NULL;
  END IF;
  INSERT INTO measure_deltas (city_code, day, district_code, grid_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
  SELECT city_code, day, district_code, grid_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int
    FROM (SELECT * FROM case_measure_facts(NEW, 1) UNION ALL SELECT * FROM case_measure_facts(OLD, -1)) AS f
   GROUP BY city_code, day, district_code, grid_code, category_top, channel
  HAVING sum(reported) <> 0 OR sum(responded_on_time) <> 0 OR sum(accepted) <> 0 OR sum(accepted_closed) <> 0 OR sum(resolved) <> 0 OR sum(resolved_on_time) <> 0 OR sum(reworked) <> 0 OR sum(dispatched) <> 0 OR sum(returned) <> 0 OR sum(rated) <> 0 OR sum(satisfied) <> 0 OR sum(lvl_grid) <> 0 OR sum(lvl_community) <> 0 OR sum(lvl_street) <> 0 OR sum(lvl_district) <> 0 OR sum(lvl_city) <> 0;
  RETURN NULL;
END $$;

CREATE TRIGGER cases_measure_delta AFTER INSERT OR UPDATE OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_measure_delta();

-- Folds up to `batch` deltas into the roll-up; returns how many it moved.
CREATE FUNCTION measure_compact(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE moved_count integer;
BEGIN
  WITH moved AS (
    DELETE FROM measure_deltas WHERE id IN (SELECT id FROM measure_deltas ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED)
    RETURNING *
  ), agg AS (
    SELECT city_code, day, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY city_code, day, district_code, category_top, channel
  ), gagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, grid_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), gup AS (
    INSERT INTO measure_grid_rollup AS r (city_code, month, grid_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM gagg
    ON CONFLICT (city_code, month, grid_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), up AS (
    INSERT INTO measure_rollup AS r (city_code, day, district_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM agg
    ON CONFLICT (city_code, day, district_code, category_top, channel) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  )
  SELECT count(*) INTO moved_count FROM moved;
  RETURN moved_count;
END $$;

-- The overview and the density count a month of a city or a subtree (node code prefix) by state
-- without visiting the table (index-only).
CREATE INDEX cases_created_status_idx ON cases (city_code, created_at) INCLUDE (status, node_code, merged_into_id);
-- Open cases now by clock colour.
CREATE INDEX cases_open_clock_idx ON cases (city_code, clock_colour) WHERE status NOT IN ('closed','rejected','cancelled','merged');

-- The overdue list of a city.
CREATE INDEX cases_overdue_city_idx ON cases (city_code, handle_due_at)
  WHERE clock_colour = 'red' AND status IN ('reported','dispatched','in_progress');
-- The overdue list and the map read open cases of a subtree.
CREATE INDEX cases_overdue_path_gist ON cases USING gist (node_path)
  WHERE clock_colour = 'red' AND status IN ('reported','dispatched','in_progress');
CREATE INDEX cases_open_path_gist ON cases USING gist (node_path, location)
  WHERE status NOT IN ('closed','rejected','cancelled','merged');

-- Live updates (GET /api/dashboard/live): a new case, a change of state, a clock turning red.
-- NOTIFY reaches every server process listening on the channel (after commit).
CREATE FUNCTION cases_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN kind := 'case.created';
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN kind := 'case.status';
  ELSIF NEW.clock_colour = 'red' AND OLD.clock_colour IS DISTINCT FROM 'red' THEN kind := 'case.overdue';
  ELSE RETURN NULL;
  END IF;
  PERFORM pg_notify('wangge_case_live', json_build_object(
    'type', kind, 'caseId', NEW.id, 'number', NEW.number, 'cityCode', NEW.city_code, 'nodeCode', NEW.node_code,
    'nodePath', NEW.node_path::text, 'status', NEW.status, 'fromStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
    'clockColour', NEW.clock_colour, 'categoryCode', NEW.category_code, 'at', now())::text);
  RETURN NULL;
END $$;

CREATE TRIGGER cases_live_notify AFTER INSERT OR UPDATE ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_live_notify();
