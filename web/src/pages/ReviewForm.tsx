import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors, ProblemError } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { fieldLabel, reviewFields, type DocumentView } from "./documents";

type Review = Schemas["DocumentReview"];

/**
 * The review of a document waiting for one: its fields as read, to correct.
 * The changed fields are sent (all of them, to confirm, when none changed);
 * the API's errors (fields.total …) show beside their field, and so does a
 * field read but emptied, which is not sent.
 */
export function ReviewForm({ org, doc }: { org: string; doc: DocumentView }) {
  const queryClient = useQueryClient();
  const read = (n: string) => doc.fields[n]?.value ?? "";
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(reviewFields.map((n) => [n, read(n)])));
  const [note, setNote] = useState("");
  const [key, setKey] = useState(() => crypto.randomUUID());
  const review = useMutation({
    mutationFn: () => {
      const changed = reviewFields.filter((n) => values[n].trim() !== read(n).trim() && values[n].trim() !== "");
      const sent = changed.length > 0 ? changed : reviewFields.filter((n) => values[n].trim() !== "");
      const body: Review = { fields: Object.fromEntries(sent.map((n) => [n, values[n].trim()])) };
      if (note.trim()) body.note = note.trim();
      return call(
        api.POST("/api/v1/orgs/{org}/documents/{id}/review", {
          params: { path: { org, id: doc.id }, header: { "Idempotency-Key": key } },
          body,
        }),
      );
    },
    onSuccess: (reviewed) => {
      queryClient.setQueryData(["documents", org, "one", doc.id], reviewed);
      return queryClient.invalidateQueries({ queryKey: ["documents", org] });
    },
    onError: (err) => {
      // A refused review never reached the workflow: the corrected one is a new review.
      // (A 503 keeps its key: the API may have applied it, and the same key finds out.)
      if (err instanceof ProblemError && err.problem.status < 500) setKey(crypto.randomUUID());
      // Someone else reviewed it first (409): show the document as it is now.
      return queryClient.invalidateQueries({ queryKey: ["documents", org, "one", doc.id] });
    },
  });
  // A field read but emptied cannot be sent (the API keeps no empty value), and leaving it out
  // would keep the misread value unseen: it is said beside the field instead.
  const [emptied, setEmptied] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(review.error), ...emptied };
  const fieldErrorsShown = reviewFields.some((n) => errors[`fields.${n}`]) || errors.note;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const now = Object.fromEntries(
      reviewFields
        .filter((n) => read(n).trim() !== "" && values[n].trim() === "")
        .map((n) => [`fields.${n}`, "cannot be left empty: correct what was misread"]),
    );
    setEmptied(now);
    if (Object.keys(now).length > 0) {
      review.reset();
      return;
    }
    review.mutate();
  };
  return (
    <form className="review" onSubmit={submit} noValidate aria-label="Review the fields">
      <h2>Review</h2>
      <p className="hint">Correct what was misread, then save: the document is processed with your values.</p>
      {reviewFields.map((n) => (
        <Field key={n} label={fieldLabel[n]} error={errors[`fields.${n}`]} hint={n === "date" ? "A real date: 2018-12-25 or 25/12/2018" : undefined}>
          <input name={n} maxLength={500} value={values[n]} onChange={(e) => setValues({ ...values, [n]: e.target.value })} />
        </Field>
      ))}
      <Field label="Note" error={errors.note}>
        <textarea name="note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      {review.isError && !fieldErrorsShown && <ErrorMessage error={review.error} />}
      <button type="submit" disabled={review.isPending}>
        {review.isPending ? "Saving…" : "Save the review"}
      </button>
    </form>
  );
}
