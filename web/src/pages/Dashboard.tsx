import { useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";

const minutes = (s?: number) => (s == null ? "—" : `${Math.round(s / 60)} min`);

/** The organisation's counts as tables (readable by everyone), items per stage with a bar for scale. */
export function Dashboard() {
  const { org = "" } = useParams();
  const dash = useQuery({
    queryKey: ["dashboard", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/dashboard", { params: { path: { org } } })),
    refetchInterval: 10000,
  });
  if (dash.isError) {
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
  return (
    <>
      <h1>Dashboard</h1>
      <dl className="facts totals">
        <dt>Awaiting approval</dt>
        <dd data-count="awaiting_approval">{d.awaiting_approval ?? 0}</dd>
        <dt>SLA breaches</dt>
        <dd>{d.sla_breaches ?? 0}</dd>
        <dt>Approval wait (median, 90th percentile)</dt>
        <dd>
          {minutes(d.approval_wait_seconds?.p50)}, {minutes(d.approval_wait_seconds?.p90)}
        </dd>
        <dt>Auto-routed / approved / reassigned / rejected</dt>
        <dd>
          {routing.auto_routed ?? 0} / {routing.approved ?? 0} / {routing.reassigned ?? 0} / {routing.rejected ?? 0}
        </dd>
      </dl>
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
      <h2>Requests per day (last 30 days)</h2>
      {(d.intake_per_day ?? []).length === 0 ? (
        <p>No request yet.</p>
      ) : (
        <table className="queue">
          <caption className="visually-hidden">Requests received each day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Requests</th>
            </tr>
          </thead>
          <tbody>
            {d.intake_per_day?.map((v) => (
              <tr key={v.day}>
                <td>{v.day}</td>
                <td>{v.requests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
