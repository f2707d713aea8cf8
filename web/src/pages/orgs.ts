import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";

/** The organisations the signed-in person belongs to, with their role in each. */
export function useOrganisations() {
  return useQuery({
    queryKey: ["orgs"],
    queryFn: () => call(api.GET("/api/v1/orgs")),
    select: (page) => page.items ?? [],
  });
}

/** The signed-in person's role in org (undefined while loading or when not a member). */
export function useRole(org: string) {
  return useOrganisations().data?.find((o) => o.id === org)?.role;
}

/** OPERATORs and ADMINs work the queue, the pipelines and the dashboard; CLIENTs only submit and follow. */
export function isStaff(role: string | undefined) {
  return role === "OPERATOR" || role === "ADMIN";
}
