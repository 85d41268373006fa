// The console's pages, in navigation order.
import { AccessPage } from '../features/access/access-page';
import { AuditPage } from '../features/audit/audit-page';
import { CertsPage } from '../features/certs/certs-page';
import { ConnectPage } from '../features/connect/connect-page';
import { KeysPage } from '../features/keys/keys-page';
import { OverviewPage } from '../features/overview/overview-page';
import { SettingsPage } from '../features/settings/settings-page';
import type { PageId } from './navigation';

export interface PageEntry {
  id: PageId;
  label: string;
  component: () => React.JSX.Element;
}

export const PAGES: readonly PageEntry[] = [
  { id: 'overview', label: 'Overview', component: OverviewPage },
  { id: 'certs', label: 'Certificates', component: CertsPage },
  { id: 'keys', label: 'Keys & identities', component: KeysPage },
  { id: 'access', label: 'Access control', component: AccessPage },
  { id: 'audit', label: 'Audit', component: AuditPage },
  { id: 'connect', label: 'Connect an agent', component: ConnectPage },
  { id: 'settings', label: 'Settings', component: SettingsPage },
];
