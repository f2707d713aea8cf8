import { activityLabel, type ActivityEvent } from "./activity";
import { when } from "./time";

/**
 * Events newest first, as the audit log and one's own activity show them.
 * nameOf, when given, names people by id (an email where known): who acted, and the people the details
 * mention; details are the event's metadata as the API recorded it.
 */
export function ActivityTable(props: { events: ActivityEvent[]; caption: string; nameOf?: (id: string) => string | undefined }) {
  const { nameOf } = props;
  return (
    <table className="queue activity">
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What</th>
          {nameOf && <th scope="col">Who</th>}
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
            {nameOf && <td>{e.actor_id ? (nameOf(e.actor_id) ?? "A former member") : "The system"}</td>}
            <td className="details">{details(e, nameOf)}</td>
            <td>{e.ip || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Actions done to a member, who is named first in the details. */
const memberActions = new Set(["org.member.role_changed", "org.member.removed"]);

/**
 * The event's metadata as "key: value" pairs, which say what changed (a role, an email, who invited);
 * for an action done to a member, first which member (by the email recorded, once they have left).
 */
function details(e: ActivityEvent, nameOf?: (id: string) => string | undefined): string {
  const metadata = (e.metadata ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "object" ? JSON.stringify(v) : (nameOf?.(String(v)) ?? String(v)));
  const pairs: string[] = [];
  let entries = Object.entries(metadata).filter(([, v]) => v !== null && v !== "");
  if (memberActions.has(e.action ?? "") && e.subject_id) {
    const recorded = typeof metadata.email === "string" ? metadata.email : undefined;
    pairs.push(`member: ${nameOf?.(e.subject_id) ?? recorded ?? "a former member"}`);
    entries = entries.filter(([k]) => k !== "email");
  }
  pairs.push(...entries.map(([k, v]) => `${k.replaceAll("_", " ")}: ${text(v)}`));
  return pairs.join("; ") || "—";
}
