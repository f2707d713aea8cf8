import { Link, useParams } from "react-router";
import { ErrorMessage } from "../components/ErrorMessage";
import { useRole } from "./orgs";
import { usePipelines } from "./pipelines";
import { PipelineForm } from "./PipelineForm";

export function Pipelines() {
  const { org = "" } = useParams();
  const pipelines = usePipelines(org);
  const isAdmin = useRole(org) === "ADMIN";
  return (
    <>
      <h1>Pipelines</h1>
      <ErrorMessage error={pipelines.error} />
      {pipelines.isPending ? (
        <p>Loading…</p>
      ) : pipelines.data?.length === 0 ? (
        <p>No pipeline yet.{isAdmin ? " Create the first below." : " An administrator creates them."}</p>
      ) : (
        <table className="queue pipelines">
          <caption className="visually-hidden">Pipelines and their stages</caption>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Key</th>
              <th scope="col">Stages</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.data?.map((p) => (
              <tr key={p.id} data-key={p.key}>
                <td>
                  <Link to={`/orgs/${org}/pipelines/${p.key}`}>{p.name}</Link>
                  {p.description && <p className="muted">{p.description}</p>}
                </td>
                <td>
                  <code>{p.key}</code>
                </td>
                <td>{p.stages?.map((s) => s.name).join(" → ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin && <PipelineForm org={org} />}
    </>
  );
}
