// The console's shell: a header with the main navigation and the current page.
import { LeaveDialog } from './shell/leave-dialog';
import { NavBar } from './shell/nav-bar';
import { useNavigation } from './shell/navigation';
import { PAGES } from './shell/pages';

export function App(): React.JSX.Element {
  const page = useNavigation((s) => s.page);
  const Page = (PAGES.find((p) => p.id === page) ?? PAGES[0])?.component;
  return (
    <div className="shell">
      <header className="shell-header">
        <span className="brand">Developer Mesh Console</span>
        <NavBar />
      </header>
      <main className="page">{Page !== undefined && <Page />}</main>
      <LeaveDialog />
    </div>
  );
}
