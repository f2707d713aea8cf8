import { useNavigate, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { useMe } from "./me";

/**
 * The mailed invitation link. It sits among the signed-in pages, so a
 * signed-out visitor signs in (or signs up) first and comes back here; the
 * person then accepts, as the account the API will check the address of.
 */
export function AcceptInvitation() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const accept = useMutation({
    mutationFn: () => call(api.POST("/api/v1/invitations/accept", { body: { token: params.get("token") ?? "" } })),
    onSuccess: async (org) => {
      await queryClient.invalidateQueries({ queryKey: ["orgs"] });
      navigate(`/orgs/${org.id}/intake`, { replace: true });
    },
  });
  const errors = fieldErrors(accept.error);
  return (
    <div className="narrow-content">
      <h1>Join an organisation</h1>
      <p>
        You were invited to join an organisation. Accept to join it as <strong>{me.data?.email}</strong>: the invitation names the
        address it is for.
      </p>
      {errors.token && (
        <p className="error" role="alert">
          This invitation link is invalid, expired, revoked or already used. Ask the organisation for a new one.
        </p>
      )}
      {accept.isError && !errors.token && <ErrorMessage error={accept.error} />}
      <button type="button" disabled={accept.isPending} onClick={() => accept.mutate()}>
        Accept the invitation
      </button>
    </div>
  );
}
