// The window hands only https links to allowlisted documentation hosts to the OS browser; everything else stays refused.
import { describe, expect, it } from 'vitest';
import { EXTERNAL_LINK_HOSTS, externalLinkTarget } from '../../../../src/main/app/external-links';

describe('externalLinkTarget', () => {
  it('opens https links to the documentation hosts', () => {
    expect(EXTERNAL_LINK_HOSTS).toContain('modelcontextprotocol.io');
    expect(externalLinkTarget('https://modelcontextprotocol.io/specification')).toBe('https://modelcontextprotocol.io/specification');
    expect(externalLinkTarget('https://GitHub.com/a/b#readme')).toBe('https://github.com/a/b#readme');
  });

  it('refuses other schemes, hosts, credentials and ports', () => {
    for (const url of [
      'http://github.com/',
      'file:///etc/passwd',
      'smb://host/share',
      'vscode://extension/x',
      'javascript:alert(1)',
      'https://evil.example/',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'not a url',
    ]) {
      expect(externalLinkTarget(url), url).toBeUndefined();
    }
  });
});
