// JWT signing-key and master-key rotation (confirmed in the modal dialog, with what each means) and the lockdown danger zone (typed confirmation inside the dialog, admins-only option, the counts it revoked).
import { useState } from 'react';
import { Section } from '../../components/section';
import { ErrorState, Loading } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { ConfirmButton } from './confirm-button';
import { useKeysStore } from './store';

const LOCKDOWN_WORD = 'LOCKDOWN';

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function JwtSection(): React.JSX.Element {
  const jwt = useKeysStore((s) => s.jwt);
  const rotateJwt = useKeysStore((s) => s.rotateJwt);
  return (
    <Section title="JWT signing key">
      <p className="muted">
        Rotating makes a new key sign every access token from now on. Tokens signed with the previous key stay valid until they expire, never longer, so nobody is signed out. To cut every token off at once, use lockdown below.
      </p>
      <ConfirmButton label="Rotate JWT signing key" title="Rotate the JWT signing key?" confirmLabel="Rotate key" busyLabel="Rotating…" onConfirm={rotateJwt} disabled={jwt.status === 'loading'}>
        <p>A new key signs every access token from now on; tokens signed before stay valid until they expire.</p>
      </ConfirmButton>
      {jwt.status === 'error' && <ErrorState title="The signing key was not rotated" error={jwt.error} />}
      {jwt.status === 'ready' && (
        <p role="status" className="notice notice-ok">
          Signing key rotated (kid <code>{jwt.value.kid}</code>); tokens signed before stay valid until {jwt.value.previous_valid_until === null ? 'now' : formatDateTime(jwt.value.previous_valid_until)} at the latest.
        </p>
      )}
    </Section>
  );
}

export function MasterKeySection(): React.JSX.Element {
  const masterKey = useKeysStore((s) => s.masterKey);
  const rotateMasterKey = useKeysStore((s) => s.rotateMasterKey);
  return (
    <Section title="Master key">
      <p className="muted">
        The master key encrypts every stored secret (signing keys, certificate keys, the audit checkpoint key). Rotating generates a new one in the OS keychain and re-encrypts every secret in one transaction; if anything fails, nothing changes. Nobody is signed out. A key from ENCRYPTION_MASTER_KEY is rotated with the CLI instead.
      </p>
      <ConfirmButton label="Rotate master key" title="Rotate the master key?" confirmLabel="Rotate master key now" busyLabel="Re-encrypting…" onConfirm={rotateMasterKey} disabled={masterKey.status === 'loading'}>
        <p>Every stored secret is re-encrypted under a new master key in the OS keychain, in one transaction.</p>
      </ConfirmButton>
      {masterKey.status === 'loading' && <Loading label="Re-encrypting every secret…" />}
      {masterKey.status === 'error' && <ErrorState title="The master key was not rotated" error={masterKey.error} />}
      {masterKey.status === 'ready' && (
        <p role="status" className="notice notice-ok">
          Master key rotated to version {masterKey.value.key_version}; {plural(masterKey.value.reencrypted, 'secret')} re-encrypted.
          {masterKey.value.warning !== undefined && ` Warning: ${masterKey.value.warning}`}
        </p>
      )}
    </Section>
  );
}

export function LockdownSection(): React.JSX.Element {
  const lockdown = useKeysStore((s) => s.lockdown);
  const runLockdown = useKeysStore((s) => s.runLockdown);
  const [typed, setTyped] = useState('');
  const [adminsOnly, setAdminsOnly] = useState(false);
  return (
    <Section title="Danger zone: lockdown" className="danger-zone">
      <p>
        Lockdown revokes <strong>every API key and every session</strong> and rotates the JWT signing key without grace: every agent and every signed-in user is cut off at once. Keys cannot be restored; create new ones afterwards.
      </p>
      <ConfirmButton
        label="Lock down…"
        className="danger"
        title="Lock down the mesh?"
        confirmLabel="Lock down now"
        busyLabel="Locking down…"
        disabled={lockdown.status === 'loading'}
        confirmDisabled={typed !== LOCKDOWN_WORD}
        onConfirm={() => runLockdown(adminsOnly)}
        onClose={() => {
          setTyped('');
          setAdminsOnly(false);
        }}
      >
        <p>Every API key and every session is revoked and every access token stops working, now. This cannot be undone.</p>
        <div className="field">
          <label htmlFor="lockdown-confirm">Type {LOCKDOWN_WORD} to confirm</label>
          <input id="lockdown-confirm" type="text" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <div className="field checkbox">
          <label>
            <input type="checkbox" checked={adminsOnly} onChange={(e) => setAdminsOnly(e.target.checked)} /> Also refuse logins of everyone but admins
          </label>
        </div>
      </ConfirmButton>
      {lockdown.status === 'error' && <ErrorState title="Lockdown failed" error={lockdown.error} />}
      {lockdown.status === 'ready' && (
        <p role="status" className="notice notice-warn" data-testid="lockdown-result">
          Lockdown done: {plural(lockdown.value.api_keys_revoked, 'API key')} and {plural(lockdown.value.refresh_tokens_revoked, 'session')} revoked;{' '}
          {lockdown.value.jwt_kid === null ? 'JWT_SECRET is set, so rotate it yourself and restart' : 'every access token is now invalid'}
          {lockdown.value.admins_only ? '; only admins can log in' : ''}.
        </p>
      )}
    </Section>
  );
}
