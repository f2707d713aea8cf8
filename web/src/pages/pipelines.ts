import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";

/** The organisation's pipelines with their stages in order (OPERATOR and up). */
export function usePipelines(org: string) {
  return useQuery({
    queryKey: ["pipelines", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/pipelines", { params: { path: { org } } })),
    select: (page) => page.items ?? [],
  });
}

/** Stage names as typed, one a line; blank lines dropped, so none typed means the API's default stages. */
export function stageNames(text: string): string[] | undefined {
  const names = text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : undefined;
}
