import { describe, expect, it } from 'vitest';
import { circleOf, distanceM, metresPerDegree, splitByTime } from './hotspots.js';

const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 9, day, hour));
const pt = (id: number, day: number, hour = 9) => ({ id, lng: 114.15, lat: 22.95, at: at(day, hour) });

describe('splitByTime', () => {
  it('splits a place\'s reports into bursts at gaps longer than gapHours and drops small bursts', () => {
    const points = [pt(1, 2), pt(2, 3), pt(3, 1), pt(4, 20), pt(5, 21), pt(6, 21, 18), pt(7, 12)];
    const bursts = splitByTime(points, { gapHours: 72, minPoints: 3 });
    expect(bursts.map((b) => b.map((p) => p.id))).toEqual([
      [3, 1, 2],
      [4, 5, 6],
    ]);
    // With a long gap allowed, everything is one burst; the lone report on the 12th joins it.
    expect(splitByTime(points, { gapHours: 24 * 9, minPoints: 3 }).map((b) => b.length)).toEqual([7]);
  });

  it('a gap of exactly gapHours does not split', () => {
    expect(splitByTime([pt(1, 1), pt(2, 2), pt(3, 3)], { gapHours: 24, minPoints: 3 })).toHaveLength(1);
    expect(() => splitByTime([], { gapHours: 0, minPoints: 1 })).toThrow(RangeError);
  });
});

describe('distances', () => {
  it('one degree of latitude is about 111.2 km; longitude shrinks with cos(lat)', () => {
    expect(distanceM({ lng: 114, lat: 22 }, { lng: 114, lat: 23 })).toBeCloseTo(111_195, -1);
    const m = metresPerDegree(23);
    expect(m.y).toBeCloseTo(111_195, -1);
    expect(m.x).toBeCloseTo(111_195 * Math.cos((23 * Math.PI) / 180), -1);
  });

  it('circleOf: the centre of the points and the radius to the farthest', () => {
    const c = circleOf([
      { lng: 114.0, lat: 23.0 },
      { lng: 114.002, lat: 23.0 },
    ]);
    expect(c.lng).toBeCloseTo(114.001, 9);
    expect(c.radiusM).toBeCloseTo(distanceM({ lng: 114.0, lat: 23 }, { lng: 114.001, lat: 23 }), 6);
    expect(() => circleOf([])).toThrow(RangeError);
  });
});
