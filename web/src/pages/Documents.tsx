import { type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { useURLForm } from "../components/useURLForm";
import { ErrorMessage } from "../components/ErrorMessage";
import { documentLabel, documentStatusLabel } from "../components/labels";
import { documentFiltersFrom, settledDocument, type DocumentFilters, type DocumentSummary } from "./documents";
import { UploadForm } from "./UploadForm";
import { isStaff, useRole } from "./orgs";

type Status = NonNullable<DocumentSummary["status"]>;

// The filters the filter bar has a field for.
const besideTheirField = new Set(["status", "vendor", "date_from", "date_to", "total_min", "total_max", "duplicate", "q"]);

/** The organisation's documents, newest first, with the upload form above them; filters and page in the URL. */
export function Documents() {
  const { org = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = documentFiltersFrom(params);
  const staff = isStaff(useRole(org));
  const list = useQuery({
    queryKey: ["documents", org, "list", filters],
    // The page shown stays while the next comes, so the pager link just followed keeps its place and focus.
    placeholderData: keepPreviousData,
    queryFn: () =>
      call(
        api.GET("/api/v1/orgs/{org}/documents", {
          params: {
            path: { org },
            query: {
              status: filters.status as Status | undefined,
              vendor: filters.vendor,
              date_from: filters.date_from,
              date_to: filters.date_to,
              total_min: filters.total_min,
              total_max: filters.total_max,
              duplicate: filters.duplicate ? filters.duplicate === "true" : undefined,
              q: filters.q,
              cursor: filters.cursor,
              limit: filters.limit ? Number(filters.limit) : undefined,
            },
          },
        }),
      ),
    // Documents being read move on by themselves: keep polling while any is on its way.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status && !settledDocument.has(d.status)) ? 2000 : 10000),
  });
  const items = list.data?.items ?? [];
  const errors = fieldErrors(list.error);
  const urlOf = (f: DocumentFilters) => "?" + new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  // A new filter starts the list over from its first page.
  const set = (change: DocumentFilters) => setParams(urlOf({ ...filters, ...change, cursor: undefined }));
  return (
    <>
      <h1>Documents</h1>
      <UploadForm org={org} />
      <h2>Uploaded documents</h2>
      <FilterBar org={org} staff={staff} filters={filters} errors={errors} onChange={set} />
      {/* A refused filter is said beside its field; anything else (a bad cursor or limit in the URL) here. */}
      {list.isError && !Object.keys(errors).some((f) => besideTheirField.has(f)) && <ErrorMessage error={list.error} />}
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
      {(filters.cursor || list.data?.next_cursor) && (
        <nav className="pager" aria-label="Pages of documents">
          {filters.cursor && <Link to={urlOf({ ...filters, cursor: undefined })}>First page</Link>}
          {list.data?.next_cursor && <Link to={urlOf({ ...filters, cursor: list.data.next_cursor })}>Next page</Link>}
        </nav>
      )}
    </>
  );
}

/** The list's filters: the status applies at once (with what else was typed), the others when submitted. */
function FilterBar(props: {
  org: string;
  staff: boolean;
  filters: DocumentFilters;
  errors: Record<string, string>;
  onChange: (f: DocumentFilters) => void;
}) {
  const { org, staff, filters, errors, onChange } = props;
  const [form, setForm] = useURLForm(filters);
  // Vendors are listed for OPERATORs and ADMINs only.
  const vendors = useQuery({
    queryKey: ["vendors", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/vendors", { params: { path: { org } } })),
    enabled: staff,
  });
  const edit = (name: keyof DocumentFilters) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange(form);
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter the documents">
      <Field label="Status" error={errors.status}>
        <select name="status" value={filters.status ?? ""} onChange={(e) => onChange({ ...form, status: e.target.value })}>
          <option value="">Any</option>
          {Object.entries(documentStatusLabel).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </Field>
      {staff && (
        <Field label="Vendor" error={errors.vendor}>
          <select name="vendor" value={form.vendor ?? ""} onChange={edit("vendor")}>
            <option value="">Any</option>
            {/* A vendor in the URL shows even before the list has come. */}
            {form.vendor && !vendors.data?.items.some((v) => v.id === form.vendor) && <option value={form.vendor}>the linked vendor</option>}
            {vendors.data?.items.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Dated from" error={errors.date_from}>
        <input type="date" name="date_from" value={form.date_from ?? ""} onChange={edit("date_from")} />
      </Field>
      <Field label="Dated to" error={errors.date_to}>
        <input type="date" name="date_to" value={form.date_to ?? ""} onChange={edit("date_to")} />
      </Field>
      <Field label="Total at least" error={errors.total_min}>
        <input name="total_min" inputMode="decimal" size={8} value={form.total_min ?? ""} onChange={edit("total_min")} />
      </Field>
      <Field label="Total at most" error={errors.total_max}>
        <input name="total_max" inputMode="decimal" size={8} value={form.total_max ?? ""} onChange={edit("total_max")} />
      </Field>
      <Field label="Duplicates" error={errors.duplicate}>
        <select name="duplicate" value={form.duplicate ?? ""} onChange={edit("duplicate")}>
          <option value="">Shown</option>
          <option value="true">Only duplicates</option>
          <option value="false">Hidden</option>
        </select>
      </Field>
      <Field label="Search the text" error={errors.q} hint='Words on the pages; "a phrase", or, -word'>
        <input type="search" name="q" value={form.q ?? ""} maxLength={500} onChange={edit("q")} />
      </Field>
      <button type="submit">Filter</button>
    </form>
  );
}
