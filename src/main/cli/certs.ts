// `devmesh certs ...`: the local certificate authority from the shell — CA, server and client certificates, import, list, export, revoke, CRL, and which certificate the servers present.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import type { CertificateService } from '../core/certs/certificate-service';
import type { CertificateView } from '../core/certs/certificate-rows';
import { REVOCATION_REASONS } from '../core/certs/crl';
import { writeExportFiles } from '../core/certs/export-files';
import { KEY_SIZES, VALIDITY_DAYS } from '../core/certs/status';
import type { ServerName } from '../core/certs/types';
import { trustHelpText } from './certs-trust-help';
import { action } from './run';
import { readStdinSecret } from './stdin';
import { printTable, withServices } from './with-services';

/** A certificate file is a few KiB; anything this large is not one. */
const MAX_INPUT_BYTES = 1024 * 1024;
const CA_FILE_NAME = 'devmesh-ca.pem';

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',')];
}

function readInput(file: string, flag: string): Buffer {
  try {
    if (statSync(file).size > MAX_INPUT_BYTES) throw new AppError('VALIDATION_FAILED', `${flag} ${file} is larger than 1 MiB; that is not a certificate or key file`);
    return readFileSync(file);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('VALIDATION_FAILED', `${flag} ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
}

function serversOption(value: string): ServerName[] {
  if (value === 'both') return ['api', 'mcp'];
  if (value === 'api' || value === 'mcp') return [value];
  throw new AppError('VALIDATION_FAILED', `--server ${JSON.stringify(value)}: use api, mcp or both`);
}

const date = (iso: string) => iso.slice(0, 10);

function binding(view: CertificateView): string | null {
  if (view.bound_role !== null) return `role:${view.bound_role}`;
  if (view.bound_user_id !== null) return `user:${view.bound_user ?? view.bound_user_id}`;
  return null;
}

/** Next steps go to stderr and only at a terminal, so scripts reading stdout get just the result. */
function hint(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${text}\n`);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function printShow(view: CertificateView): void {
  const lines: [string, string | null][] = [
    ['serial', view.serial],
    ['kind', `${view.kind}${view.is_current_ca ? ' (current CA)' : ''}`],
    ['status', view.status],
    ['subject', view.subject],
    ['issuer', `${view.issuer}${view.issuer_serial === null ? '' : ` (${view.issuer_serial})`}`],
    ['SANs', view.sans.length === 0 ? null : view.sans.join(', ')],
    ['not before', view.not_before],
    ['not after', view.not_after],
    ['SHA-256', view.sha256],
    ['SHA-1', view.sha1],
    ['key', `${view.key_algorithm}${view.has_key ? ', private key in the mesh (encrypted)' : ', no private key'}`],
    ['usage', view.is_ca ? 'CA' : (view.ext_key_usage?.join(', ') ?? 'any')],
    ['bound to', binding(view)],
    ['serving', view.serving.length === 0 ? null : view.serving.join(', ')],
    ['revoked', view.revoked_at === null ? null : `${view.revoked_at} (${view.revocation_reason ?? 'unspecified'})`],
    ['created', `${view.created_at} by ${view.created_by}`],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  process.stdout.write(`${lines.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value ?? '-'}`).join('\n')}\n`);
}

interface CaFlags {
  cn?: string;
  days?: string;
  keySize?: string;
  json?: boolean;
}

interface IssueFlags {
  days?: string;
  keySize?: string;
  json?: boolean;
}

function caOptions(command: Command): Command {
  return command
    .option('--cn <name>', 'the CA\'s common name (default: "Developer Mesh Console CA <serial prefix>")')
    .option('--days <n>', `validity in days (default ${VALIDITY_DAYS.ca.default}, at most ${VALIDITY_DAYS.ca.max})`)
    .option('--key-size <bits>', `RSA key size: ${KEY_SIZES.join(', ')} (default 3072)`)
    .option('--json', 'print the new CA as JSON');
}

export function registerCertCommands(program: Command): void {
  const certs = program.command('certs').description('the local certificate authority: CA, server and client certificates, export, revocation, TLS serving');

  const ca = certs.command('ca').description('create or rotate the mesh certificate authority');
  caOptions(ca.command('create').description('create the local root CA (its private key is stored encrypted under the master key)')).action(
    action(async (options: CaFlags) => {
      await withServices((services, operator) => {
        const view = services.certs.createCa(operator, { commonName: options.cn, days: options.days, keySize: options.keySize });
        if (options.json === true) return printJson(view);
        process.stdout.write(`created CA ${view.serial} (${view.subject_cn}, ${view.key_algorithm}, valid until ${date(view.not_after)})\n`);
        hint('Next: `devmesh certs issue server`, and `devmesh certs trust-help` to make browsers and tools trust the CA.');
      });
    }),
  );
  caOptions(ca.command('rotate').description('replace the CA: the new one signs from now on; the old one stays trusted for client certificates until it expires')).action(
    action(async (options: CaFlags) => {
      await withServices((services, operator) => {
        const { current, previous } = services.certs.rotateCa(operator, { commonName: options.cn, days: options.days, keySize: options.keySize });
        if (options.json === true) return printJson({ current, previous });
        process.stdout.write(`rotated the CA: ${current.serial} (${current.subject_cn}) is current; ${previous.serial} stays trusted until ${date(previous.not_after)}\n`);
        hint('Certificates the old CA issued keep working until they expire. Clients must trust the new CA: `devmesh certs trust-help`.');
      });
    }),
  );

  const issue = certs.command('issue').description('issue a server or client certificate signed by the mesh CA');
  issue
    .command('server')
    .description('issue a TLS server certificate (default SANs: localhost, 127.0.0.1, ::1)')
    .option('--san <name>', 'a DNS name or IP address the server answers to (repeat, or separate with commas)', collect, [])
    .option('--cn <name>', 'common name (default: the first SAN)')
    .option('--days <n>', `validity in days (default and most: ${VALIDITY_DAYS.server.max}, what browsers accept)`)
    .option('--key-size <bits>', `RSA key size: ${KEY_SIZES.join(', ')} (default 2048)`)
    .option('--json', 'print the certificate as JSON')
    .action(
      action(async (options: IssueFlags & { san: string[]; cn?: string }) => {
        await withServices((services, operator) => {
          const view = services.certs.issueServer(operator, { sans: options.san.length === 0 ? undefined : options.san, commonName: options.cn, days: options.days, keySize: options.keySize });
          if (options.json === true) return printJson(view);
          process.stdout.write(`issued server certificate ${view.serial}: ${view.sans.join(', ')}; valid until ${date(view.not_after)}\n`);
          hint(`Serve it: \`devmesh certs use ${view.serial} --server both\`; or export it: \`devmesh certs export ${view.serial} --out DIR\`.`);
        });
      }),
    );
  issue
    .command('client')
    .description('issue a client certificate for an agent or user (mTLS); bound to a role or a user, it authenticates as that')
    .requiredOption('--cn <name>', 'the identity the certificate names (its common name)')
    .option('--role <role>', 'act as the certificate itself (cert:<serial>) with this role')
    .option('--user <username>', 'act as this user, with their role (exclusive with --role)')
    .option('--days <n>', `validity in days (default ${VALIDITY_DAYS.client.default}, at most ${VALIDITY_DAYS.client.max})`)
    .option('--key-size <bits>', `RSA key size: ${KEY_SIZES.join(', ')} (default 2048)`)
    .option('--json', 'print the certificate as JSON')
    .action(
      action(async (options: IssueFlags & { cn: string; role?: string; user?: string }) => {
        await withServices((services, operator) => {
          const view = services.certs.issueClient(operator, { commonName: options.cn, role: options.role, username: options.user, days: options.days, keySize: options.keySize });
          if (options.json === true) return printJson(view);
          const bound = binding(view);
          process.stdout.write(`issued client certificate ${view.serial}: CN=${view.subject_cn}; ${bound === null ? 'not bound (it authenticates nobody)' : `bound to ${bound}`}; valid until ${date(view.not_after)}\n`);
          hint(`Export it for the agent: \`devmesh certs export ${view.serial} --out DIR\` (or --p12 --password-stdin).`);
        });
      }),
    );

  certs
    .command('list')
    .description('list certificates: serial, kind, status (valid, expiring within 30 days, expired, revoked), subject, SANs, expiry')
    .option('--json', 'print JSON (with fingerprints, issuer, bindings and everything `show` prints)')
    .action(
      action(async (options: { json?: boolean }) => {
        await withServices((services, operator) => {
          const views = services.certs.list(operator.tenantId);
          if (options.json === true) return printJson(views);
          const rows = views.map((v) => ({ serial: v.serial, kind: v.is_current_ca ? 'ca*' : v.kind, status: v.status, subject: v.subject_cn, sans: v.sans.join(',') || null, not_after: date(v.not_after), serving: v.serving.join(',') || null, bound: binding(v) }));
          printTable(rows, ['serial', 'kind', 'status', 'subject', 'sans', 'not_after', 'serving', 'bound'], false);
        });
      }),
    );

  certs
    .command('show <serial>')
    .description('show one certificate (serial or a unique prefix of it)')
    .option('--json', 'print JSON')
    .action(
      action(async (serial: string, options: { json?: boolean }) => {
        await withServices((services, operator) => {
          const view = services.certs.get(operator.tenantId, serial);
          if (options.json === true) printJson(view);
          else printShow(view);
        });
      }),
    );

  certs
    .command('export <serial>')
    .description('write <serial>.crt, <serial>.key (0600) and <serial>-chain.crt into a folder, or <serial>.p12')
    .requiredOption('--out <dir>', 'the folder (created 0700 if missing); nothing is written outside it')
    .option('--p12', 'write one PKCS#12 file (key, certificate, chain) instead, encrypted with a password from stdin')
    .option('--password-stdin', 'read the PKCS#12 password from standard input')
    .option('--include-key', "also export the CA's private key (a CA exports only its certificate otherwise)")
    .option('--force', 'overwrite files that exist')
    .action(
      action(async (serial: string, options: { out: string; p12?: boolean; passwordStdin?: boolean; includeKey?: boolean; force?: boolean }) => {
        if (options.passwordStdin === true && options.p12 !== true) throw new AppError('VALIDATION_FAILED', '--password-stdin goes with --p12 (PEM files are not encrypted)');
        let password: string | undefined;
        if (options.p12 === true) {
          if (options.passwordStdin !== true) throw new AppError('VALIDATION_FAILED', 'the PKCS#12 password is never taken from the command line: add --password-stdin and pipe it in');
          password = await readStdinSecret('the PKCS#12 password');
        }
        await withServices((services, operator) => {
          const service = services.certs;
          const exportOptions = { dir: options.out, includeKey: options.includeKey, force: options.force };
          const result = password === undefined ? service.exportPem(operator, serial, exportOptions) : service.exportP12(operator, serial, { ...exportOptions, password });
          process.stdout.write(`${result.files.join('\n')}\n`);
          if (result.keyExported) hint('The private key is in the files above (mode 0600): keep them safe, and delete them when installed.');
        });
      }),
    );

  certs
    .command('import')
    .description('import an existing certificate with its private key (PEM, or PKCS#12 with --p12)')
    .option('--cert <file>', 'PEM certificate (it may be followed by its chain, as in fullchain.pem)')
    .option('--key <file>', 'PEM private key, unencrypted')
    .option('--chain <file>', 'PEM intermediate certificates')
    .option('--p12 <file>', 'a PKCS#12 (.p12/.pfx) file instead of --cert/--key')
    .option('--password-stdin', 'read the PKCS#12 password from standard input')
    .option('--json', 'print the certificate as JSON')
    .action(
      action(async (options: { cert?: string; key?: string; chain?: string; p12?: string; passwordStdin?: boolean; json?: boolean }) => {
        let work: (service: CertificateService, operator: { subject: string; tenantId: string }) => CertificateView;
        if (options.p12 !== undefined) {
          if (options.cert !== undefined || options.key !== undefined || options.chain !== undefined) throw new AppError('VALIDATION_FAILED', '--p12 replaces --cert, --key and --chain; give one or the other');
          if (options.passwordStdin !== true) throw new AppError('VALIDATION_FAILED', 'the PKCS#12 password is never taken from the command line: add --password-stdin and pipe it in');
          const der = readInput(options.p12, '--p12');
          const password = await readStdinSecret('the PKCS#12 password');
          const name = `--p12 ${options.p12}`;
          work = (service, operator) => service.importPkcs12(operator, { der, password, name });
        } else {
          if (options.cert === undefined || options.key === undefined) throw new AppError('VALIDATION_FAILED', 'give --cert FILE and --key FILE (or --p12 FILE --password-stdin)');
          const certPem = readInput(options.cert, '--cert').toString('utf8');
          const keyPem = readInput(options.key, '--key').toString('utf8');
          const chainPem = options.chain === undefined ? undefined : readInput(options.chain, '--chain').toString('utf8');
          const names = { cert: `--cert ${options.cert}`, key: `--key ${options.key}`, chain: `--chain ${options.chain ?? ''}` };
          // Not Electron's app.importCertificate (the OS certificate store) that CERTIFICATE_VERIFY_PROC_JS_CHECK looks for by
          // method name: this is the mesh's certificate service storing a serving certificate; no TLS check is relaxed.
          work = (service, operator) => service.importCertificate(operator, { certPem, keyPem, chainPem, names }); // eng-disable CERTIFICATE_VERIFY_PROC_JS_CHECK
        }
        await withServices((services, operator) => {
          const view = work(services.certs, operator);
          if (options.json === true) return printJson(view);
          process.stdout.write(`imported ${view.serial}: ${view.subject}${view.sans.length === 0 ? '' : `; ${view.sans.join(', ')}`}; valid until ${date(view.not_after)}\n`);
        });
      }),
    );

  certs
    .command('revoke <serial>')
    .description('revoke a certificate: refused from its next TLS handshake, and listed in the CRL')
    .option('--reason <reason>', `${Object.keys(REVOCATION_REASONS).join(', ')} (default unspecified)`)
    .action(
      action(async (serial: string, options: { reason?: string }) => {
        await withServices((services, operator) => {
          const view = services.certs.revoke(operator, serial, options.reason);
          process.stdout.write(`revoked ${view.serial} (${view.subject_cn}); it is refused from its next TLS handshake\n`);
        });
      }),
    );

  certs
    .command('crl')
    .description('print (or write) the certificate revocation list, PEM, signed by the current CA')
    .option('--out <file>', 'write it to this file instead of standard output')
    .option('--ca <serial>', 'sign as this (older) CA instead, listing what it issued')
    .option('--force', 'overwrite --out if it exists')
    .action(
      action(async (options: { out?: string; ca?: string; force?: boolean }) => {
        await withServices((services, operator) => {
          const crl = services.certs.crlPem(operator.tenantId, options.ca);
          if (options.out === undefined) return void process.stdout.write(crl.pem);
          const [file] = writeExportFiles(dirname(options.out), [{ name: basename(options.out), content: crl.pem, mode: 0o644 }], { force: options.force === true, flag: '--out' });
          process.stdout.write(`${file}\n`);
          hint(`CRL of CA ${crl.ca}: ${crl.revoked.length} revoked certificate${crl.revoked.length === 1 ? '' : 's'}.`);
        });
      }),
    );

  certs
    .command('use <serial>')
    .description('make a server certificate the one the API and/or MCP server presents (a running mesh switches within seconds)')
    .requiredOption('--server <which>', 'api, mcp or both')
    .action(
      action(async (serial: string, options: { server: string }) => {
        const servers = serversOption(options.server);
        await withServices((services, operator) => {
          const { certificate } = services.certs.use(operator, serial, servers);
          process.stdout.write(`${servers.join(' and ')} now present${servers.length === 1 ? 's' : ''} ${certificate.serial} (${certificate.subject_cn}, valid until ${date(certificate.not_after)})\n`);
          const tls = services.core.config.tls;
          const off = servers.filter((server) => !tls[server].enabled);
          if (off.length > 0) hint(`Note: TLS is off for ${off.join(' and ')}; set ${off.map((s) => `${s.toUpperCase()}_TLS_ENABLED=true`).join(' and ')} for it to be used.`);
        });
      }),
    );

  certs
    .command('trust-help')
    .description('export the CA certificate and print how to make this machine, browsers and Node-based clients trust it')
    .option('--out <dir>', `where to write ${CA_FILE_NAME} (default: the data directory)`)
    .action(
      action(async (options: { out?: string }) => {
        await withServices((services, operator) => {
          const ca = services.certs.currentCaPem(operator.tenantId);
          // The CA's public certificate under a name of ours: replaced when asked again (after a rotation), never written through a link.
          const [file] = writeExportFiles(options.out ?? services.core.paths.dir, [{ name: CA_FILE_NAME, content: ca.pem, mode: 0o644 }], { force: true, flag: '--out' });
          const port = services.core.config.mcpPort === 0 ? 8080 : services.core.config.mcpPort;
          process.stdout.write(trustHelpText({ caFile: file as string, caSerial: ca.serial, mcpUrl: `https://localhost:${port}/mcp` }));
        });
      }),
    );
}
