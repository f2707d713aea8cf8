import { Link } from "react-router";
import { useOrganisations } from "./orgs";
import { ErrorMessage } from "../components/ErrorMessage";
import { CreateOrganisation } from "./CreateOrganisation";

export function Organisations() {
  const orgs = useOrganisations();
  return (
    <>
      <h1>Your organisations</h1>
      <ErrorMessage error={orgs.error} />
      {orgs.data?.length === 0 && <p>You belong to no organisation yet. Create one below, or ask an administrator for an invitation.</p>}
      <ul className="orgs">
        {orgs.data?.map((o) => (
          <li key={o.id}>
            <Link to={`/orgs/${o.id}/intake`}>{o.name}</Link> <span className="muted">({o.role})</span>
          </li>
        ))}
      </ul>
      <CreateOrganisation />
    </>
  );
}
