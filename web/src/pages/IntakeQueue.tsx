import { useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { label, priorities, statusLabel } from "../components/labels";
import { filtersFrom, queueQuery, type Filters, type IntakeSummary } from "./intake";
import { isStaff, useRole } from "./orgs";
import { useMembers } from "./people";

export function IntakeQueue() {
  const { org = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const queue = useInfiniteQuery({
    queryKey: ["intake", org, filters],
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/orgs/{org}/intake", { params: { path: { org }, query: { ...queueQuery(filters), cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
    refetchInterval: 5000, // new requests and routing show without a reload
  });
  const items = (queue.data?.pages.flatMap((p) => p.items ?? []) ?? []) as IntakeSummary[];
  // The API names since/until; the person typed them as the From and To days.
  const { since, until, ...errors } = fieldErrors(queue.error);
  if (since) errors.from = since;
  if (until) errors.to = until;
  const set = (change: Filters) => {
    const next = { ...filters, ...change };
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>);
  };
  return (
    <>
      <h1>Intake queue</h1>
      {/* Keyed by the URL, so its text fields follow back and forward. */}
      <FilterBar key={params.toString()} org={org} filters={filters} errors={errors} onChange={set} />
      {queue.isError && Object.keys(errors).length === 0 && <ErrorMessage error={queue.error} />}
      {queue.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No request matches.</p>
      ) : (
        <table className="queue">
          <caption className="visually-hidden">Requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
              <th scope="col">Priority</th>
              <th scope="col">Pipeline</th>
              <th scope="col">From</th>
              <th scope="col">Received</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-status={r.status}>
                <td>
                  <Link to={`/orgs/${org}/intake/${r.id}`}>{r.subject || "(no subject)"}</Link>
                </td>
                <td>{label(r.status)}</td>
                <td>
                  {label(r.priority)}
                  {r.sla_breached && <span className="badge">late</span>}
                </td>
                <td>{r.routing?.pipeline || "—"}</td>
                <td>{(r.contact as { name?: string; email?: string } | undefined)?.name ?? "—"}</td>
                <td>{r.created_at ? new Date(r.created_at).toLocaleString() : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {queue.hasNextPage && (
        <button type="button" className="secondary" onClick={() => queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>
          Show more
        </button>
      )}
    </>
  );
}

/** The queue's filters: the lists apply at once, the text fields when submitted. */
function FilterBar(props: { org: string; filters: Filters; errors: Record<string, string>; onChange: (f: Filters) => void }) {
  const { org, filters, errors, onChange } = props;
  const staff = isStaff(useRole(org));
  const members = useMembers(org, staff); // a CLIENT sees only their own requests: no assignee to pick
  const [pipeline, setPipeline] = useState(filters.pipeline ?? "");
  const [q, setQ] = useState(filters.q ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ pipeline, q });
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter the queue">
      <Field label="Status" error={errors.status}>
        <select value={filters.status ?? ""} onChange={(e) => onChange({ status: e.target.value })}>
          <option value="">Any</option>
          {Object.entries(statusLabel).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Priority" error={errors.priority}>
        <select value={filters.priority ?? ""} onChange={(e) => onChange({ priority: e.target.value })}>
          <option value="">Any</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {label(p)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Pipeline" error={errors.pipeline}>
        <input value={pipeline} onChange={(e) => setPipeline(e.target.value)} placeholder="key" />
      </Field>
      {staff && (
        <Field label="Assignee" error={errors.assignee}>
          <select name="assignee" value={filters.assignee ?? ""} onChange={(e) => onChange({ assignee: e.target.value })}>
            <option value="">Anyone</option>
            {(members.data ?? []).map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name || m.email}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Received from" error={errors.from}>
        <input type="date" name="from" value={filters.from ?? ""} onChange={(e) => onChange({ from: e.target.value })} />
      </Field>
      <Field label="Received to" error={errors.to}>
        <input type="date" name="to" value={filters.to ?? ""} onChange={(e) => onChange({ to: e.target.value })} />
      </Field>
      <Field label="Search" error={errors.q}>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </Field>
      <button type="submit">Filter</button>
    </form>
  );
}
