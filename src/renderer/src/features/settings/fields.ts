// What the Settings page shows for each setting: its label, how it is edited, the rule checked before saving (main checks again and decides), and how a value reads.
import type { SettingName, SettingValues } from '../../../../shared/ipc/contracts/settings';
import { HOSTNAME, originProblem, PORT_MAX, RETENTION_MAX_DAYS, TLS_CLIENT_AUTH_MODES, TLS_MIN_VERSIONS } from '../../../../shared/settings/rules';

/** A field's value while it is being edited: text for numbers and host, a flag, a choice, or the origin list. */
export type Draft = string | boolean | string[];

export type FieldKind = { type: 'int'; min: number; max: number } | { type: 'text' } | { type: 'bool' } | { type: 'select'; options: readonly string[] } | { type: 'origins' };

export interface FieldSpec {
  key: SettingName;
  label: string;
  help?: string;
  kind: FieldKind;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6ISH = /^\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]?$/;

export function hostFieldProblem(value: string): string | undefined {
  const bare = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (bare === '') return 'Enter an IP address or host name, e.g. 127.0.0.1';
  return IPV4.test(bare) || IPV6ISH.test(bare) || HOSTNAME.test(bare) ? undefined : `"${value}" is not an IP address or host name`;
}

export function intFieldProblem(raw: string, min: number, max: number, spec: FieldSpec): string | undefined {
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    if (spec.key === 'network.api_port' || spec.key === 'network.mcp_port') return `"${raw}" is not a port: use a whole number from 1 to ${PORT_MAX} (0 picks a free port)`;
    if (spec.key === 'audit.retention_days') return `Use a whole number of days from 0 (keep forever) to ${RETENTION_MAX_DAYS}`;
    return `Use a whole number from ${min} to ${max}`;
  }
  return undefined;
}

/** Per entry of the CORS list: undefined where the entry is fine. */
export function originEntryProblems(list: readonly string[]): (string | undefined)[] {
  return list.map((origin, i) => {
    if (origin.trim() === '') return 'Enter an origin like http://localhost:5173, or remove this entry';
    const why = originProblem(origin);
    if (why !== undefined) return `"${origin}" ${why}`;
    return list.indexOf(origin) !== i ? `"${origin}" is listed twice` : undefined;
  });
}

/** The message to show under a field, or undefined when its draft is acceptable. */
export function fieldProblem(spec: FieldSpec, draft: Draft): string | undefined {
  const { kind } = spec;
  if (kind.type === 'int') return intFieldProblem(String(draft), kind.min, kind.max, spec);
  if (kind.type === 'text') return hostFieldProblem(String(draft));
  if (kind.type === 'origins') return originEntryProblems(draft as string[]).find((p) => p !== undefined);
  return undefined;
}

export function toDraft(spec: FieldSpec, value: SettingValues[SettingName]): Draft {
  if (spec.kind.type === 'int') return String(value);
  if (spec.kind.type === 'origins') return [...(value as string[])];
  return value as string | boolean;
}

export function fromDraft(spec: FieldSpec, draft: Draft): SettingValues[SettingName] {
  if (spec.kind.type === 'int') return Number(String(draft).trim());
  if (spec.kind.type === 'text') return String(draft).trim();
  return draft as SettingValues[SettingName];
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return String(value);
}

const count = (max: number): FieldKind => ({ type: 'int', min: 1, max });
const port: FieldKind = { type: 'int', min: 0, max: PORT_MAX };

export const NETWORK_FIELDS: FieldSpec[] = [
  { key: 'network.host', label: 'Host', help: 'Address both servers listen on; 127.0.0.1 keeps the mesh on this machine.', kind: { type: 'text' } },
  { key: 'network.api_port', label: 'REST API port', help: '0 picks a free port.', kind: port },
  { key: 'network.mcp_port', label: 'MCP port', help: '0 picks a free port.', kind: port },
];

export function tlsFields(server: 'api' | 'mcp'): FieldSpec[] {
  const name = server === 'api' ? 'REST API' : 'MCP';
  return [
    { key: `tls.${server}.enabled`, label: `${name}: serve HTTPS`, kind: { type: 'bool' } },
    { key: `tls.${server}.min_version`, label: `${name}: minimum TLS version`, kind: { type: 'select', options: TLS_MIN_VERSIONS } },
    { key: `tls.${server}.client_auth`, label: `${name}: client certificates`, help: 'none; request (used when valid); verify (optional, must verify when presented); require.', kind: { type: 'select', options: TLS_CLIENT_AUTH_MODES } },
    { key: `tls.${server}.http2`, label: `${name}: HTTP/2`, kind: { type: 'bool' } },
    { key: `tls.${server}.session_tickets`, label: `${name}: session tickets`, kind: { type: 'bool' } },
  ];
}

export const CORS_FIELDS: FieldSpec[] = [{ key: 'cors.allowed_origins', label: 'Allowed origins', kind: { type: 'origins' } }];

export const RATE_LIMIT_FIELDS: FieldSpec[] = [
  { key: 'rate_limit.ip_rps', label: 'Requests per second per address', kind: count(1_000_000) },
  { key: 'rate_limit.ip_burst', label: 'Burst per address', kind: count(1_000_000) },
  { key: 'rate_limit.user_rps', label: 'Requests per second per credential', kind: count(1_000_000) },
  { key: 'rate_limit.user_burst', label: 'Burst per credential', kind: count(1_000_000) },
  { key: 'login.attempts_per_minute', label: 'Login attempts per minute per address', kind: count(10_000) },
  { key: 'login.admins_only', label: 'Only admins may log in (set by lockdown)', kind: { type: 'bool' } },
];

export const RETENTION_FIELDS: FieldSpec[] = [
  { key: 'audit.retention_days', label: 'Keep audit events for (days)', help: '0 keeps them forever; older events are pruned daily behind a signed checkpoint.', kind: { type: 'int', min: 0, max: RETENTION_MAX_DAYS } },
];
