import { useParams, useSearchParams } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { ActivityTable } from "./ActivityTable";
import { activityLabel, activityPageSize } from "./activity";
import { useMembers } from "./people";

/** The organisation's audit log (ADMIN), newest first, one page at a time, filtered by action in the URL. */
export function AuditLog() {
  const { org = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const action = params.get("action") ?? "";
  const members = useMembers(org);
  const log = useInfiniteQuery({
    queryKey: ["activity", org, action],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/orgs/{org}/activity", {
          params: { path: { org }, query: { action: action || undefined, limit: activityPageSize, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const events = log.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const errors = fieldErrors(log.error);
  const nameOf = (id: string) => members.data?.find((m) => m.user_id === id)?.email;
  return (
    <>
      <h1>Audit log</h1>
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Field label="Action" error={errors.action}>
          <select value={action} onChange={(e) => setParams(e.target.value ? { action: e.target.value } : {})}>
            <option value="">Any</option>
            {Object.entries(activityLabel).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {log.isError && Object.keys(errors).length === 0 && <ErrorMessage error={log.error} />}
      {log.isPending ? (
        <p>Loading…</p>
      ) : events.length === 0 ? (
        <p>Nothing recorded{action ? " for this action" : ""}.</p>
      ) : (
        <ActivityTable events={events} caption="The organisation's activity, newest first" nameOf={nameOf} />
      )}
      {log.hasNextPage && (
        <button type="button" className="secondary" onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          Show older
        </button>
      )}
    </>
  );
}
