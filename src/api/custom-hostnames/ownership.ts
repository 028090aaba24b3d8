import { lookup, resolveTxt } from 'node:dns/promises'
import { BlockList } from 'node:net'
import { CUSTOM_HOSTNAME_CHALLENGE_PATH } from '../../shared/protocol.js'
import type { CustomHostname } from '../../storage/store.js'

/** How long one check may take: it runs inside an API request (list, get, patch). */
const CHECK_TIMEOUT_MS = 3000

/** Cloudflare's TXT record name for a custom hostname's ownership token. */
export const ownershipTxtName = (hostname: string): string => `_cf-custom-hostname.${hostname.replace(/^\*\./, '')}`

/** Where the HTTP check fetches the token; the edge answers it (see routing.worker.ts). */
export const ownershipHttpUrl = (h: Pick<CustomHostname, 'id' | 'hostname'>): string =>
  `http://${h.hostname.replace(/^\*\./, '')}${CUSTOM_HOSTNAME_CHALLENGE_PATH}${h.id}`

const withTimeout = <T>(work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref()),
  ])

async function txtHoldsToken(h: CustomHostname): Promise<boolean> {
  const records = await withTimeout(resolveTxt(ownershipTxtName(h.hostname)))
  return records.some((chunks) => chunks.join('') === h.verificationToken)
}

/**
 * Addresses the HTTP check never fetches from: a tenant chooses the hostname, and the API must not
 * become its way into loopback, private networks or this machine's neighbours.
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList()
  for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const)
    list.addSubnet(net, bits, 'ipv4')
  for (const [net, bits] of [['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) list.addSubnet(net, bits, 'ipv6')
  return list
})()

async function httpServesToken(h: CustomHostname): Promise<boolean> {
  const addresses = await withTimeout(lookup(h.hostname.replace(/^\*\./, ''), { all: true }))
  if (addresses.some((a) => NOT_PUBLIC.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'))) return false
  const res = await fetch(ownershipHttpUrl(h), { redirect: 'manual', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) })
  return res.ok && (await res.text()).trim() === h.verificationToken
}

/**
 * Proves the hostname is the customer's as Cloudflare does: the token in the TXT record (the
 * system's resolver configuration), or served over HTTP on the hostname itself, which reaches this
 * platform's edge once the customer's CNAME is in place. The errors say why neither held.
 */
export async function checkOwnership(h: CustomHostname): Promise<{ proven: boolean; errors: string[] }> {
  const [txt, http] = await Promise.allSettled([txtHoldsToken(h), httpServesToken(h)])
  if ((txt.status === 'fulfilled' && txt.value) || (http.status === 'fulfilled' && http.value))
    return { proven: true, errors: [] }
  return {
    proven: false,
    errors: [
      `custom hostname does not have the TXT record ${ownershipTxtName(h.hostname)} with the ownership token`,
      `the ownership token was not found at ${ownershipHttpUrl(h)}`,
    ],
  }
}
