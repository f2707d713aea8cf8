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
    if (props.error) focusIfFirstRefused(document.getElementById(id));
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

/**
 * Moves the focus to control when its form was just sent (the focus is on the form's submit button,
 * or nowhere) and it is the form's first control refused: its error, tied to it, is then read out,
 * where it would otherwise appear unannounced. Focus the person put elsewhere is left alone.
 */
function focusIfFirstRefused(control: HTMLElement | null) {
  const form = control?.closest("form");
  if (!control || !form || form.querySelector('[aria-invalid="true"]') !== control) return;
  const active = document.activeElement;
  const justSent = !active || active === document.body || (active instanceof HTMLButtonElement && active.type === "submit" && active.form === form);
  if (justSent) control.focus();
}
