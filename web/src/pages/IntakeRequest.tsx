import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { label } from "../components/labels";
import { DecisionForm } from "./DecisionForm";
import { isStaff, useRole } from "./orgs";

// Requests on their way (received) or waiting for a person change on their own: poll them.
const settled = new Set(["routed", "rejected"]);

export function IntakeRequest() {
  const { org = "", id = "" } = useParams();
  const request = useQuery({
    queryKey: ["intake", org, "request", id],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/intake/{id}", { params: { path: { org, id } } })),
    refetchInterval: (q) => (q.state.data && settled.has(q.state.data.status ?? "") ? false : 2000),
  });
  // Deciding is for OPERATORs and ADMINs; a CLIENT sees the request only.
  const mayDecide = isStaff(useRole(org));
  const back = <Link to={`/orgs/${org}/intake`}>Back to the queue</Link>;
  if (request.isError) {
    return (
      <>
        <h1>Request</h1>
        <ErrorMessage error={request.error} />
        <p>{back}</p>
      </>
    );
  }
  const r = request.data;
  if (!r) return <p>Loading…</p>;
  const contact = (r.contact ?? {}) as { name?: string; email?: string; phone?: string };
  const history = (r.history ?? []) as { kind?: string; at?: string; note?: string }[];
  return (
    <>
      <p>{back}</p>
      <h1>{r.subject || "(no subject)"}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd id="request-status" aria-live="polite" data-status={r.status}>
          {label(r.status)}
        </dd>
        <dt>Priority</dt>
        <dd>{label(r.priority)}</dd>
        <dt>Pipeline</dt>
        <dd>
          {r.routing?.pipeline || "—"}
          {r.routing?.confidence != null && ` (confidence ${Math.round(r.routing.confidence * 100)}%)`}
          {r.routing?.decided_by && `, decided by ${r.routing.decided_by}`}
        </dd>
        {r.routing?.reason && (
          <>
            <dt>Reason</dt>
            <dd>{r.routing.reason}</dd>
          </>
        )}
        <dt>From</dt>
        <dd>{[contact.name, contact.email, contact.phone].filter(Boolean).join(", ") || "—"}</dd>
        <dt>Received</dt>
        <dd>{r.created_at ? new Date(r.created_at).toLocaleString() : "—"}</dd>
      </dl>
      <h2>Message</h2>
      <p className="body">{r.body}</p>
      {r.status === "awaiting_approval" && mayDecide && <DecisionForm org={org} id={id} proposed={r.routing?.pipeline} />}
      {history.length > 0 && (
        <>
          <h2>History</h2>
          <ol className="history">
            {history.map((h, i) => (
              <li key={i}>
                {h.at ? new Date(h.at).toLocaleString() + ": " : ""}
                {h.kind}
                {h.note ? ` — ${h.note}` : ""}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
