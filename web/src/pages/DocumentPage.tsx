import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { documentLabel, label } from "../components/labels";
import { fieldLabel, reviewFields, settledDocument } from "./documents";
import { ReviewForm } from "./ReviewForm";
import { PageViewer } from "./PageViewer";
import { isStaff, useRole } from "./orgs";

/** A document: its progress until it is read, its fields, and the review form while it waits for one. */
export function DocumentPage() {
  const { org = "", id = "" } = useParams();
  const doc = useQuery({
    queryKey: ["documents", org, "one", id],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/documents/{id}", { params: { path: { org, id } } })),
    refetchInterval: (q) => (q.state.data && settledDocument.has(q.state.data.status) ? false : 1500),
  });
  // Reviewing is for OPERATORs and ADMINs.
  const mayReview = isStaff(useRole(org));
  const back = <Link to={`/orgs/${org}/documents`}>Back to the documents</Link>;
  if (doc.isError) {
    return (
      <>
        <h1>Document</h1>
        <ErrorMessage error={doc.error} />
        <p>{back}</p>
      </>
    );
  }
  const d = doc.data;
  if (!d) return <p>Loading…</p>;
  // The known fields first, in their order, then any other the extractor gave.
  const names = [...reviewFields.filter((n) => n in d.fields), ...Object.keys(d.fields).filter((n) => !(reviewFields as readonly string[]).includes(n))];
  return (
    <>
      <p>{back}</p>
      <h1>{d.filename || "Document"}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd id="document-status" aria-live="polite" data-status={d.status}>
          {documentLabel(d.status)}
        </dd>
        {d.reason && (
          <>
            <dt>Reason</dt>
            <dd>{d.reason}</dd>
          </>
        )}
        <dt>Kind</dt>
        <dd>{label(d.kind)}</dd>
        <dt>Pages read</dt>
        <dd>{d.pages_total > 0 ? `${d.pages_done} of ${d.pages_total}` : "not counted yet"}</dd>
        <dt>Uploaded</dt>
        <dd>{new Date(d.created_at).toLocaleString()}</dd>
        {d.duplicate_of && (
          <>
            <dt>Duplicate of</dt>
            <dd>
              <Link to={`/orgs/${org}/documents/${d.duplicate_of}`}>the earlier upload</Link>
            </dd>
          </>
        )}
        <dt>Original</dt>
        <dd>
          {d.urls?.original ? (
            <a href={d.urls.original} target="_blank" rel="noreferrer">
              Open the uploaded file
            </a>
          ) : d.stored ? (
            "stored"
          ) : (
            "not stored"
          )}
        </dd>
      </dl>
      <h2>Fields</h2>
      {names.length === 0 ? (
        <p>{settledDocument.has(d.status) ? "No field was found." : "Not read yet."}</p>
      ) : (
        <table className="queue fields">
          <caption className="visually-hidden">Fields found on the document</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">As printed</th>
              <th scope="col">Read as</th>
              <th scope="col">Confidence</th>
              <th scope="col">Page</th>
            </tr>
          </thead>
          <tbody>
            {names.map((n) => {
              const f = d.fields[n];
              return (
                <tr key={n} data-field={n}>
                  <th scope="row">{fieldLabel[n] ?? n}</th>
                  <td className="value">{f.value}</td>
                  <td className="normalized">{f.normalized}</td>
                  <td>{Math.round(f.confidence * 100)}%</td>
                  <td>{f.page ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {settledDocument.has(d.status) && d.pages_done > 0 && <PageViewer org={org} doc={d} />}
      {d.status === "needs_review" && mayReview && <ReviewForm org={org} doc={d} />}
      {d.annotations.length > 0 && (
        <>
          <h2>Corrections</h2>
          <ol className="history annotations">
            {d.annotations.map((a, i) => (
              <li key={i}>
                {a.at ? new Date(a.at).toLocaleString() + ": " : ""}
                {fieldLabel[a.field ?? ""] ?? a.field} {a.before ? `“${a.before}”` : "(empty)"} → “{a.after}”
                {a.note ? ` — ${a.note}` : ""}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
