import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import { call } from "../api/problem";
import { safeNext } from "./next";

/**
 * "Sign in with Google": a plain link, as the API's start redirects to Google
 * and back, to where the person was going (an invitation's page, say). Shown
 * only when the server has Google configured, so the button never leads to a
 * "not configured" answer.
 */
export function GoogleSignIn() {
  const [params] = useSearchParams();
  const methods = useQuery({
    queryKey: ["auth-methods"],
    queryFn: () => call(api.GET("/api/v1/auth/methods")),
    staleTime: Infinity,
  });
  if (!methods.data?.google) return null;
  const next = safeNext(params.get("next"));
  return (
    <p>
      <a className="button-link" href={next === "/" ? "/api/v1/auth/google" : `/api/v1/auth/google?${new URLSearchParams({ next })}`}>
        Sign in with Google
      </a>
    </p>
  );
}
