import { describe, expect, it } from 'vitest';
import { gridName, isPlaceholderCity, parseRegion, regionAncestors, regionIncludes, shortDivisionName, type Region } from './divisions.js';

describe('parseRegion', () => {
  it('accepts all, in any case', () => {
    expect(parseRegion('all')).toEqual({ ok: true, region: { kind: 'all' } });
    expect(parseRegion(' ALL ')).toEqual({ ok: true, region: { kind: 'all' } });
  });
  it('accepts 2-, 4- and 6-digit codes with their level', () => {
    expect(parseRegion('44')).toEqual({ ok: true, region: { kind: 'code', code: '44', level: 'province' } });
    expect(parseRegion('4413')).toEqual({ ok: true, region: { kind: 'code', code: '4413', level: 'city' } });
    expect(parseRegion('441302')).toEqual({ ok: true, region: { kind: 'code', code: '441302', level: 'district' } });
  });
  it.each(['', '4', '441', '44130', '441302001', '441302001001', 'abc', '44a3', '-44', '44.13'])('rejects %j with a reason', (s) => {
    const r = parseRegion(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/digit/);
  });
});

describe('regionIncludes', () => {
  const district: Region = { kind: 'code', code: '441302', level: 'district' };
  it('takes the division, its subtree and its ancestors', () => {
    expect(regionIncludes(district, '44')).toBe(true);
    expect(regionIncludes(district, '4413')).toBe(true);
    expect(regionIncludes(district, '441302')).toBe(true);
    expect(regionIncludes(district, '441302001')).toBe(true);
    expect(regionIncludes(district, '441302001001')).toBe(true);
  });
  it('leaves out siblings and cousins', () => {
    expect(regionIncludes(district, '45')).toBe(false);
    expect(regionIncludes(district, '4412')).toBe(false);
    expect(regionIncludes(district, '441303')).toBe(false);
    expect(regionIncludes(district, '441303001')).toBe(false);
    expect(regionIncludes(district, '441303001001')).toBe(false);
  });
  it('takes everything for all', () => {
    expect(regionIncludes({ kind: 'all' }, '110101001001')).toBe(true);
  });
  it('province region takes no other province', () => {
    const p: Region = { kind: 'code', code: '44', level: 'province' };
    expect(regionIncludes(p, '4413')).toBe(true);
    expect(regionIncludes(p, '4501')).toBe(false);
  });
});

describe('regionAncestors', () => {
  it('lists the ancestors top first', () => {
    expect(regionAncestors({ kind: 'code', code: '441302', level: 'district' })).toEqual(['44', '4413']);
    expect(regionAncestors({ kind: 'code', code: '4413', level: 'city' })).toEqual(['44']);
    expect(regionAncestors({ kind: 'code', code: '44', level: 'province' })).toEqual([]);
    expect(regionAncestors({ kind: 'all' })).toEqual([]);
  });
});

describe('shortDivisionName', () => {
  it.each([
    ['东湖社区居委会', '东湖社区'],
    ['荷乡社区居民委员会', '荷乡社区'],
    ['城关居委会', '城关社区'],
    ['城关居民委员会', '城关社区'],
    ['石湾村委会', '石湾村'],
    ['石湾村民委员会', '石湾村'],
    ['机场工作区社区', '机场工作区社区'],
    ['西铁营村', '西铁营村'],
    ['村委会', '村委会'],
  ])('%s → %s', (name, short) => {
    expect(shortDivisionName(name, 'community')).toBe(short);
  });
  it('keeps names above the village level', () => {
    expect(shortDivisionName('桥东街道', 'street')).toBe('桥东街道');
    expect(shortDivisionName('某某居委会', 'street')).toBe('某某居委会');
  });
});

describe('isPlaceholderCity', () => {
  it.each(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划'])('%s is a placeholder', (n) => expect(isPlaceholderCity(n)).toBe(true));
  it.each(['惠州市', '东莞市', '阿拉善盟'])('%s is a city', (n) => expect(isPlaceholderCity(n)).toBe(false));
});

describe('gridName', () => {
  it('numbers grids within the community', () => {
    expect(gridName('东湖社区', 1)).toBe('东湖社区第1网格');
    expect(gridName('石湾村', 12)).toBe('石湾村第12网格');
  });
});
