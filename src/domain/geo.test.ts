import { describe, expect, it } from 'vitest';
import {
  checkGeometry,
  coordinateProblem,
  featureTarget,
  formatShare,
  isSignificantShare,
  roundShare,
  toWgs84,
} from './geo.js';

const square = [
  [114.1, 22.9],
  [114.2, 22.9],
  [114.2, 23.0],
  [114.1, 23.0],
  [114.1, 22.9],
];

describe('coordinateProblem', () => {
  it('accepts the edges of the ranges', () => {
    expect(coordinateProblem(-180, -90)).toBeUndefined();
    expect(coordinateProblem(180, 90)).toBeUndefined();
    expect(coordinateProblem(114.2, 23)).toBeUndefined();
  });
  it('names the field out of range, longitude first', () => {
    expect(coordinateProblem(180.0001, 23)?.field).toBe('lng');
    expect(coordinateProblem(-181, 23)?.field).toBe('lng');
    expect(coordinateProblem(114, 90.5)?.field).toBe('lat');
    expect(coordinateProblem(114, -91)?.field).toBe('lat');
    expect(coordinateProblem(200, 100)?.field).toBe('lng');
  });
  it('rejects non-numbers and non-finite numbers', () => {
    expect(coordinateProblem('114', 23)?.field).toBe('lng');
    expect(coordinateProblem(114, NaN)?.field).toBe('lat');
    expect(coordinateProblem(Infinity, 23)?.field).toBe('lng');
  });
});

describe('toWgs84', () => {
  it('leaves WGS-84 alone', () => {
    expect(toWgs84({ lng: 114.2, lat: 23 }, 'wgs84')).toEqual({ lng: 114.2, lat: 23 });
  });
  it('moves a GCJ-02 point in Huizhou by a few hundred metres south-west-ish', () => {
    const p = toWgs84({ lng: 114.2, lat: 23 }, 'gcj02');
    // The GCJ-02 offset near Huizhou is about +0.005° lng, -0.0027° lat; undoing it moves the other way.
    expect(p.lng).toBeGreaterThan(114.19);
    expect(p.lng).toBeLessThan(114.198);
    expect(p.lat).toBeGreaterThan(23.001);
    expect(p.lat).toBeLessThan(23.004);
  });
  it('undoes BD-09 further than GCJ-02 (BD-09 is offset twice)', () => {
    const gcj = toWgs84({ lng: 114.2, lat: 23 }, 'gcj02');
    const bd = toWgs84({ lng: 114.2, lat: 23 }, 'bd09');
    expect(Math.abs(bd.lng - 114.2)).toBeGreaterThan(Math.abs(gcj.lng - 114.2));
  });
  it('returns points outside China unchanged', () => {
    const p = toWgs84({ lng: 2.35, lat: 48.85 }, 'gcj02');
    expect(p.lng).toBeCloseTo(2.35, 9);
    expect(p.lat).toBeCloseTo(48.85, 9);
  });
});

