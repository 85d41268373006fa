// Asked when the user switches pages with unsaved work: what would be lost, and discard-and-go or stay.
import { ConfirmDialog } from '../components/confirm-dialog';
import { useNavigation } from './navigation';
import { PAGES } from './pages';

export function LeaveDialog(): React.JSX.Element | null {
  const leaving = useNavigation((s) => s.leaving);
  const unsaved = useNavigation((s) => s.unsaved);
  const leave = useNavigation((s) => s.leave);
  const stay = useNavigation((s) => s.stay);
  if (leaving === null) return null;
  const target = PAGES.find((p) => p.id === leaving)?.label ?? leaving;
  return (
    <ConfirmDialog title="Discard unsaved changes?" confirmLabel={`Discard and open ${target}`} onConfirm={leave} onCancel={stay}>
      <p>These changes have not been saved:</p>
      <ul>
        {[...unsaved.values()].map((what) => (
          <li key={what}>{what}</li>
        ))}
      </ul>
    </ConfirmDialog>
  );
}
