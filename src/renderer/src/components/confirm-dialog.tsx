// A modal confirmation for destructive actions: the native <dialog> (focus kept inside and first on Cancel, Escape cancels), the confirm button named for what it does, optionally held until a typed confirmation is right and busy while the action runs.
import { useEffect, useId, useRef } from 'react';

export interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: React.ReactNode;
  /** The confirm button stays disabled (and Enter does nothing) until e.g. a typed confirmation matches. */
  confirmDisabled?: boolean;
  /** The action is running: both buttons disabled, Escape ignored, the confirm button says `busyLabel`. */
  busy?: boolean;
  busyLabel?: string;
}

export function ConfirmDialog({ title, confirmLabel, onConfirm, onCancel, children, confirmDisabled = false, busy = false, busyLabel }: ConfirmDialogProps): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    // showModal focuses the first focusable element (a field of the content, if any): the safe choice goes first instead.
    cancelRef.current?.focus();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={id}
      aria-busy={busy}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {/* A form, so Enter in a field of the content confirms, unless the confirm button is disabled. */}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy && !confirmDisabled) onConfirm();
        }}
      >
        <h2 id={id}>{title}</h2>
        {children}
        <div className="dialog-actions">
          <button ref={cancelRef} type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={busy || confirmDisabled}>
            {busy ? (busyLabel ?? confirmLabel) : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
