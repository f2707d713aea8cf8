import { useEffect, useState, useSyncExternalStore } from "react";
import { onlineManager, useQueryClient, type Query } from "@tanstack/react-query";
import { NetworkError } from "../api/problem";

// The first wait before asking again, doubled after each try up to the longest.
const firstRetry = 1000;
const longestRetry = 10000;

/**
 * Says so while the browser is offline or the server cannot be reached. Queries wait
 * while offline and fetch again when the network is back (TanStack Query's onlineManager).
 * A query that gave up on an unreachable server is asked again here on a growing delay,
 * since a page that does not poll would never ask again; the message goes with the first answer.
 */
export function NetworkStatus() {
  const online = useSyncExternalStore(
    (notify) => onlineManager.subscribe(notify),
    () => onlineManager.isOnline(),
  );
  const queryClient = useQueryClient();
  const cache = queryClient.getQueryCache();
  // Set when a query a page on screen asks for fails to reach the server, and cleared only
  // by an answer: a refetch that starts clears a query's error, which must not hide the banner.
  const [unreachable, setUnreachable] = useState(false);
  useEffect(
    () =>
      cache.subscribe((event) => {
        if (event.type !== "updated") return;
        const { action, query } = event;
        if (action.type === "success") setUnreachable(false);
        else if ((action.type === "failed" || action.type === "error") && action.error instanceof NetworkError && query.getObserversCount() > 0)
          setUnreachable(true);
      }),
    [cache],
  );
  useEffect(() => {
    if (!online || !unreachable) return;
    let delay = firstRetry;
    let timer: number;
    const again = () => {
      void queryClient.refetchQueries({ type: "active", predicate: gaveUp });
      delay = Math.min(delay * 2, longestRetry);
      timer = window.setTimeout(again, delay);
    };
    timer = window.setTimeout(again, delay);
    return () => window.clearTimeout(timer);
  }, [online, unreachable, queryClient]);
  return (
    <div role="status" className="network">
      {!online ? (
        <p>You are offline. What you see may be out of date; it will update when the connection is back.</p>
      ) : unreachable ? (
        <p>The server cannot be reached. Trying again…</p>
      ) : null}
    </div>
  );
}

// A query whose own retries ended on an unreachable server, not one still retrying.
function gaveUp(q: Query) {
  return q.state.status === "error" && q.state.fetchStatus === "idle" && q.state.error instanceof NetworkError;
}
