import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { label, priorities } from "../components/labels";

type Decision = Schemas["Decision"];

/** An operator's decision on a proposal: approve it, send it elsewhere, or reject it. */
export function DecisionForm(props: { org: string; id: string; proposed?: string }) {
  const { org, id } = props;
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Decision["action"]>("approve");
  const [pipeline, setPipeline] = useState("");
  const [priority, setPriority] = useState("");
  const [note, setNote] = useState("");
  const decide = useMutation({
    mutationFn: () => {
      const body: Decision = { action };
      if (action === "reassign" && pipeline) body.pipeline = pipeline;
      if (action !== "reject" && priority) body.priority = priority as Decision["priority"];
      if (note) body.note = note;
      return call(api.POST("/api/v1/orgs/{org}/intake/{id}/decision", { params: { path: { org, id } }, body }));
    },
    // The request and the queue show the decision as soon as the API applied it, or
    // what changed meanwhile when it refused (another operator decided first: 409).
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["intake", org] }),
  });
  const errors = fieldErrors(decide.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    decide.mutate();
  };
  const actions: [Decision["action"], string][] = [
    ["approve", props.proposed ? `Approve (route to ${props.proposed})` : "Approve"],
    ["reassign", "Send to another pipeline"],
    ["reject", "Reject"],
  ];
  return (
    <form className="decision" onSubmit={submit} noValidate>
      <h2>Decision</h2>
      <fieldset aria-describedby={errors.action ? "action-error" : undefined}>
        <legend>What happens to this request</legend>
        {actions.map(([value, text]) => (
          <label key={value} className="choice">
            <input type="radio" name="action" value={value} checked={action === value} onChange={() => setAction(value)} />
            {text}
          </label>
        ))}
        {errors.action && (
          <p className="field-error" id="action-error">
            {errors.action}
          </p>
        )}
      </fieldset>
      {action === "reassign" && (
        <Field label="Pipeline" error={errors.pipeline} hint="The key of the pipeline that should take it">
          <input value={pipeline} onChange={(e) => setPipeline(e.target.value)} />
        </Field>
      )}
      {action !== "reject" && (
        <Field label="Priority" error={errors.priority}>
          <select value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">As proposed</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Note" error={errors.note}>
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} />
      </Field>
      {decide.isError && Object.keys(errors).length === 0 && <ErrorMessage error={decide.error} />}
      <button type="submit" disabled={decide.isPending}>
        {decide.isPending ? "Saving…" : "Decide"}
      </button>
    </form>
  );
}
