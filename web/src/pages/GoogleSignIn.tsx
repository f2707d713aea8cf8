import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";

/**
 * "Sign in with Google": a plain link, as the API's start redirects to Google
 * and back. Shown only when the server has Google configured, so the button
 * never leads to a "not configured" answer.
 */
export function GoogleSignIn() {
  const methods = useQuery({
    queryKey: ["auth-methods"],
    queryFn: () => call(api.GET("/api/v1/auth/methods")),
    staleTime: Infinity,
  });
  if (!methods.data?.google) return null;
  return (
    <p>
      <a className="button-link" href="/api/v1/auth/google">
        Sign in with Google
      </a>
    </p>
  );
}
