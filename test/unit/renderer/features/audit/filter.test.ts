// The audit filter form's checks: what is sent is the contract's filter, and a malformed field is named before anything is asked.
import { describe, expect, it } from 'vitest';
import { checkDraft, EMPTY_DRAFT, isFiltered } from '../../../../../src/renderer/src/features/audit/filter';
import { auditFilterSchema } from '../../../../../src/shared/ipc/contracts/audit';

describe('audit filter draft', () => {
  it('sends nothing for an empty form', () => {
    const { filter, errors } = checkDraft(EMPTY_DRAFT);
    expect(filter).toEqual({});
    expect(errors).toEqual({});
    expect(isFiltered(filter)).toBe(false);
  });

  it('trims, converts local times to instants, and produces what the contract accepts', () => {
    const { filter, errors } = checkDraft({ ...EMPTY_DRAFT, event_type: ' authz_decision ', subject: 'user:alice', result: 'denied', since: '2026-12-01T10:00:00', until: '2026-12-01T11:00:00', q: ' token ' });
    expect(errors).toEqual({});
    expect(filter).toMatchObject({ event_type: 'authz_decision', subject: 'user:alice', result: 'denied', q: 'token' });
    expect(filter.since).toBe(new Date('2026-12-01T10:00:00').toISOString());
    expect(auditFilterSchema.safeParse(filter).success).toBe(true);
    expect(isFiltered(filter)).toBe(true);
  });

  it('names each malformed field', () => {
    const { errors } = checkDraft({ ...EMPTY_DRAFT, event_type: 'Not A Type', since: 'yesterday', resource: 'x'.repeat(513), q: 'y'.repeat(201) });
    expect(Object.keys(errors).sort()).toEqual(['event_type', 'q', 'resource', 'since']);
    expect(checkDraft({ ...EMPTY_DRAFT, since: '2026-12-02T00:00', until: '2026-12-01T00:00' }).errors).toEqual({ until: '"To" is before "From"' });
  });
});
