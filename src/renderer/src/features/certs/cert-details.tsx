// One certificate in full — subject, SANs, serial, fingerprints, validity, issuer, binding, serving — and what can be done with it: serve, export (saved by main where the operator chooses), revoke.
import { useState } from 'react';
import type { Certificate, CertificateExport, CertServer } from '../../../../shared/ipc/contracts/certs';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Section } from '../../components/section';
import { formatDateTime } from '../../lib/format';
import { FormError } from './issue-forms';
import { StatusBadge } from './status-badge';
import { useCertsStore } from './store';

const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] as const;

function binding(c: Certificate): string {
  if (c.bound_user !== null) return `user ${c.bound_user}`;
  if (c.bound_user_id !== null) return `user ${c.bound_user_id} (deleted)`;
  if (c.bound_role !== null) return `role ${c.bound_role}`;
  return 'none';
}

function ServeControl({ cert }: { cert: Certificate }): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const [servers, setServers] = useState<'both' | CertServer>('both');
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const chosen: CertServer[] = servers === 'both' ? ['api', 'mcp'] : [servers];
        void run('use', () => window.mesh.certsUse({ serial: cert.serial, servers: chosen }), () => `${cert.serial} now serves ${chosen.join(' and ')} (after the servers pick it up)`);
      }}
    >
      <label htmlFor="serve-servers">Serve on</label>
      <select id="serve-servers" value={servers} onChange={(e) => setServers(e.target.value as 'both' | CertServer)}>
        <option value="both">API and MCP</option>
        <option value="api">API</option>
        <option value="mcp">MCP</option>
      </select>
      <button type="submit" disabled={busy !== null}>
        Use as serving certificate
      </button>
      <FormError action="use" />
    </form>
  );
}

function exportNotice(outcome: CertificateExport): string | null {
  if (!outcome.saved) return null;
  return `Saved to ${outcome.path}${outcome.key_included ? ' (it holds the private key: keep it private)' : ''}`;
}

function ExportControl({ cert }: { cert: Certificate }): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const [format, setFormat] = useState<'pem' | 'p12'>('pem');
  const [password, setPassword] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        // Main asks where to save and writes the file itself; a cancelled dialog says nothing.
        void run('export', () => window.mesh.certsExport({ serial: cert.serial, format, ...(format === 'p12' ? { password } : {}) }), exportNotice);
      }}
    >
      <label htmlFor="export-format">Export as</label>
      <select id="export-format" value={format} onChange={(e) => setFormat(e.target.value as 'pem' | 'p12')}>
        <option value="pem">PEM (certificate, chain{cert.kind !== 'ca' && cert.has_key ? ', private key' : ''})</option>
        <option value="p12">PKCS#12 (.p12)</option>
      </select>
      {format === 'p12' && (
        <>
          <label htmlFor="export-password">P12 password</label>
          <input id="export-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </>
      )}
      <button type="submit" disabled={busy !== null}>
        {busy === 'export' ? 'Exporting…' : 'Export…'}
      </button>
      <FormError action="export" />
    </form>
  );
}

function RevokeControl({ cert }: { cert: Certificate }): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState<(typeof REASONS)[number]>('unspecified');
  return (
    <div className="inline-form">
      <button type="button" className="danger" disabled={busy !== null} onClick={() => setConfirming(true)}>
        Revoke…
      </button>
      <FormError action="revoke" />
      {confirming && (
        <ConfirmDialog
          title={`Revoke ${cert.subject_cn}?`}
          confirmLabel="Revoke certificate"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void run('revoke', () => window.mesh.certsRevoke({ serial: cert.serial, reason }), (c) => `Revoked ${c.serial}`);
          }}
        >
          <p>
            Certificate <code>{cert.serial}</code> will be refused from now on and listed in the CRL. This cannot be undone.
          </p>
          <div className="field">
            <label htmlFor="revoke-reason">Reason</label>
            <select id="revoke-reason" value={reason} onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </ConfirmDialog>
      )}
    </div>
  );
}

export function CertDetails({ cert }: { cert: Certificate }): React.JSX.Element {
  const select = useCertsStore((s) => s.select);
  const leaf = cert.kind !== 'ca';
  const canServe = leaf && cert.kind !== 'client' && cert.status !== 'revoked' && cert.status !== 'expired';
  return (
    <Section
      title={`Details: ${cert.subject_cn}`}
      className="cert-details"
      actions={
        <button type="button" onClick={() => select(null)}>
          Close details
        </button>
      }
    >
      <dl className="pairs" data-testid="cert-details">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={cert.status} />
          {cert.revoked_at !== null && ` on ${formatDateTime(cert.revoked_at)} (${cert.revocation_reason ?? 'unspecified'})`}
        </dd>
        <dt>Kind</dt>
        <dd>{cert.kind === 'ca' ? `CA${cert.is_current_ca ? ' (current)' : ''}` : cert.kind}</dd>
        <dt>Subject</dt>
        <dd>{cert.subject}</dd>
        <dt>SANs</dt>
        <dd>{cert.sans.length === 0 ? 'none' : cert.sans.join(', ')}</dd>
        <dt>Serial</dt>
        <dd>
          <code>{cert.serial}</code>
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code>{cert.sha256}</code>
        </dd>
        <dt>SHA-1</dt>
        <dd>
          <code>{cert.sha1}</code>
        </dd>
        <dt>Valid</dt>
        <dd>
          {formatDateTime(cert.not_before)} – {formatDateTime(cert.not_after)}
        </dd>
        <dt>Issuer</dt>
        <dd>
          {cert.issuer}
          {cert.issuer_serial !== null && cert.issuer_serial !== cert.serial && (
            <>
              {' '}
              (<code>{cert.issuer_serial}</code>)
            </>
          )}
        </dd>
        <dt>Key</dt>
        <dd>
          {cert.key_algorithm}
          {cert.has_key ? ', held by the mesh' : ', not held'}
        </dd>
        <dt>Usage</dt>
        <dd>{cert.ext_key_usage === null ? 'any' : cert.ext_key_usage.join(', ')}</dd>
        <dt>Bound to</dt>
        <dd data-testid="cert-binding">{binding(cert)}</dd>
        <dt>Serving</dt>
        <dd data-testid="cert-serving">{cert.serving.length === 0 ? 'no' : cert.serving.join(' and ')}</dd>
        <dt>Created</dt>
        <dd>
          {formatDateTime(cert.created_at)} by {cert.created_by}
        </dd>
      </dl>
      <div className="cert-actions">
        {canServe && <ServeControl cert={cert} />}
        <ExportControl cert={cert} />
        {leaf && cert.status !== 'revoked' && <RevokeControl cert={cert} />}
      </div>
    </Section>
  );
}
