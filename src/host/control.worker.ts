import { WorkerEntrypoint } from 'cloudflare:workers'
import { CONTROL } from '../shared/protocol.js'
import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'
import { applyContainment } from './containment/guard.worker.js'
import { drainSince } from './containment/drain.worker.js'
import { collectCpuReports } from './containment/cpu-reports.worker.js'
import { loadedIsolates } from './pipeline/loader.worker.js'
import { invalidate, type Invalidation } from './pipeline/registry.worker.js'
import { kvReads } from '../bindings/kv-namespace/kv.worker.js'
import type { ContainmentState, ObjectsReclaim, QueueRun, ScheduledRun, StartupCheck } from '../shared/protocol.js'
import { objectsGate } from '../bindings/durable-object-namespace/durable-object.worker.js'
import { runQueue } from './pipeline/queue.worker.js'
import { runScheduled } from './pipeline/scheduled.worker.js'
import { checkStartup, startupChecksRun } from './containment/startup.worker.js'
import { checkStartupBatch } from './containment/startup-batch.worker.js'
import type { HostEnv } from './env.worker.js'
import { takeForwardedCall, takeForwardedFetch, wakeObject } from '../bindings/durable-object-namespace/objects.worker.js'
import type { ForwardedCall, ForwardedFetch, WakeRequest } from '../bindings/durable-object-namespace/wire.js'

/**
 * The control socket of this workerd process (loopback, secret-protected). `/health` is answered
 * by JS on the same thread as every tenant, so a missed answer means the process is stuck.
 */
export class Control extends WorkerEntrypoint<HostEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get(HEADER_INTERNAL_SECRET) !== this.env.INTERNAL_SECRET) return new Response('forbidden', { status: 403 })
    const url = new URL(request.url)
    const { pathname } = url
    if (pathname === CONTROL.health) {
      // What the isolates' meters collected now reaches the usage records by a later probe.
      if (this.env.SETTINGS.usage) this.ctx.waitUntil(collectCpuReports(this.env, this.ctx))
      return Response.json({ isolates: loadedIsolates() + startupChecksRun(), batches: drainSince(Number(url.searchParams.get('ack') ?? 0)) })
    }
    if (pathname === CONTROL.invalidate && request.method === 'POST') {
      const what = (await request.json()) as Invalidation
      invalidate(what)
      if (what.all) kvReads.clear()
      for (const ns of what.kv ?? []) kvReads.invalidate(`${ns.accountId}/${ns.namespaceId}`, ns.keys)
      return new Response('ok')
    }
    if (pathname === CONTROL.containment && request.method === 'POST') {
      applyContainment((await request.json()) as ContainmentState)
      return new Response('ok')
    }
    if (pathname === CONTROL.startup && request.method === 'POST') {
      return Response.json(await checkStartup(this.env, this.ctx, (await request.json()) as StartupCheck))
    }
    if (pathname === CONTROL.startupBatch && request.method === 'POST') {
      return Response.json(await checkStartupBatch(this.env, this.ctx, (await request.json()) as StartupCheck[]))
    }
    if (pathname === CONTROL.scheduled && request.method === 'POST') {
      return Response.json(await runScheduled(this.env, this.ctx, (await request.json()) as ScheduledRun))
    }
    if (pathname === CONTROL.queue && request.method === 'POST') {
      return Response.json(await runQueue(this.env, this.ctx, (await request.json()) as QueueRun))
    }
    if (pathname === CONTROL.objectsFetch && request.method === 'POST') {
      return takeForwardedFetch(this.env, (await request.json()) as ForwardedFetch)
    }
    if (pathname === CONTROL.objectsCall && request.method === 'POST') {
      return Response.json(await takeForwardedCall(this.env, (await request.json()) as ForwardedCall))
    }
    if (pathname === CONTROL.objectsWake && request.method === 'POST') {
      return Response.json(await wakeObject(this.env, (await request.json()) as WakeRequest))
    }
    if (pathname === CONTROL.reclaimObjects && request.method === 'POST') {
      const { namespaceIds } = (await request.json()) as ObjectsReclaim
      let objects = 0
      for (const id of namespaceIds) objects += await objectsGate(this.env).reclaim(this.env.INTERNAL_SECRET, id)
      return Response.json({ objects })
    }
    return new Response('not found', { status: 404 })
  }
}
