import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/**
 * Any member submits a request; an Idempotency-Key per text keeps a double submit, or one whose
 * answer was lost, to one request, and a changed text is a new request.
 */
export function SubmitRequest() {
  const { org = "" } = useParams();
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [key, setKey] = useState(() => crypto.randomUUID());
  const send = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/orgs/{org}/intake", {
          params: { path: { org }, header: { "Idempotency-Key": key } },
          body: { subject, body, source: "web" },
        }),
      ),
    onSuccess: () => {
      setSubject("");
      setBody("");
      setKey(crypto.randomUUID());
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
            onChange={(e) => {
              setSubject(e.target.value);
              setKey(crypto.randomUUID());
            }}
          />
        </Field>
        <Field label="What do you need?" error={errors.body}>
          <textarea
            name="body"
            rows={6}
            value={body}
            onChange={(e) => {
              setBody(e.target.value);
              setKey(crypto.randomUUID());
            }}
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
