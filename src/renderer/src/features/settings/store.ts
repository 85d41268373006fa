// The Settings page's store: the effective settings with their sources and running values, and each section's last save or reset (or why main refused it).
import { create } from 'zustand';
import type { SettingName, SettingsChangeOutcome, SettingsView, SettingValues } from '../../../../shared/ipc/contracts/settings';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap, type ShownError } from '../../lib/ipc';

export type SectionId = 'network' | 'tls-api' | 'tls-mcp' | 'cors' | 'rate-limits' | 'retention';

/** What a section's last action did: what changed, or the refusal (with the field main named, when it named one). */
export type SectionOutcome = { kind: 'ok'; change: SettingsChangeOutcome; reset: boolean } | { kind: 'error'; title: string; error: ShownError; field: SettingName | undefined } | null;

interface SettingsState {
  view: Async<SettingsView>;
  outcomes: Partial<Record<SectionId, SectionOutcome>>;
  busy: SectionId | null;
  load(): Promise<void>;
  save(section: SectionId, changes: Partial<SettingValues>): Promise<boolean>;
  reset(section: SectionId, keys: SettingName[]): Promise<boolean>;
  /** Leaving the page forgets the outcomes. */
  clear(): void;
}

/** Main's validation messages start with "setting <key>:"; that key's field shows it. */
function fieldOf(error: ShownError): SettingName | undefined {
  const match = /^setting ([a-z0-9_.]+):/.exec(error.message);
  return match === null ? undefined : (match[1] as SettingName);
}

export const useSettingsStore = create<SettingsState>()((set) => {
  async function run(section: SectionId, title: string, call: () => Promise<SettingsChangeOutcome>, reset: boolean): Promise<boolean> {
    set((s) => ({ busy: section, outcomes: { ...s.outcomes, [section]: null } }));
    try {
      const change = await call();
      set((s) => ({ view: { status: 'ready', value: change.settings }, outcomes: { ...s.outcomes, [section]: { kind: 'ok', change, reset } } }));
      return true;
    } catch (error) {
      const shown = shownError(error);
      set((s) => ({ outcomes: { ...s.outcomes, [section]: { kind: 'error', title, error: shown, field: fieldOf(shown) } } }));
      return false;
    } finally {
      set({ busy: null });
    }
  }

  return {
    view: IDLE,
    outcomes: {},
    busy: null,
    async load() {
      set({ view: LOADING });
      try {
        set({ view: { status: 'ready', value: await unwrap(() => window.mesh.settingsGet()) } });
      } catch (error) {
        set({ view: { status: 'error', error: shownError(error) } });
      }
    },
    save: (section, changes) => run(section, 'Nothing was saved', () => unwrap(() => window.mesh.settingsUpdate({ changes })), false),
    reset: (section, keys) => run(section, 'Nothing was reset', () => unwrap(() => window.mesh.settingsReset({ keys })), true),
    clear() {
      set({ outcomes: {}, busy: null });
    },
  };
});
