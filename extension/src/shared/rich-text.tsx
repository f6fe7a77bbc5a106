// Renders a sentence from the background, where commands are quoted in `backticks`, as
// text with <code> elements: built from nodes, never from HTML strings.

import type { JSX } from "preact";

export function RichText({ text }: { text: string }): JSX.Element {
  const parts = text.split("`");
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code key={i}>{part}</code> : part))}
    </>
  );
}
