import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import type { Schemas } from "../api/client";

export type Role = Schemas["Role"];

/** The roles, highest first. */
export const roles: Role[] = ["ADMIN", "OPERATOR", "CLIENT"];

/** The roles someone with role may hand out (no higher than their own). */
export function rolesUpTo(role: Role | undefined): Role[] {
  return role ? roles.slice(roles.indexOf(role)) : [];
}

/** The organisation's members (OPERATOR and ADMIN may list them); enabled only when the caller may. */
export function useMembers(org: string, enabled = true) {
  return useQuery({
    queryKey: ["members", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/members", { params: { path: { org } } })),
    select: (page) => page.items ?? [],
    enabled,
  });
}
