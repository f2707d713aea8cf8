import { useRef, useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { fieldErrors, ProblemError } from "../api/problem";
import { ErrorMessage } from "./ErrorMessage";
import { Field } from "./Field";

/** How a CSV import's body is sent: the file's bytes as they are, declared text/csv (not JSON). */
export function csvBody(file: File) {
  return { body: file as never, bodySerializer: (b: unknown) => b as File, headers: { "Content-Type": "text/csv" } };
}

/**
 * A form that sends one CSV file to an import, which the API takes all or nothing. A refusal of the
 * file's rows or header (errors[].field, put in the file's terms by inFileTerms) shows beside the file
 * field; any other (too large, too many) plainly below it.
 */
export function CsvImport(props: {
  className: string;
  title: string;
  hint: string;
  /** What one row is, counted in the success message: "vendors", "examples". */
  rows: string;
  send: (file: File) => Promise<{ imported?: number }>;
  /** The refusal's field errors, with its detail (which line, say), in the file's terms. */
  inFileTerms: (errors: Record<string, string>, detail?: string) => string | undefined;
  onImported?: () => unknown;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const importing = useMutation({
    mutationFn: props.send,
    onSuccess: () => {
      setFile(null);
      if (input.current) input.current.value = "";
      return props.onImported?.();
    },
  });
  const errors = fieldErrors(importing.error);
  const detail = importing.error instanceof ProblemError ? importing.error.problem.detail : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) importing.mutate(file);
  };
  return (
    <form className={props.className} onSubmit={submit} noValidate aria-label={props.title}>
      <h2>{props.title}</h2>
      <Field label="CSV file" error={missing ? "Choose a CSV file to import." : props.inFileTerms(errors, detail)} hint={props.hint}>
        <input
          ref={input}
          type="file"
          name="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setMissing(false);
            importing.reset();
          }}
        />
      </Field>
      {importing.isError && Object.keys(errors).length === 0 && <ErrorMessage error={importing.error} />}
      <button type="submit" disabled={importing.isPending}>
        {importing.isPending ? "Importing…" : "Import"}
      </button>
      <p role="status" className="imported">
        {importing.isSuccess ? `Imported ${importing.data.imported ?? 0} ${props.rows}.` : ""}
      </p>
    </form>
  );
}
