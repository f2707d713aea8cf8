import { NavLink, useParams } from "react-router";
import { isAdmin, isStaff, useRole } from "./orgs";

/** The organisation's pages; a CLIENT is shown only those they may use. */
export function OrgNav() {
  const { org } = useParams();
  const role = useRole(org ?? "");
  if (!org) return null;
  const base = `/orgs/${org}`;
  return (
    <nav aria-label="Organisation" className="orgnav">
      <NavLink to={`${base}/intake`} end>
        Intake queue
      </NavLink>
      <NavLink to={`${base}/submit`}>Submit a request</NavLink>
      <NavLink to={`${base}/documents`}>Documents</NavLink>
      {isStaff(role) && <NavLink to={`${base}/pipelines`}>Pipelines</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/dashboard`}>Dashboard</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/calendar`}>Calendar</NavLink>}
      {isAdmin(role) && <NavLink to={`${base}/routing`}>Routing</NavLink>}
    </nav>
  );
}
