// The console's pages, in navigation order.
import { ConnectPage } from '../features/connect/connect-page';
import { OverviewPage } from '../features/overview/overview-page';
import type { PageId } from './navigation';

export interface PageEntry {
  id: PageId;
  label: string;
  component: () => React.JSX.Element;
}

export const PAGES: readonly PageEntry[] = [
  { id: 'overview', label: 'Overview', component: OverviewPage },
  { id: 'connect', label: 'Connect an agent', component: ConnectPage },
];
