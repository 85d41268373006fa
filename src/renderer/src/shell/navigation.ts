// The shell's store: which page is showing, and what leaving it would throw away. Pages switch in place (no URL change), so the window never navigates.
import { useEffect } from 'react';
import { create } from 'zustand';

export type PageId = 'overview' | 'connect' | 'certs' | 'keys' | 'access' | 'audit' | 'settings';

interface NavigationState {
  page: PageId;
  /** True once the user has moved between pages: only then does focus move to the new page's heading. */
  moved: boolean;
  /** Unsaved work on the current page, by who holds it: "the role ci-reader", "the rate limits". */
  unsaved: ReadonlyMap<string, string>;
  /** A page the user asked for while there was unsaved work: the shell asks before going. */
  leaving: PageId | null;
  go(page: PageId): void;
  /** Goes to the page asked for, dropping the unsaved work. */
  leave(): void;
  stay(): void;
  holdUnsaved(id: string, what: string | null): void;
}

export const useNavigation = create<NavigationState>()((set, get) => ({
  page: 'overview',
  moved: false,
  unsaved: new Map(),
  leaving: null,
  go(page) {
    if (page === get().page) return;
    if (get().unsaved.size > 0) set({ leaving: page });
    else set({ page, moved: true });
  },
  leave() {
    const target = get().leaving;
    if (target !== null) set({ page: target, moved: true, leaving: null, unsaved: new Map() });
  },
  stay: () => set({ leaving: null }),
  holdUnsaved(id, what) {
    const current = get().unsaved;
    if (what === null ? !current.has(id) : current.get(id) === what) return;
    const next = new Map(current);
    if (what === null) next.delete(id);
    else next.set(id, what);
    set({ unsaved: next });
  },
}));

/** While `what` is not null, leaving the page asks first ("Discard the unsaved changes to <what>?"). */
export function useUnsavedGuard(id: string, what: string | null): void {
  const hold = useNavigation((s) => s.holdUnsaved);
  useEffect(() => {
    hold(id, what);
    return () => hold(id, null);
  }, [hold, id, what]);
}
