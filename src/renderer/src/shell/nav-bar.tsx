// The main navigation: one real button per page, the current one marked for assistive technology.
import { PAGES } from './pages';
import { useNavigation } from './navigation';

export function NavBar(): React.JSX.Element {
  const page = useNavigation((s) => s.page);
  const go = useNavigation((s) => s.go);
  return (
    <nav aria-label="Main" className="nav">
      <ul>
        {PAGES.map((p) => (
          <li key={p.id}>
            <button type="button" className="nav-link" aria-current={p.id === page ? 'page' : undefined} onClick={() => go(p.id)}>
              {p.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
