import type { Hono } from 'hono'
import type { ApiDeps, ApiEnv } from '../context.js'
import { assetRoutes } from './assets.js'
import { accountScriptNonVersionedSettingsRoutes } from './account-script-settings.js'
import {
  accountScriptContentRoutes,
  accountScriptRoutes,
  accountScriptSecretRoutes,
  accountScriptSettingsRoutes,
  accountScriptTagRoutes,
} from './account-scripts.js'
import { d1Routes } from './d1.js'
import { customHostnameRoutes } from './custom-hostnames.js'
import { dispatchNamespaceRoutes } from './dispatch-namespaces.js'
import { identityRoutes } from './identity.js'
import { kvNamespaceRoutes } from './kv-namespaces.js'
import { kvValueRoutes } from './kv-values.js'
import { namespaceScriptRoutes } from './namespace-scripts.js'
import { observabilityRoutes } from './observability.js'
import { r2BucketRoutes } from './r2-buckets.js'
import { r2ObjectRoutes } from './r2-objects.js'
import { queueRoutes } from './queues.js'
import { operationsRoutes } from './operations.js'
import { namespaceScriptContentRoutes } from './script-content.js'
import { accountScriptScheduleRoutes, namespaceScriptScheduleRoutes } from './script-schedules.js'
import { namespaceScriptSecretRoutes } from './script-secrets.js'
import { namespaceScriptSettingsRoutes } from './script-settings.js'
import { namespaceScriptTagRoutes } from './script-tags.js'
import { accountScriptVersionRoutes, namespaceScriptVersionRoutes } from './script-versions.js'
import { subdomainRoutes } from './subdomain.js'
import { tailRoutes } from './tails.js'
import { tokenRoutes } from './tokens.js'
import { usageRoutes } from './usage.js'
import { workerDomainRoutes } from './worker-domains.js'
import { workerRouteRoutes } from './worker-routes.js'
import { workersResourceRoutes } from './workers-resource.js'
import { zoneRoutes } from './zones.js'
import { zoneSettingRoutes } from './zone-settings.js'

/** Every route module of the v4 API, mounted under /client/v4. One line per resource. */
export const routeModules: Array<(deps: ApiDeps) => Hono<ApiEnv>> = [
  identityRoutes,
  tokenRoutes,
  dispatchNamespaceRoutes,
  namespaceScriptRoutes,
  namespaceScriptContentRoutes,
  namespaceScriptSettingsRoutes,
  namespaceScriptSecretRoutes,
  namespaceScriptTagRoutes,
  namespaceScriptScheduleRoutes,
  namespaceScriptVersionRoutes,
  accountScriptRoutes,
  accountScriptVersionRoutes,
  accountScriptNonVersionedSettingsRoutes,
  accountScriptSettingsRoutes,
  accountScriptSecretRoutes,
  accountScriptTagRoutes,
  accountScriptScheduleRoutes,
  accountScriptContentRoutes,
  zoneRoutes,
  customHostnameRoutes,
  zoneSettingRoutes,
  workerRouteRoutes,
  workerDomainRoutes,
  subdomainRoutes,
  workersResourceRoutes,
  kvNamespaceRoutes,
  kvValueRoutes,
  d1Routes,
  r2BucketRoutes,
  r2ObjectRoutes,
  queueRoutes,
  operationsRoutes,
  observabilityRoutes,
  usageRoutes,
  tailRoutes,
  assetRoutes,
]
