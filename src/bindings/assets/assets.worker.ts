import { WorkerEntrypoint } from 'cloudflare:workers'
import type { HostEnv } from '../../host/env.worker.js'
import { askForAsset } from '../../host/pipeline/assets-routing.worker.js'

export interface AssetsProps {
  accountId: string
  versionId: string
}

/** `env.ASSETS` of a Worker: its version's assets with the full config, never the Worker itself. */
export class Assets extends WorkerEntrypoint<HostEnv, AssetsProps> {
  override fetch(request: Request): Promise<Response> {
    return askForAsset(this.env, this.ctx.props.accountId, this.ctx.props.versionId, request, 'binding')
  }
}
