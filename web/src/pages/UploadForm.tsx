import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Schemas } from "../api/client";
import { describe, fieldErrors, ProblemError } from "../api/problem";
import { uploadDocument } from "../api/upload";
import { Field } from "../components/Field";
import { label } from "../components/labels";
import { kinds } from "./documents";

/**
 * Uploads one file with its upload progress. One Idempotency-Key per chosen
 * file, so sending it twice makes one document. The API's refusals (too large,
 * not a PDF or image, a duplicate) show beside the file field.
 */
export function UploadForm({ org }: { org: string }) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<string>("receipt");
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [sent, setSent] = useState(0);
  const [missing, setMissing] = useState(false);
  const upload = useMutation({
    mutationFn: (f: File) => uploadDocument(org, { file: f, kind, idempotencyKey: key }, setSent),
    onSuccess: () => {
      setFile(null);
      setKey(crypto.randomUUID());
      if (input.current) input.current.value = "";
      return queryClient.invalidateQueries({ queryKey: ["documents", org] });
    },
  });
  const errors = fieldErrors(upload.error);
  // The organisation has this file already (its duplicate policy refuses a second one): which document.
  const duplicateOf =
    upload.error instanceof ProblemError && upload.error.problem.type === "/problems/duplicate-document"
      ? (upload.error.problem as Schemas["DuplicateDocumentProblem"]).document_id
      : undefined;
  // Field errors go beside their control; any other refusal is about the file.
  const fileError = missing
    ? "Choose a file to upload."
    : duplicateOf
      ? "The organisation has this file already."
      : errors.file || (upload.isError && !errors.kind ? describe(upload.error) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setMissing(true);
      return;
    }
    setSent(0);
    upload.mutate(file);
  };
  return (
    <form className="upload" onSubmit={submit} noValidate aria-label="Upload a document">
      <h2>Upload a document</h2>
      <Field label="File" error={fileError} hint="PDF, JPEG, PNG or TIFF, up to 25 MiB">
        <input
          ref={input}
          type="file"
          name="file"
          accept="application/pdf,image/jpeg,image/png,image/tiff"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setKey(crypto.randomUUID());
            setMissing(false);
            upload.reset();
          }}
        />
      </Field>
      {duplicateOf && (
        <p>
          <Link className="duplicate-of" to={`/orgs/${org}/documents/${duplicateOf}`}>
            Open the document it is
          </Link>
        </p>
      )}
      <Field label="Kind" error={errors.kind}>
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {label(k)}
            </option>
          ))}
        </select>
      </Field>
      {upload.isPending && (
        <p className="progress">
          <label htmlFor="upload-progress">Sending {file?.name}</label>{" "}
          <progress id="upload-progress" max={1} value={sent}>
            {Math.round(sent * 100)}%
          </progress>{" "}
          {Math.round(sent * 100)}%
        </p>
      )}
      <button type="submit" disabled={upload.isPending}>
        {upload.isPending ? "Uploading…" : "Upload"}
      </button>
      <p role="status" id="uploaded">
        {upload.isSuccess && (
          <>
            Uploaded; it is being read. <Link to={`/orgs/${org}/documents/${upload.data.id}`}>Open it</Link>
          </>
        )}
      </p>
    </form>
  );
}
