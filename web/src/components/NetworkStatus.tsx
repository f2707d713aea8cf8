import { useSyncExternalStore } from "react";
import { onlineManager, useQueryClient } from "@tanstack/react-query";
import { NetworkError } from "../api/problem";

/**
 * Says so while the browser is offline or the server cannot be reached. Nothing
 * needs doing: queries wait while offline and fetch again when the network is
 * back (TanStack Query's onlineManager), and the message goes with their answers.
 */
export function NetworkStatus() {
  const online = useSyncExternalStore(
    (notify) => onlineManager.subscribe(notify),
    () => onlineManager.isOnline(),
  );
  const cache = useQueryClient().getQueryCache();
  // Only what a page on screen asks for: a query left behind keeps its old error.
  const unreachable = useSyncExternalStore(
    (notify) => cache.subscribe(notify),
    () =>
      cache
        .getAll()
        .some((q) => q.getObserversCount() > 0 && (q.state.fetchFailureReason ?? q.state.error) instanceof NetworkError),
  );
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
