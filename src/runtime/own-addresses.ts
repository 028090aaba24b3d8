import { networkInterfaces } from 'node:os'

/**
 * Every address of this machine's interfaces, as single-host CIDRs, read at start. A Worker must
 * reach none of them: workerd's "public" class would let a public (or unusual) address of the host
 * through, and with it the API and the edge themselves when they listen on 0.0.0.0.
 */
export function ownAddressCidrs(): string[] {
  const cidrs = new Set<string>()
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const address = info.address.split('%')[0]!
      cidrs.add(info.family === 'IPv6' ? `${address}/128` : `${address}/32`)
    }
  }
  return [...cidrs]
}
