import type { AccountId } from '../../../src/domain/ids.js'
import type { TestPlatform } from '../../helpers/platform.js'

/** An account-level Worker to hang routes and subdomain settings on, stored as an upload would. */
export async function seedAccountScript(t: TestPlatform, name: string, accountId: AccountId = t.accountId) {
  const code = new TextEncoder().encode(`export default { fetch() { return new Response('${name}') } }`)
  return t.platform.store.scripts.publish({
    scope: { accountId, namespaceId: null },
    name,
    version: {
      format: 'modules',
      mainModule: 'index.js',
      modules: [{ name: 'index.js', type: 'esm', content: code }],
      compatibilityDate: '2025-01-01',
      compatibilityFlags: [],
      bindings: [],
      source: 'wrangler',
    },
  })
}
