import { useState } from "react";

/**
 * A button for what cannot be undone, asked twice. The focus moves to the
 * confirmation, and back to the button on "Keep", so a keyboard user never
 * loses their place when the button they used is replaced.
 */
export function AskTwice(props: { label: string; ariaLabel?: string; confirm: string; pending: boolean; onConfirm: () => void }) {
  const [asked, setAsked] = useState(false);
  const [kept, setKept] = useState(false);
  if (!asked) {
    return (
      // Keyed apart from the confirmation, so React mounts it anew and autoFocus applies.
      <button key="ask" type="button" className="secondary" aria-label={props.ariaLabel} onClick={() => setAsked(true)} autoFocus={kept}>
        {props.label}
      </button>
    );
  }
  return (
    <>
      <button key="confirm" type="button" className="danger" disabled={props.pending} onClick={props.onConfirm} autoFocus>
        {props.confirm}
      </button>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setAsked(false);
          setKept(true);
        }}
      >
        Keep
      </button>
    </>
  );
}
