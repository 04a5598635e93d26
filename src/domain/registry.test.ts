import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { addressKey, headerOf, lookupCode, mapHeaders, parseDateCell, parseYesNo, placeKey, PLACE_KINDS, splitList, TAG_KINDS, TAG_TABLE, THING_KINDS } from './registry.js';

describe('registry vocabulary', () => {
  it('tag kinds match the seed rows of the migration', () => {
    const sql = readFileSync(new URL('../../migrations/0023_registry.sql', import.meta.url), 'utf8');
    for (const t of TAG_KINDS) {
      const re = new RegExp(`\\('${t.code}',\\s*'${t.zh}',\\s*'${t.en.replace(/[()]/g, '\\$&')}',\\s*${t.visitEveryDays ?? 'NULL'},\\s*${t.sensitive}`);
      expect(sql, t.code).toMatch(re);
    }
  });

  it('address keys ignore spaces, width and case', () => {
    expect(addressKey('惠城区 东平路１号', '３栋', '2单元', '1201')).toBe(addressKey('惠城区东平路1号', '3栋', '2单元', '1201'));
    expect(addressKey('A路', null, null, '101')).not.toBe(addressKey('A路', null, null, '102'));
    expect(placeKey('shop', '好又多 超市', 'X路')).toBe(placeKey('shop', '好又多超市', 'X路'));
  });

  it('reads codes from codes or names', () => {
    expect(lookupCode(PLACE_KINDS, '商铺')).toBe('shop');
    expect(lookupCode(PLACE_KINDS, 'school')).toBe('school');
    expect(lookupCode(THING_KINDS, '路灯')).toBe('street_light');
    expect(lookupCode(TAG_TABLE, '独居老人')).toBe('elderly_alone');
    expect(lookupCode(PLACE_KINDS, '火星')).toBeUndefined();
    expect(splitList('独居老人、低保户,veteran')).toEqual(['独居老人', '低保户', 'veteran']);
  });

  it('maps Chinese headers and names the missing ones', () => {
    const m = mapHeaders('residents', ['\uFEFF*地址', '姓名', '身份证号码', '备注', '手机号']);
    expect(m.keys).toEqual(['address', 'name', 'idNumber', null, 'phone']);
    expect(m.missing).toEqual([]);
    expect(mapHeaders('residents', ['姓名']).missing).toEqual(['地址']);
    expect(mapHeaders('things', ['类型', '名称', '部件类型']).duplicated).toEqual(['类型']);
    expect(headerOf('residents', 'idNumber')).toBe('身份证号');
  });

  it('parses yes/no and date cells', () => {
    expect(parseYesNo('是')).toBe(true);
    expect(parseYesNo('')).toBe(false);
    expect(parseYesNo('也许')).toBeUndefined();
    expect(parseDateCell('1950/3/7')).toBe('1950-03-07');
    expect(parseDateCell('19500307')).toBe('1950-03-07');
    expect(parseDateCell('1950年3月7日')).toBe('1950-03-07');
    expect(parseDateCell('1950-02-30')).toBeUndefined();
  });
});
