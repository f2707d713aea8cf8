import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { ActivityTable } from "./ActivityTable";
import { activityPageSize } from "./activity";
import { useMe } from "./me";
import { when } from "./time";

/** The signed-in person's account and what was done with it (sign-ins, resets, tokens…), newest first. */
export function Account() {
  const me = useMe();
  const activity = useInfiniteQuery({
    queryKey: ["my-activity"],
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/me/activity", { params: { query: { limit: activityPageSize, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const events = activity.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <>
      <h1>Your account</h1>
      {me.data && (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.data.name || "—"}</dd>
          <dt>Email</dt>
          <dd>
            {me.data.email} {me.data.email_verified ? "(confirmed)" : "(not confirmed yet)"}
          </dd>
          <dt>Since</dt>
          <dd>{me.data.created_at ? when(me.data.created_at) : "—"}</dd>
        </dl>
      )}
      <h2>Your activity</h2>
      <ErrorMessage error={activity.error} />
      {activity.isPending ? (
        <p>Loading…</p>
      ) : events.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ActivityTable events={events} caption="Your activity, newest first" />
      )}
      {activity.hasNextPage && (
        <button type="button" className="secondary" onClick={() => activity.fetchNextPage()} disabled={activity.isFetchingNextPage}>
          Show older
        </button>
      )}
    </>
  );
}
