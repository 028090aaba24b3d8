import type { TestPlatform } from '../../helpers/platform.js'

export interface UploadPart {
  name: string
  content: string
  type: string
}

/**
 * A multipart body shaped like wrangler's: the metadata part has no filename and no content type,
 * each module part is named by its filename.
 */
export function wranglerForm(metadata: Record<string, unknown>, parts: UploadPart[]): FormData {
  const form = new FormData()
  form.append('metadata', JSON.stringify(metadata))
  for (const p of parts) form.append(p.name, new Blob([p.content], { type: p.type }), p.name)
  return form
}

export const moduleWorker = (body: string): UploadPart => ({
  name: 'index.js',
  content: `export default { async fetch(request, env) { ${body} } }`,
  type: 'application/javascript+module',
})

/** Uploads an account-level Worker over HTTP the way `wrangler deploy` does on a first deploy. */
export async function seedAccountScript(
  t: TestPlatform,
  name: string,
  as: { accountId: string; token: string } = { accountId: t.accountId, token: t.token },
): Promise<void> {
  const form = wranglerForm({ main_module: 'index.js', compatibility_date: '2025-01-01', bindings: [] }, [
    moduleWorker(`return new Response(${JSON.stringify(name)})`),
  ])
  const path = `/accounts/${as.accountId}/workers/scripts/${name}?excludeScript=true&bindings_inherit=strict`
  const res = await t.json(path, { method: 'PUT', body: form, token: as.token })
  if (res.status !== 200) throw new Error(`uploading ${name} failed: ${JSON.stringify(res.body)}`)
}
