// Text whose `backticked` parts are code (the client setup steps are written that way for the terminal too).
export function InlineCode({ text }: { text: string }): React.JSX.Element {
  const parts = text.split('`');
  // An odd count of backticks leaves the last part unclosed: show it as text.
  return <>{parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code key={i}>{part}</code> : part))}</>;
}
