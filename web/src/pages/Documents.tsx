import { useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { documentLabel, documentStatusLabel } from "../components/labels";
import { documentFiltersFrom, type DocumentFilters, type DocumentSummary } from "./documents";
import { UploadForm } from "./UploadForm";

type Status = NonNullable<DocumentSummary["status"]>;

/** The organisation's documents, newest first, with the upload form above them. */
export function Documents() {
  const { org = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = documentFiltersFrom(params);
  const list = useInfiniteQuery({
    queryKey: ["documents", org, "list", filters],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/orgs/{org}/documents", {
          params: {
            path: { org },
            query: { status: filters.status as Status | undefined, q: filters.q, cursor: pageParam },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
    // Documents being read move on by themselves: keep polling while any is on its way.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((d) => d.status && !["needs_review", "processed", "rejected", "failed"].includes(d.status)))
        ? 2000
        : 10000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const errors = fieldErrors(list.error);
  const set = (change: DocumentFilters) => {
    const next = { ...filters, ...change };
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>);
  };
  return (
    <>
      <h1>Documents</h1>
      <UploadForm org={org} />
      <h2>Uploaded documents</h2>
      <FilterBar key={params.toString()} filters={filters} errors={errors} onChange={set} />
      {list.isError && Object.keys(errors).length === 0 && <ErrorMessage error={list.error} />}
      {list.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No document matches.</p>
      ) : (
        <table className="queue documents">
          <caption className="visually-hidden">Documents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Vendor</th>
              <th scope="col">Date</th>
              <th scope="col">Total</th>
              <th scope="col">Uploaded</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-status={d.status} data-id={d.id}>
                <td>
                  <Link to={`/orgs/${org}/documents/${d.id}`}>{d.filename || "(no name)"}</Link>
                </td>
                <td>
                  {documentLabel(d.status)}
                  {d.duplicate_of && <span className="badge">duplicate</span>}
                </td>
                <td>{d.vendor || "—"}</td>
                <td>{d.date || "—"}</td>
                <td>{d.total ? `${d.total}${d.currency ? ` ${d.currency}` : ""}` : "—"}</td>
                <td>{d.created_at ? new Date(d.created_at).toLocaleString() : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <button type="button" className="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Show more
        </button>
      )}
    </>
  );
}

/** The list's filters: the status applies at once, the search when submitted. */
function FilterBar(props: { filters: DocumentFilters; errors: Record<string, string>; onChange: (f: DocumentFilters) => void }) {
  const { filters, errors, onChange } = props;
  const [q, setQ] = useState(filters.q ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ q });
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter the documents">
      <Field label="Status" error={errors.status}>
        <select value={filters.status ?? ""} onChange={(e) => onChange({ status: e.target.value })}>
          <option value="">Any</option>
          {Object.entries(documentStatusLabel).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Search the text" error={errors.q} hint='Words on the pages; "a phrase", or, -word'>
        <input type="search" value={q} maxLength={500} onChange={(e) => setQ(e.target.value)} />
      </Field>
      <button type="submit">Filter</button>
    </form>
  );
}
