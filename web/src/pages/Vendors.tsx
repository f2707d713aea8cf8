import { Link, useParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { CsvImport, csvBody } from "../components/CsvImport";
import { ErrorMessage } from "../components/ErrorMessage";
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

/** Imports a CSV file of vendors (name,address per row); the API checks every row before it keeps any. */
function ImportForm({ org }: { org: string }) {
  const queryClient = useQueryClient();
  return (
    <CsvImport
      className="upload vendor-import"
      title="Import vendors"
      hint="One vendor a row: name,address (the address may be left out); a first row name,address is a header"
      rows="vendors"
      send={(file) => call(api.POST("/api/v1/orgs/{org}/vendors", { params: { path: { org } }, ...csvBody(file) }))}
      inFileTerms={fileProblems}
      onImported={() => queryClient.invalidateQueries({ queryKey: ["vendors", org] })}
    />
  );
}

// The import's field errors in the file's terms: vendors[i] is the file's i + 1st vendor; a refusal
// of the file as a whole (body) keeps the API's detail, which names the line.
function fileProblems(errors: Record<string, string>, detail?: string): string | undefined {
  const said = Object.entries(errors).map(([field, message]) => {
    const row = /^vendors\[(\d+)\]\.(\w+)$/.exec(field);
    if (row) return `Vendor ${Number(row[1]) + 1}, ${row[2]}: ${message}.`;
    if (field === "body" && detail) return `${detail.charAt(0).toUpperCase()}${detail.slice(1)}: the file ${message}.`;
    return `The file ${message}.`;
  });
  return said.length ? said.join(" ") : undefined;
}
