import { useNavigate, useParams } from "react-router";
import { useOrganisations } from "./orgs";

/** Moves between the person's organisations, keeping to the intake queue. */
export function OrgSwitcher() {
  const { org } = useParams();
  const navigate = useNavigate();
  const orgs = useOrganisations();
  if (!orgs.data || orgs.data.length === 0) return null;
  return (
    <label className="switcher">
      Organisation
      <select value={org ?? ""} onChange={(e) => e.target.value && navigate(`/orgs/${e.target.value}/intake`)}>
        {!org && <option value="">Choose…</option>}
        {orgs.data.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
