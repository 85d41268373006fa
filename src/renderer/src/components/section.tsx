// A titled region of a page: a section labelled by its heading, so screen readers can jump between them.
import { useId } from 'react';

export function Section({ title, actions, children, className }: { title: string; actions?: React.ReactNode; children: React.ReactNode; className?: string }): React.JSX.Element {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`card ${className ?? ''}`.trim()}>
      <header className="card-header">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
