import { useEffect, useId, type ReactElement, cloneElement } from "react";

type ControlProps = { id?: string; "aria-invalid"?: boolean; "aria-describedby"?: string };

/**
 * A labelled control with its error beside it: the API's errors[].field for
 * this control, announced and tied to it with aria-describedby.
 */
export function Field(props: { label: string; error?: string; hint?: string; children: ReactElement<ControlProps> }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint && hintId, props.error && errorId].filter(Boolean).join(" ") || undefined;
  useEffect(() => {
    const form = props.error ? document.getElementById(id)?.closest("form") : null;
    if (form) focusFirstRefused(form);
  }, [props.error, id]);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {cloneElement(props.children, { id, "aria-invalid": props.error ? true : undefined, "aria-describedby": describedBy })}
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The form the person sent last, and when: its first refused control takes the focus once. */
let sent: { form: HTMLFormElement; at: number } | null = null;

/** How long after a form is sent a refusal of it still moves the focus (a slow answer). */
const answerWithin = 60_000;

// Every form's submit, whichever way (a button, Enter in a field): checked at once for refusals said
// before anything is sent (the same ones again keep their text, so no Field sees them change), and by
// each Field whose error then appears (the API's answer).
document.addEventListener(
  "submit",
  (e) => {
    if (!(e.target instanceof HTMLFormElement)) return;
    const form = e.target;
    sent = { form, at: Date.now() };
    requestAnimationFrame(() => focusFirstRefused(form));
  },
  true,
);

/**
 * Moves the focus to the first refused control of form when the person just sent it, so the error
 * tied to it is read out where it would otherwise appear unannounced; once per sending, so errors
 * that come later (a list refreshed on its own) never take the focus.
 */
function focusFirstRefused(form: HTMLFormElement) {
  if (sent?.form !== form || Date.now() - sent.at > answerWithin) return;
  const first = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!first) return;
  sent = null;
  first.focus();
}
