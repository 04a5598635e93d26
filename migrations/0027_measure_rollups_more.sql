-- More roll-ups beside the day × district × category × channel one of 0021, all kept by measure_compact() from the
-- same deltas, all checked by `wangge verify measures` (measured with 1,000,000 cases, bench/measures.bench.ts):
--   1. by month (a period's whole months come from here, only its partial ends from days);
--   2. narrow ones by district (no category or channel) for the figures asked for most;
--   3. by handling department, for the department ranking.

-- 1. By month.
-- Whole months of the roll-up (measured with 1,000,000 cases, bench/measures.bench.ts): a city's year from
-- the day roll-up is ~190,000 rows (40 ms); the same year by month is ~6,000 (a few ms). Kept by
-- measure_compact() together with the day and grid roll-ups, from the same deltas, so all three agree;
-- sums over a period take whole months from here and the partial months at its ends from the day roll-up.
CREATE TABLE measure_month_rollup (
  city_code     text NOT NULL,
  month         date NOT NULL,
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
  PRIMARY KEY (city_code, month, district_code, category_top, channel)
);
CREATE INDEX measure_month_rollup_district_idx ON measure_month_rollup (district_code, month);

INSERT INTO measure_month_rollup (city_code, month, district_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, date_trunc('month', day)::date, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int
  FROM measure_rollup GROUP BY 1, 2, 3, 4, 5;

-- 2. Narrow, by district.
-- The roll-ups again without the category and channel columns, for the figures asked for most — a city's or a
-- district's, all categories, all channels: a year of a city is then ~60 month rows and ~150 day rows at its
-- ends instead of ~20,000 (measured with 1,000,000 cases, bench/measures.bench.ts). Kept by measure_compact()
-- from the same deltas as the others; `wangge verify measures` checks them against the recount too.
CREATE TABLE measure_district_day (
  city_code     text NOT NULL,
  day           date NOT NULL,
  district_code text NOT NULL,
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
  PRIMARY KEY (city_code, day, district_code)
);
CREATE TABLE measure_district_month (
  city_code     text NOT NULL,
  month         date NOT NULL,
  district_code text NOT NULL,
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
  PRIMARY KEY (city_code, month, district_code)
);

INSERT INTO measure_district_day (city_code, day, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, day, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM measure_rollup GROUP BY 1, 2, 3;
INSERT INTO measure_district_month (city_code, month, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, month, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM measure_month_rollup GROUP BY 1, 2, 3;

-- 3. By handling department.
-- Measures by handling department (the department ranking of the dashboard): day and month roll-ups keyed by
-- district and department, kept like the others. A department is the case's handling department now
-- (handler_department_id), as in the case scan: a case passed to another department moves its facts with it.
-- With 1,000,000 cases the scan took ~3.8 s for a month's ranking (bench/measures.bench.ts).
--
-- case_measure_facts() gains the department as its last column; the trigger carries it into the deltas and
-- treats a change of department as a change of facts; deltas written before this migration have none and are
-- left out of the department roll-ups, which start from a recount of the cases below.
ALTER TABLE measure_deltas ADD COLUMN department_id bigint;

DROP FUNCTION case_measure_facts(cases, integer);
CREATE FUNCTION case_measure_facts(c cases, sign integer)
RETURNS TABLE (city_code text, day date, district_code text, grid_code text, category_top text, channel text,
  reported integer, responded_on_time integer, accepted integer, accepted_closed integer, resolved integer, resolved_on_time integer, reworked integer, dispatched integer, returned integer, rated integer, satisfied integer, lvl_grid integer, lvl_community integer, lvl_street integer, lvl_district integer, lvl_city integer, department_id bigint)
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT c.city_code, x.*, c.handler_department_id
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

CREATE OR REPLACE FUNCTION cases_measure_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A new case: its own facts, one row per day group (intake's path: no diff, no grouping).
  IF TG_OP = 'INSERT' THEN
    INSERT INTO measure_deltas (city_code, day, district_code, grid_code, category_top, channel, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT city_code, day, district_code, grid_code, category_top, channel, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city FROM case_measure_facts(NEW, 1);
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND
     (OLD.city_code, OLD.created_at, OLD.accept_due_at, OLD.responded_at, OLD.accepted_at, OLD.dispatched_at, OLD.resolved_at,
      OLD.resolved_level, OLD.resolved_on_time, OLD.rating, OLD.rated_at, OLD.closed_at, OLD.merged_into_id,
      OLD.rework_count > 0, OLD.return_count > 0, OLD.node_path, OLD.category_path, OLD.channel,
      OLD.status IN ('rejected','merged','cancelled'), OLD.status = 'rejected', OLD.status = 'cancelled', OLD.handler_department_id)
     IS NOT DISTINCT FROM
     (NEW.city_code, NEW.created_at, NEW.accept_due_at, NEW.responded_at, NEW.accepted_at, NEW.dispatched_at, NEW.resolved_at,
      NEW.resolved_level, NEW.resolved_on_time, NEW.rating, NEW.rated_at, NEW.closed_at, NEW.merged_into_id,
      NEW.rework_count > 0, NEW.return_count > 0, NEW.node_path, NEW.category_path, NEW.channel,
      NEW.status IN ('rejected','merged','cancelled'), NEW.status = 'rejected', NEW.status = 'cancelled', NEW.handler_department_id) THEN
    RETURN NULL;
  END IF;
  INSERT INTO measure_deltas (city_code, day, district_code, grid_code, category_top, channel, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
  SELECT city_code, day, district_code, grid_code, category_top, channel, department_id, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int
    FROM (SELECT * FROM case_measure_facts(NEW, 1) UNION ALL SELECT * FROM case_measure_facts(OLD, -1)) AS f
   GROUP BY city_code, day, district_code, grid_code, category_top, channel, department_id
  HAVING sum(reported) <> 0 OR sum(responded_on_time) <> 0 OR sum(accepted) <> 0 OR sum(accepted_closed) <> 0 OR sum(resolved) <> 0 OR sum(resolved_on_time) <> 0 OR sum(reworked) <> 0 OR sum(dispatched) <> 0 OR sum(returned) <> 0 OR sum(rated) <> 0 OR sum(satisfied) <> 0 OR sum(lvl_grid) <> 0 OR sum(lvl_community) <> 0 OR sum(lvl_street) <> 0 OR sum(lvl_district) <> 0 OR sum(lvl_city) <> 0;
  RETURN NULL;
END $$;

CREATE TABLE measure_department_day (
  city_code     text NOT NULL,
  day           date NOT NULL,
  district_code text NOT NULL,
  department_id bigint NOT NULL,
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
  PRIMARY KEY (city_code, day, district_code, department_id)
);
CREATE TABLE measure_department_month (
  city_code     text NOT NULL,
  month         date NOT NULL,
  district_code text NOT NULL,
  department_id bigint NOT NULL,
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
  PRIMARY KEY (city_code, month, district_code, department_id)
);

INSERT INTO measure_department_day (city_code, day, district_code, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT m.city_code, m.day, m.district_code, m.department_id, sum(m.reported)::int, sum(m.responded_on_time)::int, sum(m.accepted)::int, sum(m.accepted_closed)::int, sum(m.resolved)::int, sum(m.resolved_on_time)::int, sum(m.reworked)::int, sum(m.dispatched)::int, sum(m.returned)::int, sum(m.rated)::int, sum(m.satisfied)::int, sum(m.lvl_grid)::int, sum(m.lvl_community)::int, sum(m.lvl_street)::int, sum(m.lvl_district)::int, sum(m.lvl_city)::int
  FROM cases c CROSS JOIN LATERAL case_measure_facts(c, 1) m WHERE m.department_id IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO measure_department_month (city_code, month, district_code, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, date_trunc('month', day)::date, district_code, department_id, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int
  FROM measure_department_day GROUP BY 1, 2, 3, 4;

-- Folds up to `batch` deltas into every roll-up; returns how many it moved.
CREATE OR REPLACE FUNCTION measure_compact(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE moved_count integer;
BEGIN
  WITH moved AS (
    DELETE FROM measure_deltas WHERE id IN (SELECT id FROM measure_deltas ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED)
    RETURNING *
  ), agg AS (
    SELECT city_code, day, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY city_code, day, district_code, category_top, channel
  ), magg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3, 4, 5
  ), dagg AS (
    SELECT city_code, day, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), dmagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), pagg AS (
    SELECT city_code, day, district_code, department_id, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved WHERE department_id IS NOT NULL GROUP BY 1, 2, 3, 4
  ), pmagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, district_code, department_id, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved WHERE department_id IS NOT NULL GROUP BY 1, 2, 3, 4
  ), gagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, grid_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), gup AS (
    INSERT INTO measure_grid_rollup AS r (city_code, month, grid_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM gagg
    ON CONFLICT (city_code, month, grid_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), mup AS (
    INSERT INTO measure_month_rollup AS r (city_code, month, district_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM magg
    ON CONFLICT (city_code, month, district_code, category_top, channel) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), dup AS (
    INSERT INTO measure_district_day AS r (city_code, day, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM dagg
    ON CONFLICT (city_code, day, district_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), dmup AS (
    INSERT INTO measure_district_month AS r (city_code, month, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM dmagg
    ON CONFLICT (city_code, month, district_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), pup AS (
    INSERT INTO measure_department_day AS r (city_code, day, district_code, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM pagg
    ON CONFLICT (city_code, day, district_code, department_id) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), pmup AS (
    INSERT INTO measure_department_month AS r (city_code, month, district_code, department_id, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM pmagg
    ON CONFLICT (city_code, month, district_code, department_id) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
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
