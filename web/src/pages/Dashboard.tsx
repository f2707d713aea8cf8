import { useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { NotUpToDate } from "../components/NotUpToDate";
import { BarChart, DayChart, type Datum } from "../components/Charts";
import { documentStatusLabel } from "../components/labels";
import { dayLabel, when } from "./time";

type OperatorLoads = NonNullable<NonNullable<Schemas["Dashboard"]["bookings"]>["operators"]>;

// A wait as a person reads it: seconds under a minute, minutes under a few hours, then hours.
const waitText = (s?: number) =>
  s == null ? "—" : s < 60 ? `${Math.round(s)} s` : s < 3 * 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * The organisation's figures (OPERATOR and up), refreshed every few seconds: counts, charts
 * of intake, routing, approval waits, extraction accuracy and bookings, and items per stage.
 */
export function Dashboard() {
  const { org = "" } = useParams();
  const dash = useQuery({
    queryKey: ["dashboard", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/dashboard", { params: { path: { org } } })),
    refetchInterval: 5000,
  });
  const documents = useQuery({
    queryKey: ["documents", org, "stats"],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/documents/stats", { params: { path: { org } } })),
    refetchInterval: 10000,
  });
  // A failed refresh keeps the figures shown, said to be possibly old: only a first load that failed replaces them.
  if (dash.isError && !dash.data) {
    return (
      <>
        <h1>Dashboard</h1>
        <ErrorMessage error={dash.error} />
      </>
    );
  }
  const d = dash.data;
  if (!d) return <p>Loading…</p>;
  const stages = d.stages ?? [];
  const most = Math.max(1, ...stages.map((s) => s.items ?? 0));
  const routing = d.routing ?? {};
  const bookings = d.bookings ?? {};
  return (
    <>
      <h1>Dashboard</h1>
      <NotUpToDate error={[dash, documents].find((q) => q.isError && q.data)?.error} />
      <dl className="facts totals">
        <dt>Awaiting approval</dt>
        <dd data-count="awaiting_approval">{d.awaiting_approval ?? 0}</dd>
        <dt>SLA breaches</dt>
        <dd data-count="sla_breaches">{d.sla_breaches ?? 0}</dd>
        <dt>Bookings in the next 7 days</dt>
        <dd data-count="upcoming_week">{bookings.upcoming_week ?? 0}</dd>
        <dt>No-shows (past 30 days)</dt>
        <dd data-count="no_show_rate">{percent(bookings.no_show_rate ?? 0)}</dd>
      </dl>
      <div className="charts">
        <DayChart name="intake" caption="Requests per day, last 30 days" unit="Requests" data={intakeDays(d.intake_per_day ?? [])} />
        <BarChart
          name="routing"
          caption="How requests were routed"
          unit="Requests"
          data={[
            { key: "auto_routed", label: "Routed automatically", value: routing.auto_routed ?? 0 },
            { key: "approved", label: "Approved by an operator", value: routing.approved ?? 0 },
            { key: "reassigned", label: "Reassigned by an operator", value: routing.reassigned ?? 0 },
            { key: "rejected", label: "Rejected", value: routing.rejected ?? 0 },
            { key: "awaiting_approval", label: "Awaiting approval", value: d.awaiting_approval ?? 0 },
          ]}
        />
        <BarChart
          name="approval-wait"
          caption="Wait for an operator's decision"
          unit="Wait"
          data={[
            { key: "p50", label: "Median", value: d.approval_wait_seconds?.p50 ?? 0, text: waitText(d.approval_wait_seconds?.p50) },
            { key: "p90", label: "90th percentile", value: d.approval_wait_seconds?.p90 ?? 0, text: waitText(d.approval_wait_seconds?.p90) },
          ]}
        />
        <DocumentStatuses stats={documents.data} />
        <DocumentAccuracy stats={documents.data} error={documents.error} />
        <OperatorLoad org={org} operators={bookings.operators ?? []} />
      </div>
      <h2>Next bookings</h2>
      {(bookings.upcoming ?? []).length === 0 ? (
        <p>No booking ahead.</p>
      ) : (
        <table className="queue upcoming">
          <caption className="visually-hidden">The next bookings</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Service</th>
              <th scope="col">Client</th>
            </tr>
          </thead>
          <tbody>
            {bookings.upcoming?.map((b) => (
              <tr key={b.id}>
                <td>{when(b.start)}</td>
                <td>{b.service}</td>
                <td>{b.client.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Items per stage</h2>
      {stages.length === 0 ? (
        <p>No pipeline yet.</p>
      ) : (
        <table className="queue dashboard-stages">
          <caption className="visually-hidden">Items in each pipeline's stages</caption>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Stage</th>
              <th scope="col">Items</th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s) => (
              <tr key={`${s.pipeline}/${s.stage}`} data-pipeline={s.pipeline} data-stage={s.stage}>
                <td>{s.pipeline}</td>
                <td>{s.stage}</td>
                <td>
                  {/* The bar is decoration; the number is what is read. */}
                  <span className="count">
                    <span className="bar" aria-hidden="true" style={{ width: `${((s.items ?? 0) / most) * 8}rem` }} />
                    {s.items ?? 0}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The 30 days up to today (or the API's latest day), the days without a request at 0. */
function intakeDays(perDay: { day?: string; requests?: number }[]): Datum[] {
  const counts = new Map(perDay.map((v) => [v.day ?? "", v.requests ?? 0]));
  const today = new Date().toISOString().slice(0, 10); // the API counts days in UTC
  const last = [today, ...counts.keys()].sort().at(-1)!;
  const end = new Date(`${last}T00:00:00Z`);
  return Array.from({ length: 30 }, (_, n) => {
    const day = new Date(end.getTime() - (29 - n) * 86400000).toISOString().slice(0, 10);
    return { key: day, label: dayLabel(day).slice(4), value: counts.get(day) ?? 0 };
  });
}

/** How many documents uploaded in the past 90 days are in each status, in the order they go through them. */
function DocumentStatuses({ stats }: { stats?: Schemas["DocumentStats"] }) {
  if (!stats) return null;
  return (
    <BarChart
      name="documents-status"
      caption="Documents uploaded in the past 90 days, by status"
      unit="Documents"
      data={Object.entries(documentStatusLabel).map(([status, label]) => ({ key: status, label, value: stats.statuses?.[status] ?? 0 }))}
    />
  );
}

/** Per field, the share of extracted values reviewers accepted unchanged (documents/stats). */
function DocumentAccuracy({ stats, error }: { stats?: Schemas["DocumentStats"]; error: unknown }) {
  const fields = (stats?.fields ?? []).filter((f) => (f.reviewed ?? 0) > 0);
  // Figures fetched before a failed refresh stay (the page says they may be old).
  if (!stats) return error ? <ErrorMessage error={error} /> : null;
  if (fields.length === 0) {
    return (
      <figure className="chart" data-chart="documents">
        <figcaption>Documents: fields accepted unchanged at review</figcaption>
        <p>No document reviewed yet.</p>
      </figure>
    );
  }
  return (
    <BarChart
      name="documents"
      caption="Documents: fields accepted unchanged at review"
      unit="Accepted"
      max={1}
      data={fields.map((f) => ({
        key: f.field ?? "",
        label: f.field ?? "",
        value: f.accuracy ?? 0,
        text: `${percent(f.accuracy ?? 0)} of ${f.reviewed}${f.dropped ? ", dropped" : ""}`,
      }))}
    />
  );
}

/** Per operator over the past 30 days: bookings and no-shows, named as the members list names them. */
function OperatorLoad({ org, operators }: { org: string; operators: OperatorLoads }) {
  const members = useQuery({
    queryKey: ["members", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/members", { params: { path: { org } } })),
  });
  if (operators.length === 0) return null;
  const name = (id?: string) => {
    const m = members.data?.items?.find((m) => m.user_id === id);
    return m?.name || m?.email || "An operator";
  };
  return (
    <BarChart
      name="operators"
      caption="Bookings per operator, past 30 days"
      unit="Bookings"
      data={operators.map((o) => ({
        key: o.operator_id ?? "",
        label: name(o.operator_id),
        value: o.bookings ?? 0,
        text: `${o.bookings ?? 0} (${o.no_shows ?? 0} no-show${o.no_shows === 1 ? "" : "s"}, ${percent(o.utilisation ?? 0)} booked)`,
      }))}
    />
  );
}
