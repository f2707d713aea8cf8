// The typed API client: paths and bodies come from schema.d.ts, which
// `make generate` writes from api/openapi.json.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

// Same origin as the API: the session cookie goes along, and the browser's
// Origin header satisfies the API's CSRF check.
export const api = createClient<paths>({ baseUrl: "" });

let onUnauthorized: () => void = () => {};

/** Sets what a 401 from a signed-in route does (send the person to sign in). */
export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f;
}

/** Tells the console the session is gone, for calls made without openapi-fetch (uploads). */
export function signedOutNow() {
  onUnauthorized();
}

// A 401 anywhere but the sign-in routes means the session is gone.
const signedOut: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/v1/auth/")) {
      onUnauthorized();
    }
  },
};
api.use(signedOut);
