import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/**
 * Any member submits a request; an Idempotency-Key per text sent keeps a double submit, or a retry
 * whose answer was lost, to one request, and a changed text is a new request.
 */
export function SubmitRequest() {
  const { org = "" } = useParams();
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  // The text last sent and its key: the same text again (a retry, its answer lost) goes under the same key.
  const last = useRef<{ subject: string; body: string; key: string } | null>(null);
  const send = useMutation({
    mutationFn: () => {
      const same = last.current && last.current.subject === subject && last.current.body === body;
      const key = same && last.current ? last.current.key : crypto.randomUUID();
      last.current = { subject, body, key };
      return call(
        api.POST("/api/v1/orgs/{org}/intake", {
          params: { path: { org }, header: { "Idempotency-Key": key } },
          body: { subject, body, source: "web" },
        }),
      );
    },
    onSuccess: () => {
      setSubject("");
      setBody("");
      last.current = null;
      return queryClient.invalidateQueries({ queryKey: ["intake", org] });
    },
  });
  const errors = fieldErrors(send.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  return (
    <>
      <h1>Submit a request</h1>
      <form className="submit-request" onSubmit={submit} noValidate>
        <Field label="Subject" error={errors.subject}>
          <input
            name="subject"
            maxLength={300}
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
          />
        </Field>
        <Field label="What do you need?" error={errors.body}>
          <textarea
            name="body"
            rows={6}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
        </Field>
        {/* Any refusal not shown beside the subject or the text is said here. */}
        {send.isError && !errors.subject && !errors.body && <ErrorMessage error={send.error} />}
        <button type="submit" disabled={send.isPending}>
          Submit
        </button>
      </form>
      <p role="status" id="submitted">
        {send.isSuccess && (
          <>
            Request received. <Link to={`/orgs/${org}/intake/${send.data.id}`}>Follow it</Link>
          </>
        )}
      </p>
    </>
  );
}
