import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { AskTwice } from "../components/AskTwice";
import { when } from "./time";

/**
 * How connecting went, from the API's return from Google's consent page (?calendar=), said in a live
 * region that is on the page, empty, from its first render: a screen reader announces text put into a
 * region it already knows, rarely one that arrives filled.
 */
export function CalendarReturn() {
  const [params] = useSearchParams();
  const outcome = params.get("calendar") ?? "";
  const [said, setSaid] = useState("");
  useEffect(() => {
    const put = setTimeout(() => setSaid(Object.hasOwn(returned, outcome) ? returned[outcome] : ""), 100);
    return () => clearTimeout(put);
  }, [outcome]);
  return (
    <p role="status" id="google-returned">
      {said}
    </p>
  );
}

/** What each ?calendar= outcome means. */
const returned: Record<string, string> = {
  connected: "Your Google Calendar is connected: its busy times now block your free times, and your bookings go into it.",
  refused: "Your Google Calendar was not connected: access was not allowed on Google's page.",
  failed: "Your Google Calendar was not connected: Google's page ended with an error. Try again.",
};

const stateLabel = {
  not_connected: "Not connected",
  connected: "Connected",
  broken: "Broken: Google no longer accepts the connection; connect again to resume",
};

/** The signed-in operator's Google Calendar connection: its state, Connect (Google's consent page) and Disconnect. */
export function CalendarConnection({ org, operator }: { org: string; operator: string }) {
  const queryClient = useQueryClient();
  const [, setParams] = useSearchParams();
  const path = { params: { path: { org, user_id: operator } } };
  const status = useQuery({
    queryKey: ["calendar-connection", org, operator],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/operators/{user_id}/calendar", path)),
  });
  const connect = useMutation({
    mutationFn: () => call(api.POST("/api/v1/orgs/{org}/operators/{user_id}/calendar/connect", path)),
    // Google's consent page, in this tab: it comes back to the API's callback, signed in.
    onSuccess: (answer) => window.location.assign(answer.authorization_url),
  });
  const disconnect = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/orgs/{org}/operators/{user_id}/calendar", path)),
    onSuccess: () => {
      // What Google's page answered earlier no longer holds.
      setParams((p) => (p.delete("calendar"), p), { replace: true });
      return queryClient.invalidateQueries({ queryKey: ["calendar-connection", org, operator] });
    },
  });
  const st = status.data;
  return (
    <section aria-labelledby="google-heading" className="calendar-connection" data-state={st?.state} data-enabled={st?.enabled}>
      <h2 id="google-heading">Google Calendar</h2>
      <ErrorMessage error={status.error} />
      {st && !st.enabled && (
        <p id="google-state">
          Not configured on this server{st.missing_settings?.length ? ` (missing ${st.missing_settings.join(", ")})` : ""}.
        </p>
      )}
      {st?.enabled && (
        <>
          <dl className="facts" id="google-state">
            <dt>State</dt>
            <dd>{stateLabel[st.state]}</dd>
            {st.last_sync_at && (
              <>
                <dt>Last sync</dt>
                <dd>{when(st.last_sync_at)}</dd>
              </>
            )}
            {st.last_error && (
              <>
                <dt>Last error</dt>
                <dd>{st.last_error}</dd>
              </>
            )}
          </dl>
          <ErrorMessage error={connect.error ?? disconnect.error} />
          <div className="inline">
            <button type="button" disabled={connect.isPending} onClick={() => connect.mutate()}>
              {st.state === "not_connected" ? "Connect" : "Connect again"}
            </button>
            {st.state !== "not_connected" && (
              <AskTwice label="Disconnect" confirm="Yes, disconnect" pending={disconnect.isPending} onConfirm={() => disconnect.mutate()} />
            )}
          </div>
        </>
      )}
    </section>
  );
}
