// A destructive action's button that asks first in the modal ConfirmDialog: the dialog stays open (busy) while the action runs, and closes when it has succeeded.
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';

export interface ConfirmButtonProps {
  /** The button on the page, e.g. "Revoke ci-bot". */
  label: string;
  title: string;
  /** The dialog's confirm button, named for the action, e.g. "Revoke key". */
  confirmLabel: string;
  busyLabel?: string;
  /** Runs the action; returning false keeps the dialog open (the content shows why). */
  onConfirm: () => Promise<boolean | void>;
  /** Called whenever the dialog closes (cancelled or done), e.g. to clear a typed confirmation. */
  onClose?: () => void;
  disabled?: boolean;
  confirmDisabled?: boolean;
  className?: string;
  children: React.ReactNode;
}

export function ConfirmButton({ label, title, confirmLabel, busyLabel, onConfirm, onClose, disabled = false, confirmDisabled, className, children }: ConfirmButtonProps): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const close = (): void => {
    setOpen(false);
    onClose?.();
  };
  return (
    <>
      <button type="button" className={className} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <ConfirmDialog
          title={title}
          confirmLabel={confirmLabel}
          busy={busy}
          busyLabel={busyLabel}
          confirmDisabled={confirmDisabled}
          onCancel={close}
          onConfirm={() => {
            setBusy(true);
            void onConfirm().then(
              (done) => {
                setBusy(false);
                if (done !== false) close();
              },
              () => setBusy(false),
            );
          }}
        >
          {children}
        </ConfirmDialog>
      )}
    </>
  );
}
