// SAN checks (what `--san` accepts and refuses, by name) and reading SANs back from Node's subjectAltName text.
import { describe, expect, it } from 'vitest';
import { canonicalIp, ipBytes, parseSans, readSubjectAltName } from '../../../../../src/main/core/certs/san';
import { errorOf } from '../../../../helpers/errors';

describe('parseSans', () => {
  it('sorts DNS names and IPs, lower-cases names, writes IPv6 canonically and drops duplicates', () => {
    expect(parseSans(['LocalHost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1', 'localhost', '[fe80::1]', 'mesh.example.test.', '*.dev.example.test', 'a-b.c1', 'xn--bcher-kva.example'])).toEqual({
      dns: ['localhost', 'mesh.example.test', '*.dev.example.test', 'a-b.c1', 'xn--bcher-kva.example'],
      ips: ['127.0.0.1', '::1', 'fe80::1'],
    });
    expect(parseSans(['::ffff:10.0.0.1']).ips).toEqual(['::ffff:a00:1']);
  });

  it.each([
    ['', /SAN "" is empty/],
    ['   ', /is empty/],
    ['bad host', /invalid label "bad host"/],
    ['under_score.test', /invalid label "under_score"/],
    ['-lead.test', /invalid label "-lead"/],
    ['trail-.test', /invalid label "trail-"/],
    ['a..b', /empty label/],
    ['.lead', /empty label/],
    ['foo.*.example.test', /wildcard that is not the whole left-most label/],
    ['f*o.example.test', /wildcard that is not the whole left-most label/],
    ['**.example.test', /wildcard that is not the whole left-most label/],
    ['*.test', /wildcard directly under a top-level name/],
    ['999.1.1.1', /neither a valid IP address nor a DNS name/],
    ['1.2.3', /neither a valid IP address nor a DNS name/],
    ['fe80::1%eth0', /zone index/],
    [`${'a'.repeat(64)}.test`, /invalid label/],
    [`${'abcdefghi.'.repeat(26)}test`, /longer than 253 characters/],
    ['exa mple.test', /invalid label/],
    ['é.test', /invalid label "é"/],
  ])('refuses %j, naming it', (san, reason) => {
    const error = errorOf(() => parseSans(['localhost', san]));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain(`SAN ${JSON.stringify(san)}`);
    expect(error.message).toMatch(reason);
  });

  it('needs at least one SAN and at most 100', () => {
    expect(errorOf(() => parseSans([])).message).toMatch(/at least one SAN/);
    expect(errorOf(() => parseSans(Array.from({ length: 101 }, (_, i) => `h${i}.test`))).message).toMatch(/at most 100/);
  });

  it('gives the bytes an iPAddress SAN holds', () => {
    expect([...ipBytes('127.0.0.1')]).toEqual([127, 0, 0, 1]);
    expect([...ipBytes('::1')]).toEqual([...Array(15).fill(0), 1]);
    expect(canonicalIp('FE80:0:0:0:0:0:1:2')).toBe('fe80::1:2');
  });
});

describe('readSubjectAltName', () => {
  it("reads Node's text into prefixed, canonical entries", () => {
    expect(readSubjectAltName('DNS:LocalHost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:1:2, URI:spiffe://mesh/agent, email:a@b.test')).toEqual([
      'DNS:localhost',
      'IP:127.0.0.1',
      'IP:::1',
      'IP:fe80::1:2',
      'URI:spiffe://mesh/agent',
      'email:a@b.test',
    ]);
  });

  it('reads values Node quotes because they hold a comma or a quote', () => {
    expect(readSubjectAltName('DNS:"a, b", URI:"x\\"y", DNS:c')).toEqual(['DNS:a, b', 'URI:x"y', 'DNS:c']);
  });

  it('gives nothing for a certificate without SANs', () => {
    expect(readSubjectAltName(undefined)).toEqual([]);
    expect(readSubjectAltName('')).toEqual([]);
  });
});
