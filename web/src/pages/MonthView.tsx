import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { addDays, localDay, mondayOf, parseDay } from "./time";

const hhmm = (instant: string) => new Date(instant).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

// Arrow keys move a day or a week; Home and End go to the week's ends.
const step: Record<string, (weekday: number) => number> = {
  ArrowLeft: () => -1,
  ArrowRight: () => 1,
  ArrowUp: () => -7,
  ArrowDown: () => 7,
  Home: (weekday) => -weekday,
  End: (weekday) => 6 - weekday,
};

/**
 * A month of the organisation's bookings and events (?month=YYYY-MM; this month
 * without): six weeks from the Monday before the 1st, a grid the arrow keys move
 * through day by day.
 */
export function MonthView() {
  const { org = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const asked = search.get("month");
  const today = new Date();
  // A month the URL names, or this one when it names none (or no real month: ?month=2024-13).
  const first = (asked && parseDay(`${asked}-01`)) || new Date(today.getFullYear(), today.getMonth(), 1);
  const start = mondayOf(first);
  const from = start.toISOString();
  const to = addDays(start, 42).toISOString();
  const month = useQuery({
    queryKey: ["calendar", org, "month", from],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/calendar", { params: { path: { org }, query: { from, to } } })),
  });
  const monthKey = (d: Date) => localDay(d).slice(0, 7);
  const go = (months: number) => setSearch({ month: monthKey(new Date(first.getFullYear(), first.getMonth() + months, 1)) });
  const days = Array.from({ length: 42 }, (_, i) => addDays(start, i));
  const title = first.toLocaleDateString("en-GB", { month: "long", year: "numeric" });
  const byDay = (day: string) => (month.data?.items ?? []).filter((e) => localDay(new Date(e.start)) === day);
  // The day the grid's one tab stop is on: today in this month, else the 1st.
  const [focused, setFocused] = useState(() => localDay(today));
  const shownFocus = days.some((d) => localDay(d) === focused && d.getMonth() === first.getMonth()) ? focused : localDay(first);
  const grid = useRef<HTMLTableElement>(null);
  // The day an arrow key left the month for: the focus follows once its month shows (the URL changes after the focus state).
  const refocus = useRef("");
  useEffect(() => {
    if (!refocus.current || refocus.current !== shownFocus) return;
    refocus.current = "";
    grid.current?.querySelector<HTMLElement>(`td[data-day="${shownFocus}"]`)?.focus();
  }, [shownFocus]);
  const onKey = (e: KeyboardEvent<HTMLElement>, day: Date, weekday: number) => {
    // A day's bookings are one Enter away (the grid is one tab stop); Escape goes back to the day.
    if (e.target !== e.currentTarget) {
      if (e.key === "Escape") e.currentTarget.focus();
      return;
    }
    if (e.key === "Enter") {
      e.currentTarget.querySelector<HTMLElement>("a")?.focus();
      return;
    }
    const move = step[e.key];
    if (!move) return;
    e.preventDefault();
    const target = addDays(day, move(weekday));
    const next = localDay(target);
    setFocused(next);
    if (monthKey(target) === monthKey(first)) {
      grid.current?.querySelector<HTMLElement>(`td[data-day="${next}"]`)?.focus();
    } else {
      refocus.current = next;
      setSearch({ month: monthKey(target) });
    }
  };
  return (
    <>
      <h1 id="month-heading">{title}</h1>
      <nav aria-label="Months" className="week-nav">
        <button type="button" className="secondary" onClick={() => go(-1)}>
          Previous month
        </button>
        <button type="button" className="secondary" onClick={() => setSearch({})}>
          This month
        </button>
        <button type="button" className="secondary" onClick={() => go(1)}>
          Next month
        </button>
      </nav>
      <p className="view-switch">
        <Link to={`/orgs/${org}/calendar`}>Week view</Link>
      </p>
      <ErrorMessage error={month.error} />
      <table ref={grid} className="month" role="grid" aria-labelledby="month-heading" data-month={monthKey(first)} aria-busy={month.isFetching}>
        <thead>
          <tr>
            {days.slice(0, 7).map((d) => (
              <th key={d.getDay()} scope="col">
                {d.toLocaleDateString("en-GB", { weekday: "short" })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[0, 1, 2, 3, 4, 5].map((week) => (
            <tr key={week}>
              {days.slice(week * 7, week * 7 + 7).map((d, weekday) => {
                const day = localDay(d);
                const entries = byDay(day);
                return (
                  <td
                    key={day}
                    data-day={day}
                    className={d.getMonth() === first.getMonth() ? "in-month" : "other-month"}
                    tabIndex={day === shownFocus ? 0 : -1}
                    onKeyDown={(e) => onKey(e, d, weekday)}
                    onFocus={(e) => e.target === e.currentTarget && setFocused(day)}
                    aria-current={day === localDay(today) ? "date" : undefined}
                  >
                    <span className="month-day">
                      <span aria-hidden="true">{d.getDate()}</span>
                      <span className="visually-hidden">{d.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" })}</span>
                    </span>
                    <ul className="entries">
                      {entries.map((e) => (
                        <li key={e.kind + e.id} className={`entry ${e.kind}`} data-kind={e.kind} data-id={e.id}>
                          <span className="entry-time">{hhmm(e.start)}</span>{" "}
                          {e.kind === "booking" ? (
                            <Link to={`/orgs/${org}/bookings/${e.id}`} tabIndex={-1}>
                              {e.title}
                            </Link>
                          ) : (
                            <span>
                              {e.title} <span className="muted">(event)</span>
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
