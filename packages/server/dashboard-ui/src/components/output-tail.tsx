import { useEffect, useRef } from 'preact/hooks';

/** A file's output, its end kept in view while it grows (unless the reader scrolled up to read). */
export function OutputTail({ text, live, dropped }: { text: string; live: boolean; dropped: number }) {
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const element = box.current;
    if (element !== null && pinned.current) element.scrollTop = element.scrollHeight;
  }, [text]);
  return (
    <div>
      <p class="muted">
        {live ? 'Live output (last 64 KiB), growing as the container writes.' : 'Output (its last 8 KiB).'}
        {dropped > 0 ? ` ${dropped} earlier characters are not kept here.` : ''}
      </p>
      <pre
        ref={box}
        class="output"
        tabIndex={0}
        aria-label="file output"
        data-testid="output-tail"
        onScroll={(event) => {
          const element = event.currentTarget;
          pinned.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
        }}
      >
        {text === '' ? '(no output yet)' : text}
      </pre>
    </div>
  );
}
