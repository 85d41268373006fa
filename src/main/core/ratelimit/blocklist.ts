// The persisted IP blocklist (devmesh block-ip): checked before anything else on both servers, kept in a net.BlockList rebuilt when the table changes.
import { BlockList } from 'node:net';
import type { Database } from 'better-sqlite3';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../../shared/errors';
import { isCidrOrIp } from '../../config';
import { createEpochCache, type ChangeEpoch } from '../storage/change-epoch';

export interface BlockedRange {
  cidr: string;
  reason: string;
  created_by: string;
  created_at: string;
}

export interface Blocklist {
  blocks(ip: string): boolean;
  list(): BlockedRange[];
  add(cidr: string, reason: string, actor: string): BlockedRange;
  /** False when it was not blocked. */
  remove(cidr: string): boolean;
}

/**
 * One spelling per range, so block and unblock meet: "10.1.2.3" becomes "10.1.2.3/32", "10.1.2.3/8" becomes "10.0.0.0/8"
 * (host bits masked), "2001:DB8:0::1" becomes "2001:db8::1/128" (RFC 5952).
 */
export function normalizeCidr(input: string): string {
  const value = input.trim();
  if (!isCidrOrIp(value)) throw new AppError('VALIDATION_FAILED', `${JSON.stringify(input)} is not an IP address or CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24)`);
  const [address, bits] = value.includes('/') ? (value.split('/') as [string, string]) : [value, undefined];
  const parsed = ipaddr.parse(address);
  const prefix = bits === undefined ? (parsed.kind() === 'ipv6' ? 128 : 32) : Number(bits);
  const network = parsed.kind() === 'ipv6' ? ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`) : ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`);
  return `${network.toString()}/${prefix}`;
}

function toBlockList(ranges: readonly BlockedRange[]): BlockList {
  const list = new BlockList();
  for (const { cidr } of ranges) {
    const [address, bits] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(bits), address.includes(':') ? 'ipv6' : 'ipv4');
  }
  return list;
}

export function createBlocklist({ db, epoch, now = () => new Date() }: { db: Database; epoch: ChangeEpoch; now?: () => Date }): Blocklist {
  const cache = createEpochCache<'list', { ranges: BlockedRange[]; list: BlockList }>(epoch, 1);
  const select = db.prepare<[], BlockedRange>('SELECT cidr, reason, created_by, created_at FROM ip_blocklist ORDER BY created_at');

  function current(): { ranges: BlockedRange[]; list: BlockList } {
    let loaded = cache.get('list');
    if (loaded === undefined) {
      const ranges = select.all();
      loaded = { ranges, list: toBlockList(ranges) };
      cache.set('list', loaded);
    }
    return loaded;
  }

  return {
    blocks(ip) {
      const { ranges, list } = current();
      if (ranges.length === 0) return false;
      // IPv4-mapped IPv6 ("::ffff:10.1.2.3"), as Node reports some IPv4 clients, is checked as IPv4.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
      const address = mapped?.[1] ?? ip;
      return list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
    },
    list: () => current().ranges,
    add(cidr, reason, actor) {
      const normalized = normalizeCidr(cidr);
      const at = now().toISOString();
      db.prepare("INSERT INTO ip_blocklist (tenant_id, cidr, reason, created_by, created_at) VALUES ('default', ?, ?, ?, ?) ON CONFLICT (cidr) DO UPDATE SET reason = excluded.reason").run(normalized, reason, actor, at);
      cache.clear();
      return { cidr: normalized, reason, created_by: actor, created_at: at };
    },
    remove(cidr) {
      const removed = db.prepare('DELETE FROM ip_blocklist WHERE cidr = ?').run(normalizeCidr(cidr)).changes > 0;
      cache.clear();
      return removed;
    },
  };
}
