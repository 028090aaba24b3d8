import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { esmVersion, newAccount, newNamespaceScope } from './fixtures.js'

const MINUTE = 60_000

export function scheduleCases(test: DefineCase): void {
  test('schedules: a replace keeps unchanged crons, drops the rest, and cascades with its script', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'cron')
    const { script } = await store.scripts.publish({ scope, name: 'ticker', version: esmVersion('export default {}') })
    const first = await store.schedules.replace(script.id, [
      { cron: '*/5 * * * *', nextRunAt: clock.now() + 5 * MINUTE },
      { cron: '0 0 * * *', nextRunAt: clock.now() + 60 * MINUTE },
    ])
    assert.deepEqual(first.map((s) => s.cron).sort(), ['*/5 * * * *', '0 0 * * *'])
    clock.advance(MINUTE)
    const second = await store.schedules.replace(script.id, [
      { cron: '*/5 * * * *', nextRunAt: clock.now() + 4 * MINUTE },
      { cron: '* * * * *', nextRunAt: clock.now() + MINUTE },
    ])
    const kept = second.find((s) => s.cron === '*/5 * * * *')
    assert.equal(kept?.createdOn, first.find((s) => s.cron === '*/5 * * * *')?.createdOn, 'a kept cron keeps its created_on')
    assert.deepEqual(second.map((s) => s.cron).sort(), ['* * * * *', '*/5 * * * *'])
    assert.deepEqual(await store.schedules.list(script.id), second)

    assert.deepEqual(await store.schedules.replace(script.id, []), [], 'an empty list clears')
    await store.schedules.replace(script.id, [{ cron: '* * * * *', nextRunAt: clock.now() }])
    await store.scripts.delete(scope, 'ticker')
    assert.deepEqual(await store.schedules.due(clock.now() + MINUTE, 10), [], 'deleting the script deletes its schedules')
  })

  test('schedules: due ticks name their script, and each tick is claimed exactly once', async ({ store, clock }) => {
    const scope = await newNamespaceScope(store, 'claims')
    const accountId = await newAccount(store, 'acctlevel')
    const { script } = await store.scripts.publish({ scope, name: 'ns-ticker', version: esmVersion('export default {}') })
    const { script: own } = await store.scripts.publish({
      scope: { accountId, namespaceId: null },
      name: 'acct-ticker',
      version: esmVersion('export default {}'),
    })
    const runAt = clock.now() + MINUTE
    await store.schedules.replace(script.id, [{ cron: '* * * * *', nextRunAt: runAt }])
    await store.schedules.replace(own.id, [{ cron: '*/2 * * * *', nextRunAt: runAt + MINUTE }])
    assert.deepEqual(await store.schedules.due(runAt - 1, 10), [], 'nothing is due before its time')

    const due = await store.schedules.due(runAt + MINUTE, 10)
    assert.deepEqual(
      due.map((t) => [t.scriptName, t.namespaceId, t.accountId, t.cron, t.runAt]),
      [
        ['ns-ticker', scope.namespaceId, scope.accountId, '* * * * *', runAt],
        ['acct-ticker', null, accountId, '*/2 * * * *', runAt + MINUTE],
      ],
    )

    // Many claimers at once (on PostgreSQL, over several connections): one wins the tick.
    const tick = due[0]!
    const results = await Promise.all(Array.from({ length: 8 }, () => store.schedules.claim(tick.id, tick.runAt, tick.runAt + MINUTE)))
    assert.equal(results.filter(Boolean).length, 1)
    assert.equal(await store.schedules.claim(tick.id, tick.runAt, tick.runAt + MINUTE), false, 'a claimed tick stays claimed')
    assert.deepEqual((await store.schedules.due(runAt, 10)).map((t) => t.scriptName), [], 'its next run moved on')
    assert.equal(await store.schedules.claim(tick.id, tick.runAt + MINUTE, tick.runAt + 2 * MINUTE), true, 'the next tick is claimable')
  })
}
