import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, describe, ProblemError } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { Field } from "../components/Field";
import { label } from "../components/labels";

/** The organisation's known vendors (OPERATORs and ADMINs), each linked to its documents, and their import from CSV. */
export function Vendors() {
  const { org = "" } = useParams();
  const vendors = useQuery({
    queryKey: ["vendors", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/vendors", { params: { path: { org } } })),
  });
  const items = vendors.data?.items ?? [];
  return (
    <>
      <h1>Vendors</h1>
      <p className="muted">Documents from a known vendor are read with its spelling of name and address.</p>
      <ImportForm org={org} />
      <h2>Known vendors</h2>
      {vendors.isError ? (
        <ErrorMessage error={vendors.error} />
      ) : vendors.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No vendor yet: import a list, or review a document.</p>
      ) : (
        <table className="queue vendors">
          <caption className="visually-hidden">Vendors by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">From</th>
              <th scope="col">Documents</th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.id} data-id={v.id}>
                <th scope="row">{v.name}</th>
                <td>{v.address || "—"}</td>
                <td>{label(v.source ?? "")}</td>
                <td>
                  <Link to={`/orgs/${org}/documents?vendor=${v.id}`}>
                    Documents<span className="visually-hidden"> from {v.name}</span>
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Sends a CSV file (name,address per row) as it is; the API checks every row before it keeps any. */
function ImportForm({ org }: { org: string }) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const importing = useMutation({
    mutationFn: async (f: File) =>
      call(
        api.POST("/api/v1/orgs/{org}/vendors", {
          params: { path: { org } },
          body: await f.text(),
          bodySerializer: (csv) => csv as string, // sent as it is, not as JSON
          headers: { "Content-Type": "text/csv" },
        }),
      ),
    onSuccess: () => {
      setFile(null);
      if (input.current) input.current.value = "";
      return queryClient.invalidateQueries({ queryKey: ["vendors", org] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setMissing(true);
      return;
    }
    importing.mutate(file);
  };
  // Every refusal is about the file: the rows it names (vendors[3].name), or the file as a whole.
  const fileError = missing ? "Choose a CSV file to import." : importing.isError ? refusal(importing.error) : undefined;
  return (
    <form className="upload vendor-import" onSubmit={submit} noValidate aria-label="Import vendors">
      <h2>Import vendors</h2>
      <Field label="CSV file" error={fileError} hint="One vendor a row: name,address (the address may be left out); a first row name,address is a header">
        <input
          ref={input}
          type="file"
          name="csv"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setMissing(false);
            importing.reset();
          }}
        />
      </Field>
      <button type="submit" disabled={importing.isPending}>
        {importing.isPending ? "Importing…" : "Import"}
      </button>
      {importing.isSuccess && (
        <p role="status" id="imported">
          Imported {importing.data.imported} vendors.
        </p>
      )}
    </form>
  );
}

/** The API's refusal of an import in words: its detail, then each bad row ("vendors[3].name" is the fourth vendor's name). */
function refusal(err: unknown) {
  if (!(err instanceof ProblemError) || !err.problem.errors?.length) return describe(err);
  const rows = err.problem.errors.map((e) => {
    const m = /^vendors\[(\d+)\]\.(\w+)$/.exec(e.field);
    return m ? `vendor ${Number(m[1]) + 1}, ${m[2]}: ${e.message}` : e.message;
  });
  return `${describe(err)}: ${rows.join("; ")}`;
}
