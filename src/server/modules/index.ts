import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../context.js';
import { authRoutes } from './auth/auth.routes.js';
import { metaRoutes } from './meta/meta.routes.js';
import { nodesRoutes } from './nodes/nodes.routes.js';
import { boundariesRoutes } from './boundaries/boundaries.routes.js';
import { locateRoutes } from './locate/locate.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { departmentsRoutes } from './departments/departments.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { categoriesRoutes } from './categories/categories.routes.js';
import { responsibilityRoutes } from './responsibility/responsibility.routes.js';
import { casesRoutes } from './cases/cases.routes.js';
import { noticesRoutes } from './notices/notices.routes.js';

/** Every feature module, registered under its prefix. */
export async function registerModules(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(metaRoutes, { prefix: '/api', deps });
  await app.register(authRoutes, { prefix: '/api/auth', deps });
  await app.register(nodesRoutes, { prefix: '/api/nodes', deps });
  await app.register(boundariesRoutes, { prefix: '/api/boundaries', deps });
  await app.register(locateRoutes, { prefix: '/api/locate', deps });
  await app.register(usersRoutes, { prefix: '/api/users', deps });
  await app.register(departmentsRoutes, { prefix: '/api/departments', deps });
  await app.register(auditRoutes, { prefix: '/api/audit', deps });
  await app.register(categoriesRoutes, { prefix: '/api/categories', deps });
  await app.register(responsibilityRoutes, { prefix: '/api/responsibility', deps });
  await app.register(casesRoutes, { prefix: '/api/cases', deps });
  await app.register(noticesRoutes, { prefix: '/api/notices', deps });
  await app.register((await import('./public-cases/public-cases.routes.js')).publicCasesRoutes, { prefix: '/api/public', deps });
  await app.register((await import('./webhooks/webhooks.routes.js')).webhooksRoutes, { prefix: '/api/webhooks', deps });
  await app.register((await import('./measures/measures.routes.js')).measuresRoutes, { prefix: '/api/measures', deps });
  await app.register((await import('./dashboard/dashboard.routes.js')).dashboardRoutes, { prefix: '/api/dashboard', deps });
  await app.register((await import('./ledgers/ledgers.routes.js')).ledgersRoutes, { prefix: '/api/ledgers', deps });
  await app.register((await import('./visits/visits.routes.js')).visitsRoutes, { prefix: '/api/visits', deps });
  await app.register((await import('./patrols/patrols.routes.js')).patrolsRoutes, { prefix: '/api/patrols', deps });
  await app.register((await import('./linkage/linkage.routes.js')).linkageRoutes, { prefix: '/api/linkage', deps });
  await app.register((await import('./partners/partners.routes.js')).partnersRoutes, { prefix: '/api/partners', deps });
  await app.register((await import('./open311/open311.routes.js')).open311Routes, { prefix: '/open311', deps });
  await app.register((await import('./open311/open311.admin.js')).open311AdminRoutes, { prefix: '/api/open311', deps });
  await app.register((await import('./analysis/analysis.routes.js')).analysisRoutes, { prefix: '/api/analysis', deps });
  await app.register((await import('./registry/registry.routes.js')).registryRoutes, { prefix: '/api/registry', deps });
}
