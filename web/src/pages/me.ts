import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";

/** Who is signed in; asking sends a signed-out visitor to sign in (a 401). */
export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: () => call(api.GET("/api/v1/me")) });
}
