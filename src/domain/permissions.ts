/**
 * Roles and permissions. A role is held at a node and covers that node's
 * subtree; permissions are `resource.verb` strings. One `can` answers every
 * question; the server's `authorize` and the UI's abilities both use it.
 */
import { isWithin } from './tree.js';

export const ROLES = [
  'administrator', // 管理员
  'leader', // 领导
  'dispatcher', // 指挥中心坐席
  'street_officer', // 街道/乡镇
  'community_secretary', // 社区书记
  'grid_leader', // 网格长
  'grid_worker', // 网格员
  'department_staff', // 职能部门
  'resident', // 居民
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'account.self',
  'node.read',
  'node.locate',
  'node.create',
  'node.update',
  'node.retire',
  'node.import',
  'user.read',
  'user.create',
  'user.update',
  'user.reveal_phone',
  'role.assign',
  'department.read',
  'department.create',
  'department.update',
  'audit.read',
  'category.read',
  'category.manage',
  'responsibility.read',
  'responsibility.manage',
  'case.read',
  'case.create',
  'case.dispatch',
  'case.handle',
  'case.check',
  'case.rate',
  'case.supervise',
  'notice.read',
  'webhook.manage',
  // Partners and the open doors (Open311): issue, list and revoke partner API keys.
  'partner.manage',
  // Measures, the dashboard, monthly analysis (研判) and ledgers out.
  'measure.read',
  'analysis.manage',
  'case.export',
  // People, places and things in the grid (人地事物).
  'household.read',
  'household.write',
  'resident.reveal',
  'place.read',
  'place.write',
  'ledger.import',
  'visit.read',
  'visit.record',
  'patrol.read',
  'patrol.record',
  // Four-level linkage (四级联户): groups, notices down the tree, help requests up it.
  'linkage.read',
  'linkage.manage',
  'broadcast.send',
  'help.request',
  'help.serve',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_TREE: Permission[] = ['account.self', 'node.read', 'node.locate', 'notice.read', 'category.read'];
/** Those who work cases in the tree: read, report, handle, check on site. */
const CASE_WORK: Permission[] = ['case.read', 'case.create', 'case.handle', 'case.check', 'responsibility.read'];

/** Reading the registry of people, places and things, visits, patrols and linkage groups. */
const READ_REGISTRY: Permission[] = ['household.read', 'place.read', 'visit.read', 'patrol.read', 'linkage.read'];
/** Keeping the registry of one's own part of the tree: edit, import, visit, patrol. */
const KEEP_REGISTRY: Permission[] = [...READ_REGISTRY, 'household.write', 'place.write', 'ledger.import', 'visit.record'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  administrator: PERMISSIONS,
  leader: [...READ_TREE, 'user.read', 'department.read', 'audit.read', 'case.read', 'case.supervise', 'responsibility.read', 'measure.read', 'analysis.manage', 'case.export', ...READ_REGISTRY, 'broadcast.send'],
  dispatcher: [...READ_TREE, 'user.read', 'department.read', 'case.read', 'case.create', 'case.dispatch', 'case.check', 'case.rate', 'case.supervise', 'responsibility.read', 'measure.read', 'case.export', 'place.read', 'patrol.read'],
  street_officer: [...READ_TREE, 'user.read', 'department.read', ...CASE_WORK, 'measure.read', 'analysis.manage', 'case.export', ...KEEP_REGISTRY, 'broadcast.send'],
  community_secretary: [...READ_TREE, 'node.create', 'node.update', 'user.read', 'department.read', ...CASE_WORK, 'measure.read', 'case.export', ...KEEP_REGISTRY, 'resident.reveal', 'linkage.manage', 'broadcast.send'],
  grid_leader: [...READ_TREE, 'user.read', 'department.read', ...CASE_WORK, 'measure.read', ...KEEP_REGISTRY, 'patrol.record', 'resident.reveal', 'broadcast.send'],
  grid_worker: [...READ_TREE, 'department.read', ...CASE_WORK, 'measure.read', ...KEEP_REGISTRY, 'patrol.record', 'resident.reveal'],
  department_staff: [...READ_TREE, 'department.read', 'case.read', 'case.handle', 'measure.read'],
  resident: ['account.self', 'node.locate', 'notice.read', 'category.read', 'case.read', 'case.create', 'case.rate', 'help.request', 'help.serve'],
};

/** One role held by an actor, with the materialised path of its node ('' = whole tree). */
export interface RoleGrant {
  role: Role;
  nodeCode: string | null;
  nodePath: string;
  departmentId?: number | null;
}

export interface Actor {
  userId: string;
  name: string;
  grants: readonly RoleGrant[];
}

/** Every permission the actor holds anywhere. */
export function permissionsOf(actor: Actor): Set<Permission> {
  const out = new Set<Permission>();
  for (const g of actor.grants) for (const p of ROLE_PERMISSIONS[g.role]) out.add(p);
  return out;
}

/** The nodes whose subtrees the actor can see: the tops of its grants, without nested duplicates. */
export function scopePaths(actor: Actor): string[] {
  const paths = [...new Set(actor.grants.map((g) => g.nodePath))].sort((a, b) => a.length - b.length);
  const tops: string[] = [];
  for (const p of paths) if (!tops.some((t) => isWithin(p, t))) tops.push(p);
  return tops;
}

/** True when the node at `path` lies in the actor's part of the tree. */
export function isInScope(actor: Actor, path: string): boolean {
  return actor.grants.some((g) => isWithin(path, g.nodePath));
}

/**
 * May the actor do `permission`, on the node at `path` when given? A grant
 * counts only where its node covers the target.
 */
export function can(actor: Actor, permission: Permission, path?: string): boolean {
  return actor.grants.some(
    (g) => ROLE_PERMISSIONS[g.role].includes(permission) && (path === undefined || isWithin(path, g.nodePath)),
  );
}

/** Which roles an assigner may grant: an administrator any role within its scope. */
export function canAssignRole(actor: Actor, role: Role, nodePath: string): boolean {
  if (role === 'administrator' && nodePath === '') return actor.grants.some((g) => g.role === 'administrator' && g.nodePath === '');
  return can(actor, 'role.assign', nodePath);
}
