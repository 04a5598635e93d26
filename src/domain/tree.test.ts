import { describe, expect, it } from 'vitest';
import { cityCodeOf, childLevel, depthOf, isWithin, levelOfCode, nextChildCode, parentCodeOf, pathOf } from './tree.js';

describe('grid tree codes and paths', () => {
  it('knows the level of each code length', () => {
    expect(levelOfCode('44')).toBe('province');
    expect(levelOfCode('4413')).toBe('city');
    expect(levelOfCode('441303')).toBe('district');
    expect(levelOfCode('441303006')).toBe('street');
    expect(levelOfCode('441303006001')).toBe('community');
    expect(levelOfCode('441303006001001')).toBe('grid');
    expect(levelOfCode('44130300600100101')).toBe('unit');
    expect(levelOfCode('4413030060010010101')).toBe('cell');
    expect(levelOfCode('441')).toBeUndefined();
    expect(levelOfCode('44a3')).toBeUndefined();
    expect(levelOfCode('')).toBeUndefined();
  });

  it('derives parents, paths, depth and city codes', () => {
    expect(parentCodeOf('441303006001001')).toBe('441303006001');
    expect(parentCodeOf('441303')).toBe('4413');
    expect(parentCodeOf('44')).toBeUndefined();
    expect(pathOf('441303006001001')).toBe('44.4413.441303.441303006.441303006001.441303006001001');
    expect(pathOf('44')).toBe('44');
    expect(() => pathOf('x')).toThrow();
    expect(depthOf('province')).toBe(1);
    expect(depthOf('cell')).toBe(8);
    expect(childLevel('community')).toBe('grid');
    expect(childLevel('cell')).toBeUndefined();
    expect(cityCodeOf('441303006001001')).toBe('4413');
    expect(cityCodeOf('44')).toBe('4400');
  });

  it('tests subtree membership on label boundaries, not string prefixes', () => {
    expect(isWithin('44.4413.441303', '44.4413')).toBe(true);
    expect(isWithin('44.4413', '44.4413')).toBe(true);
    expect(isWithin('44.44130', '44.4413')).toBe(false);
    expect(isWithin('44', '44.4413')).toBe(false);
    expect(isWithin('44.4413', '')).toBe(true);
  });

  it('numbers new grids, units and cells after the highest used code', () => {
    expect(nextChildCode('441303006001', [])).toBe('441303006001001');
    expect(nextChildCode('441303006001', ['441303006001001', '441303006001007', '441303006002001'])).toBe('441303006001008');
    expect(nextChildCode('441303006001001', [])).toBe('44130300600100101');
    expect(nextChildCode('44130300600100101', ['4413030060010010105'])).toBe('4413030060010010106');
    expect(() => nextChildCode('441303006', [])).toThrow(/no grid level/);
    const full = Array.from({ length: 99 }, (_, i) => '441303006001001' + String(i + 1).padStart(2, '0'));
    expect(() => nextChildCode('441303006001001', full)).toThrow(/no free unit/);
  });
});
