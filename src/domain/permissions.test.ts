import { describe, expect, it } from 'vitest';
import { can, canAssignRole, isInScope, PERMISSIONS, permissionsOf, ROLE_PERMISSIONS, ROLES, scopePaths, type Actor } from './permissions.js';

const actor = (...grants: [Actor['grants'][number]['role'], string][]): Actor => ({
  userId: 'u',
  name: 'n',
  grants: grants.map(([role, nodePath]) => ({ role, nodeCode: nodePath.split('.').pop() || null, nodePath })),
});

describe('permissions', () => {
  it('every role maps to known permissions; administrators hold all', () => {
    for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) expect(PERMISSIONS).toContain(p);
    expect([...ROLE_PERMISSIONS.administrator].sort()).toEqual([...PERMISSIONS].sort());
    for (const r of ROLES) expect(ROLE_PERMISSIONS[r]).toContain('account.self');
  });

  it('a grant covers its node and subtree only', () => {
    const a = actor(['community_secretary', '44.4413.441302.441302001.441302001001']);
    expect(can(a, 'node.create', '44.4413.441302.441302001.441302001001.441302001001001')).toBe(true);
    expect(can(a, 'node.create', '44.4413.441302.441302001.441302001002')).toBe(false);
    expect(can(a, 'node.create', '44.4413.441302.441302001')).toBe(false);
    expect(can(a, 'node.retire', '44.4413.441302.441302001.441302001001')).toBe(false);
    expect(can(a, 'node.create')).toBe(true);
  });

  it('combines several grants', () => {
    const a = actor(['grid_worker', '44.4413.441302.441302001.441302001001.441302001001001'], ['leader', '44.4413.441303']);
    expect(permissionsOf(a).has('audit.read')).toBe(true);
    expect(can(a, 'audit.read', '44.4413.441302')).toBe(false);
    expect(can(a, 'audit.read', '44.4413.441303.441303001')).toBe(true);
    expect(isInScope(a, '44.4413.441302.441302001.441302001001.441302001001001')).toBe(true);
    expect(isInScope(a, '44.4413.441302.441302001.441302001001')).toBe(false);
  });

  it('scope paths drop nested duplicates', () => {
    const a = actor(['dispatcher', '44.4413'], ['grid_worker', '44.4413.441302.441302001.441302001001.441302001001001'], ['leader', '44.4414']);
    expect(scopePaths(a)).toEqual(['44.4413', '44.4414']);
    expect(scopePaths(actor(['administrator', '']))).toEqual(['']);
  });

  it('only a whole-tree administrator may create another whole-tree administrator', () => {
    expect(canAssignRole(actor(['administrator', '44.4413']), 'administrator', '')).toBe(false);
    expect(canAssignRole(actor(['administrator', '']), 'administrator', '')).toBe(true);
    expect(canAssignRole(actor(['administrator', '44.4413']), 'administrator', '44.4413.441302')).toBe(true);
    expect(canAssignRole(actor(['leader', '44.4413']), 'grid_worker', '44.4413.441302')).toBe(false);
  });
});
