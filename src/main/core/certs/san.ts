// Subject alternative names: checks what an operator asks for (DNS names per RFC 1123, IPs) and reads what a certificate holds.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../../shared/errors';

export const DEFAULT_SERVER_SANS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const MAX_SANS = 100;
const MAX_DNS_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface SubjectAltNames {
  /** Lower-case DNS names, wildcards (`*.example.test`) only as the whole left-most label. */
  dns: string[];
  /** Canonical text of IPv4 and IPv6 addresses (`::1`, not `0:0:0:0:0:0:0:1`). */
  ips: string[];
}

/** The canonical spelling of an IP address that `isIP` accepts. */
export function canonicalIp(ip: string): string {
  return ipaddr.parse(ip).toString();
}

/** The 4 or 16 bytes of an IP address, as a SAN's iPAddress holds them. */
export function ipBytes(ip: string): Uint8Array {
  return Uint8Array.from(ipaddr.parse(ip).toByteArray());
}

function invalid(san: string, why: string): AppError {
  return new AppError('VALIDATION_FAILED', `SAN ${JSON.stringify(san)} ${why}`);
}

function checkDnsName(raw: string, name: string): void {
  if (name.length > MAX_DNS_LENGTH) throw invalid(raw, `is longer than ${MAX_DNS_LENGTH} characters`);
  const labels = name.split('.');
  labels.forEach((label, index) => {
    if (label === '*') {
      if (index !== 0) throw invalid(raw, 'has a wildcard that is not the whole left-most label (only *.example.test is allowed)');
      if (labels.length < 3) throw invalid(raw, 'has a wildcard directly under a top-level name; use at least *.name.tld');
      return;
    }
    if (label === '') throw invalid(raw, 'has an empty label (two dots, or a dot at the start or end)');
    if (label.includes('*')) throw invalid(raw, 'has a wildcard that is not the whole left-most label (only *.example.test is allowed)');
    if (!LABEL.test(label)) throw invalid(raw, `has an invalid label ${JSON.stringify(label)}: use letters, digits and inner hyphens, at most 63 characters`);
  });
  // 999.1.1.1 is neither an address nor a host name: a name's last label is never all digits.
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) throw invalid(raw, 'is neither a valid IP address nor a DNS name');
}

/** Sorts each requested SAN into DNS names and IPs, refusing the first malformed one by name; duplicates are dropped. */
export function parseSans(requested: readonly string[]): SubjectAltNames {
  if (requested.length === 0) throw new AppError('VALIDATION_FAILED', 'a server certificate needs at least one SAN (--san localhost)');
  if (requested.length > MAX_SANS) throw new AppError('VALIDATION_FAILED', `at most ${MAX_SANS} SANs`);
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const raw of requested) {
    const value = raw.trim();
    if (value === '') throw invalid(raw, 'is empty');
    const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    if (bare.includes('%')) throw invalid(raw, 'has an IPv6 zone index (%...), which a certificate cannot hold');
    if (isIP(bare) !== 0) {
      ips.add(canonicalIp(bare));
      continue;
    }
    const name = value.toLowerCase().replace(/\.$/, '');
    checkDnsName(raw, name);
    dns.add(name);
  }
  return { dns: [...dns], ips: [...ips] };
}

const SAN_TYPES: Readonly<Record<string, string>> = { DNS: 'DNS', 'IP Address': 'IP', URI: 'URI', email: 'email' };

/**
 * Reads Node's `X509Certificate.subjectAltName` ("DNS:a, IP Address:0:0:0:0:0:0:0:1, URI:...") into `DNS:a`, `IP:::1`, ...
 * Node quotes a value holding a comma or quote as a JSON string, so the text is scanned, not split.
 */
export function readSubjectAltName(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    if (colon < 0) break;
    const type = text.slice(at, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      next = text.indexOf(', ', end);
    } else {
      next = text.indexOf(', ', colon);
      value = text.slice(colon + 1, next < 0 ? undefined : next);
    }
    const label = SAN_TYPES[type] ?? type;
    if (label === 'IP' && isIP(value) !== 0) value = canonicalIp(value);
    if (label === 'DNS') value = value.toLowerCase();
    out.push(`${label}:${value}`);
    if (next < 0) break;
    at = next + 2;
  }
  return out;
}
