import { NavLink, useParams } from "react-router";
import { isStaff, useRole } from "./orgs";
import { useMe } from "./me";

/** The organisation's pages; a CLIENT is shown only those they may use. */
export function OrgNav() {
  const { org } = useParams();
  const role = useRole(org ?? "");
  const me = useMe();
  // Drawn once the role is known, so no link shows that is not the person's to follow.
  if (!org || !role) return null;
  const base = `/orgs/${org}`;
  return (
    <nav aria-label="Organisation" className="orgnav">
      <NavLink to={`${base}/intake`} end>
        Intake queue
      </NavLink>
      <NavLink to={`${base}/submit`}>Submit a request</NavLink>
      <NavLink to={`${base}/documents`}>Documents</NavLink>
      {isStaff(role) && <NavLink to={`${base}/vendors`}>Vendors</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/pipelines`}>Pipelines</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/dashboard`}>Dashboard</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/calendar`}>Calendar</NavLink>}
      <NavLink to={`${base}/bookings`}>{isStaff(role) ? "Bookings" : "My bookings"}</NavLink>
      {isStaff(role) && <NavLink to={`${base}/services`}>Services</NavLink>}
      {isStaff(role) && me.data && <NavLink to={`${base}/operators/${me.data.id}/availability`}>My hours</NavLink>}
      {isStaff(role) && <NavLink to={`${base}/members`}>Members</NavLink>}
      {role && <NavLink to={`${base}/tokens`}>API tokens</NavLink>}
      {role === "ADMIN" && <NavLink to={`${base}/audit`}>Audit log</NavLink>}
      {role === "ADMIN" && <NavLink to={`${base}/routing`}>Routing</NavLink>}
    </nav>
  );
}
