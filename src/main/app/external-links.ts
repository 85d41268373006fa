// Which links the window may hand to the OS browser: https only, on a short list of documentation hosts, no credentials.

/**
 * Hosts the console links to (project docs, the MCP spec, the supported clients' docs). Anything else a page asks to
 * open is dropped: a compromised renderer must not be able to make the OS open arbitrary URLs (phishing pages, or
 * schemes such as file:, smb: or custom app handlers that run local programs).
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'github.com',
  'modelcontextprotocol.io',
  'docs.anthropic.com',
  'docs.claude.com',
  'code.visualstudio.com',
  'docs.cursor.com',
];

/** The normalised URL to open externally, or undefined when the link must not leave the app. */
export function externalLinkTarget(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return undefined;
  if (!hosts.includes(parsed.hostname)) return undefined;
  return parsed.href;
}
