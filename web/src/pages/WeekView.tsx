import { Link, useParams, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import type { paths } from "../api/schema";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { addDays, dayLabel, localDay, mondayOf, parseDay } from "./time";

type Entry = paths["/api/v1/orgs/{org}/calendar"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

/** A week of the organisation's bookings and events (?week=YYYY-MM-DD, its Monday; this week without). */
export function WeekView() {
  const { org = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const asked = search.get("week");
  // A week the URL names, or this one when it names none (or no real day).
  const monday = mondayOf((asked && parseDay(asked)) || new Date());
  const from = monday.toISOString();
  const to = addDays(monday, 7).toISOString();
  const week = useQuery({
    queryKey: ["calendar", org, from],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/calendar", { params: { path: { org }, query: { from, to } } })),
  });
  const go = (days: number) => setSearch({ week: localDay(addDays(monday, days)) });
  const days = Array.from({ length: 7 }, (_, i) => localDay(addDays(monday, i)));
  const byDay = (day: string) =>
    (week.data?.items ?? []).filter((e) => localDay(new Date(e.start)) === day).sort((a, b) => a.start.localeCompare(b.start));
  return (
    <>
      <h1>Week of {dayLabel(days[0])}</h1>
      <nav aria-label="Weeks" className="week-nav">
        <button type="button" className="secondary" onClick={() => go(-7)}>
          Previous week
        </button>
        <button type="button" className="secondary" onClick={() => setSearch({})}>
          This week
        </button>
        <button type="button" className="secondary" onClick={() => go(7)}>
          Next week
        </button>
      </nav>
      <p className="view-switch">
        <Link to={`/orgs/${org}/calendar/month`}>Month view</Link>
      </p>
      <ErrorMessage error={week.error} />
      {week.isPending && <p>Loading…</p>}
      <div className="week" data-week={days[0]} aria-busy={week.isFetching}>
        {days.map((day) => (
          <section key={day} className="day" data-day={day} aria-labelledby={`day-${day}`}>
            <h2 id={`day-${day}`}>{dayLabel(day)}</h2>
            <ul className="entries">
              {byDay(day).map((e) => (
                <EntryCard key={e.kind + e.id} org={org} entry={e} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </>
  );
}

const hhmm = (instant: string) => new Date(instant).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

function EntryCard({ org, entry: e }: { org: string; entry: Entry }) {
  return (
    <li className={`entry ${e.kind}`} data-kind={e.kind} data-id={e.id} data-start={e.start}>
      <span className="entry-time">
        {hhmm(e.start)}–{hhmm(e.end)}
      </span>{" "}
      {e.kind === "booking" ? (
        <Link className="entry-title" to={`/orgs/${org}/bookings/${e.id}`}>
          {e.title}
        </Link>
      ) : (
        <span className="entry-title">{e.title}</span>
      )}
      {e.kind === "event" && <span className="muted"> (event)</span>}
    </li>
  );
}
