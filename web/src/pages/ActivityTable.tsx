import { activityLabel, type ActivityEvent } from "./activity";
import { when } from "./time";

/**
 * Events newest first, as the audit log and one's own activity show them.
 * actor names who acted (an email where known); details are the event's metadata as the API recorded it.
 */
export function ActivityTable(props: { events: ActivityEvent[]; caption: string; actor?: (e: ActivityEvent) => string }) {
  return (
    <table className="queue activity">
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What</th>
          {props.actor && <th scope="col">Who</th>}
          <th scope="col">Details</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e, i) => (
          <tr key={`${e.at}-${i}`} data-action={e.action}>
            <td>{e.at ? when(e.at) : "—"}</td>
            <td>
              {activityLabel[e.action ?? ""] ?? e.action}
              {e.actor_token_id && <span className="muted"> (by API token)</span>}
            </td>
            {props.actor && <td>{props.actor(e)}</td>}
            <td className="details">{details(e)}</td>
            <td>{e.ip || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The event's metadata as "key: value" pairs, which say what changed (a role, an email, a name). */
function details(e: ActivityEvent): string {
  const entries = Object.entries((e.metadata ?? {}) as Record<string, unknown>).filter(([, v]) => v !== null && v !== "");
  return entries.map(([k, v]) => `${k.replaceAll("_", " ")}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join("; ") || "—";
}
