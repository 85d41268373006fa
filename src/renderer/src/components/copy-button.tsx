// A copy button that says what happened (copied, or select and copy by hand), politely announced to screen readers.
import { useEffect, useRef, useState } from 'react';
import { copyText } from '../lib/clipboard';

type Outcome = 'idle' | 'copied' | 'failed';
const RESET_MS = 2500;

export function CopyButton({ text, label }: { text: string; label: string }): React.JSX.Element {
  const [outcome, setOutcome] = useState<Outcome>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy(): Promise<void> {
    const ok = await copyText(text);
    setOutcome(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setOutcome('idle'), RESET_MS);
  }

  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-outcome" role="status">
        {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Could not copy: select the text and copy it by hand' : ''}
      </span>
    </span>
  );
}
