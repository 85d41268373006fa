// Data the server benchmarks serve: one context with a few items, as an agent would read it.
import type { ContextService } from '../src/main/core/contexts/context-service';

export const ITEMS = [
  { role: 'user', content: 'List what must pass before we tag the release.', metadata: { source: 'cli' } },
  { role: 'assistant', content: 'Unit and integration tests, the lint, the audit chain check on a copy of a real database, and the packaging dry run.', metadata: { model: 'local', tokens: 31 } },
  { role: 'system', content: 'Owner: release bot. Due before Friday.', metadata: {} },
] as const;

/** Creates the benchmark's context (with ITEMS) in the default tenant and returns its id. */
export function seedContext(contexts: ContextService, actor: string): string {
  const context = contexts.create('default', actor, {
    name: 'release checklist',
    description: 'What the agents agreed to check before tagging 0.2.0',
    metadata: { project: 'devmesh', labels: ['release', 'qa'], priority: 2 },
  });
  for (const item of ITEMS) contexts.append('default', actor, context.id, { ...item, metadata: { ...item.metadata } });
  return context.id;
}
