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
