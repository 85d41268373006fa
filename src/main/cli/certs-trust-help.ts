// The text of `devmesh certs trust-help`: how each platform, browser and Node-based client comes to trust the mesh CA, with the exported file's path filled in.

export interface TrustHelpInput {
  caFile: string;
  caSerial: string;
  mcpUrl: string;
}

/** Single quotes for a POSIX shell (the path may hold spaces). */
function sh(value: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function trustHelpText({ caFile, caSerial, mcpUrl }: TrustHelpInput): string {
  const ca = sh(caFile);
  return `The mesh CA certificate (${caSerial}) is in:
  ${caFile}

Trust it once per machine (only its certificate is exported, never its key):

  macOS (system keychain):
    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca}

  Windows (PowerShell or cmd as administrator; -user instead for the current user only):
    certutil -addstore -f Root "${caFile}"

  Debian / Ubuntu:
    sudo cp ${ca} /usr/local/share/ca-certificates/devmesh-ca.crt && sudo update-ca-certificates

  Fedora / RHEL:
    sudo trust anchor --store ${ca}

  Firefox and Chromium on Linux (NSS databases; Firefox: repeat with -d sql:<profile folder>):
    certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "Developer Mesh Console CA" -i ${ca}

  Node-based clients (VS Code, Claude Code, Cursor, MCP SDK scripts) read Node's own CA list, not the system's:
    export NODE_EXTRA_CA_CERTS=${ca}
  Put it in your shell profile (or the environment VS Code is started with) so every client sees it.

Connect Claude Code over HTTPS (API key from \`devmesh connect claude-code\` or \`devmesh keys create\`):
  NODE_EXTRA_CA_CERTS=${ca} claude mcp add --transport http devmesh ${mcpUrl} --header "Authorization: Bearer $DEVMESH_API_KEY"
  and start claude with NODE_EXTRA_CA_CERTS set as above.

Check the chain: curl --cacert ${ca} ${mcpUrl.replace(/\/mcp$/, '/health')}
After \`devmesh certs ca rotate\`, run this command again and trust the new CA as well.
`;
}