describe('checkGeometry', () => {
  it('accepts a closed polygon and a multipolygon, with or without altitude', () => {
    expect(checkGeometry({ type: 'Polygon', coordinates: [square] })).toMatchObject({ problems: [], geometry: { type: 'Polygon' } });
    expect(checkGeometry({ type: 'MultiPolygon', coordinates: [[square], [square]] }).problems).toEqual([]);
    expect(checkGeometry({ type: 'Polygon', coordinates: [square.map(([x, y]) => [x!, y!, 12])] }).problems).toEqual([]);
  });
  it('rejects other geometry types and missing geometry', () => {
    expect(checkGeometry({ type: 'Point', coordinates: [114, 23] }).problems[0]).toMatch(/"Point" is not Polygon or MultiPolygon/);
    expect(checkGeometry(null).problems).toEqual(['geometry is missing']);
    expect(checkGeometry([1, 2]).problems).toEqual(['geometry is missing']);
    expect(checkGeometry({ coordinates: [] }).problems[0]).toMatch(/null is not Polygon/);
  });
  it('rejects empty polygons and rings too short', () => {
    expect(checkGeometry({ type: 'Polygon', coordinates: [] }).problems).toEqual(['polygon has no rings']);
    expect(checkGeometry({ type: 'MultiPolygon', coordinates: [] }).problems).toEqual(['multipolygon has no polygons']);
    expect(checkGeometry({ type: 'Polygon', coordinates: [square.slice(0, 3)] }).problems[0]).toMatch(/ring 0 has 3 positions/);
  });
  it('rejects unclosed rings', () => {
    const open = [...square.slice(0, 4), [114.15, 22.9]];
    expect(checkGeometry({ type: 'Polygon', coordinates: [open] }).problems[0]).toMatch(/not closed/);
  });
  it('rejects coordinates out of range, naming the position and field', () => {
    const bad = square.map(([x, y], i) => (i === 2 ? [x!, 95] : [x!, y!]));
    const r = checkGeometry({ type: 'Polygon', coordinates: [bad] });
    expect(r.geometry).toBeUndefined();
    expect(r.problems[0]).toMatch(/ring 0 position 2 \(114.2, 95\): lat must be a latitude/);
    const m = checkGeometry({ type: 'MultiPolygon', coordinates: [[square], [square.map(([, y]) => [190, y!])]] });
    expect(m.problems[0]).toMatch(/polygon 1 ring 0 position 0 .*lng/);
  });
  it('rejects positions that are not number pairs', () => {
    const bad = square.map((p, i) => (i === 1 ? ['114', 22.9] : p));
    expect(checkGeometry({ type: 'Polygon', coordinates: [bad] }).problems[0]).toMatch(/position 1 is not \[lng, lat\]/);
    expect(checkGeometry({ type: 'Polygon', coordinates: ['x'] }).problems[0]).toMatch(/ring 0 is not an array/);
  });
  it('caps the problems listed', () => {
    const bad = Array.from({ length: 20 }, () => [[1, 2]]);
    expect(checkGeometry({ type: 'Polygon', coordinates: bad }).problems.length).toBe(5);
  });
});

describe('featureTarget', () => {
  const feature = (properties: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Feature', geometry: null, properties, ...extra });
  it('takes properties.code, then the feature id', () => {
    expect(featureTarget(feature({ code: '441302001001001' }))).toEqual({ by: 'code', code: '441302001001001' });
    expect(featureTarget(feature({}, { id: '441302' }))).toEqual({ by: 'code', code: '441302' });
    expect(featureTarget(feature({ code: 441302 }))).toEqual({ by: 'code', code: '441302' });
    expect(featureTarget(feature({ code: '441302', name: '惠城区' }))).toEqual({ by: 'code', code: '441302', name: '惠城区' });
  });
  it('takes name with parentCode', () => {
    expect(featureTarget(feature({ name: ' 第一网格 ', parentCode: '441302001001' }))).toEqual({
      by: 'name',
      name: '第一网格',
      parentCode: '441302001001',
    });
  });
  it('explains what is missing or malformed', () => {
    expect(featureTarget(feature({}))).toEqual({ problem: expect.stringMatching(/names no node/) });
    expect(featureTarget(feature(null))).toEqual({ problem: expect.stringMatching(/names no node/) });
    expect(featureTarget(feature({ name: 'x' }))).toEqual({ problem: expect.stringMatching(/no parentCode/) });
    expect(featureTarget(feature({ code: '4413020' }))).toEqual({ problem: expect.stringMatching(/not a node code/) });
    expect(featureTarget(feature({ code: 'abc' }))).toEqual({ problem: expect.stringMatching(/not a node code/) });
    expect(featureTarget(feature({ name: 'x', parentCode: '12345' }))).toEqual({ problem: expect.stringMatching(/parentCode/) });
    expect(featureTarget({ type: 'Polygon' })).toEqual({ problem: 'is not a GeoJSON Feature' });
    expect(featureTarget('x')).toEqual({ problem: 'is not a GeoJSON Feature' });
  });
});

describe('shares', () => {
  it('reports shares above 0.1 %', () => {
    expect(isSignificantShare(0.001)).toBe(false);
    expect(isSignificantShare(0.0011)).toBe(true);
  });
  it('formats and rounds shares', () => {
    expect(formatShare(0.1234)).toBe('12.3%');
    expect(formatShare(0.00345)).toBe('0.34%');
    expect(roundShare(0.123456)).toBe(0.1235);
  });
});
