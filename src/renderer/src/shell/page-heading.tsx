// A page's h1: focused when the user switches to the page, so keyboard and screen-reader users land on the new content.
import { useEffect, useRef } from 'react';
import { useNavigation } from './navigation';

export function PageHeading({ children }: { children: React.ReactNode }): React.JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  const moved = useNavigation((s) => s.moved);
  useEffect(() => {
    if (moved) ref.current?.focus();
  }, [moved]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
