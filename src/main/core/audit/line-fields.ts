// Reads the leading fields of a stored audit line (tenant, time, type, subject, action, resource, result) from its fixed layout, without parsing the whole JSON.

/** The fields verify compares with a stored group's index, plus the two that sit between them. */
export interface LineFields {
  tenant_id: string;
  timestamp: string;
  event_type: string;
  subject: string;
  action: string;
  resource: string;
  result: string;
}

// The order lineBodyOf (pending.ts) writes them in, right after `{"audit_event":true,"seq":N`.
const KEYS = ['tenant_id', 'timestamp', 'event_type', 'subject', 'action', 'resource', 'result'] as const;
const PREFIX = '{"audit_event":true,"seq":';
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * undefined when the line does not have the layout the chain writes (a line altered by hand). Strings without escapes
 * are sliced as they are; the rare escaped one goes through JSON.parse, so the result always equals what
 * JSON.parse(line) would give for these fields.
 */
export function lineFields(line: string): LineFields | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const seqEnd = line.indexOf(',', PREFIX.length);
  if (seqEnd < 0) return undefined;
  let at = seqEnd + 1;
  const values: string[] = [];
  for (const key of KEYS) {
    if (!line.startsWith(`"${key}":"`, at)) return undefined;
    const start = at + key.length + 4;
    let end = start;
    let escaped = false;
    for (;;) {
      const c = line.charCodeAt(end);
      if (Number.isNaN(c)) return undefined;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        end += 2;
      } else {
        end += 1;
      }
    }
    let value: string;
    if (escaped) {
      try {
        value = JSON.parse(line.slice(start - 1, end + 1)) as string;
      } catch {
        return undefined;
      }
    } else {
      value = line.slice(start, end);
    }
    values.push(value);
    if (line.charCodeAt(end + 1) !== 44 /* , */) return undefined;
    at = end + 2;
  }
  const [tenant_id, timestamp, event_type, subject, action, resource, result] = values as [string, string, string, string, string, string, string];
  return { tenant_id, timestamp, event_type, subject, action, resource, result };
}
