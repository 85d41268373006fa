// The shell's store: which page is showing. Pages switch in place (no URL change), so the window never navigates.
import { create } from 'zustand';

export type PageId = 'overview' | 'connect' | 'certs' | 'keys' | 'access' | 'audit' | 'settings';

interface NavigationState {
  page: PageId;
  /** True once the user has moved between pages: only then does focus move to the new page's heading. */
  moved: boolean;
  go(page: PageId): void;
}

export const useNavigation = create<NavigationState>()((set) => ({
  page: 'overview',
  moved: false,
  go: (page) => set({ page, moved: true }),
}));
