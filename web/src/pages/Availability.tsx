import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { isStaff, useRole } from "./orgs";
import { useMembers } from "./people";
import { useMe } from "./me";
import { memberName, staffOf, weekdays, type Availability as Hours, type Window } from "./scheduling";
import { visitorZone } from "./time";
import { CalendarConnection, CalendarReturn } from "./CalendarConnection";

type Day = (typeof weekdays)[number][0];
type Override = NonNullable<Hours["overrides"]>[number];

/** An operator's working hours: windows per weekday and dates off or with other hours; their own to edit, anyone's for an ADMIN. */
export function Availability() {
  const { org = "", user_id: operator = "" } = useParams();
  const navigate = useNavigate();
  const role = useRole(org);
  const me = useMe();
  const members = useMembers(org, isStaff(role));
  const hours = useQuery({
    queryKey: ["availability", org, operator],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/operators/{user_id}/availability", { params: { path: { org, user_id: operator } } })),
  });
  const mayEdit = role === "ADMIN" || me.data?.id === operator;
  return (
    <>
      <h1>Working hours of {memberName(members.data, operator)}</h1>
      <CalendarReturn />
      {role === "ADMIN" && members.data && (
        <div className="field">
          <label htmlFor="operator">Operator</label>
          <select id="operator" value={operator} onChange={(e) => navigate(`/orgs/${org}/operators/${e.target.value}/availability`)}>
            {staffOf(members.data).map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name || m.email}
              </option>
            ))}
          </select>
        </div>
      )}
      <ErrorMessage error={hours.error} />
      {/* Fetched afresh before the form takes its values: a cached copy may be another editor's old hours. */}
      {hours.data && hours.isFetchedAfterMount ? (
        <HoursForm key={operator} org={org} operator={operator} hours={hours.data} readOnly={!mayEdit} />
      ) : (
        !hours.isError && <p>Loading…</p>
      )}
      {/* Only the operator connects their own calendar (the API refuses it for anyone else). */}
      {me.data?.id === operator && <CalendarConnection org={org} operator={operator} />}
    </>
  );
}

function HoursForm(props: { org: string; operator: string; hours: Hours; readOnly: boolean }) {
  const { org, operator, readOnly } = props;
  const queryClient = useQueryClient();
  const [zone, setZone] = useState(props.hours.time_zone || visitorZone());
  const [weekly, setWeekly] = useState<Record<string, Window[]>>(props.hours.weekly ?? {});
  const [overrides, setOverrides] = useState<Override[]>(props.hours.overrides ?? []);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT("/api/v1/orgs/{org}/operators/{user_id}/availability", {
          params: { path: { org, user_id: operator } },
          body: { time_zone: zone, weekly, overrides },
        }),
      ),
    onSuccess: (saved) => queryClient.setQueryData(["availability", org, operator], saved),
  });
  // Times that are no HH:MM are said beside their field before anything is sent: the API reads a
  // whole body or none, so it could only call them malformed JSON.
  const [badTimes, setBadTimes] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(save.error), ...badTimes };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = unreadableTimes(weekly, overrides);
    setBadTimes(bad);
    if (Object.keys(bad).length > 0) {
      save.reset();
      return;
    }
    save.mutate();
  };
  const setDay = (day: Day, windows: Window[]) => setWeekly((w) => ({ ...w, [day]: windows }));
  const setOverride = (i: number, o: Override) => setOverrides((os) => os.map((x, j) => (j === i ? o : x)));
  return (
    <form className="hours" onSubmit={submit} noValidate>
      <fieldset disabled={readOnly} className="plain">
        <Field label="Time zone" error={errors.time_zone} hint="IANA name, e.g. Europe/London: the hours below are in it">
          <input name="time_zone" value={zone} onChange={(e) => setZone(e.target.value)} />
        </Field>
        <h2>Every week</h2>
        {weekdays.map(([day, dayName]) => (
          <Windows
            key={day}
            name={dayName}
            path={`weekly.${day}`}
            windows={weekly[day] ?? []}
            errors={errors}
            onChange={(ws) => setDay(day, ws)}
          />
        ))}
        <h2>Dates</h2>
        {overrides.length === 0 && <p className="muted">No date with other hours.</p>}
        {overrides.map((o, i) => (
          <fieldset key={i} className="override" data-date={o.date} aria-describedby={errors[`overrides[${i}]`] ? `override-${i}-error` : undefined}>
            <legend>Date {i + 1}</legend>
            <Field label="Date" error={errors[`overrides[${i}].date`]}>
              <input type="date" name="override-date" value={o.date} onChange={(e) => setOverride(i, { ...o, date: e.target.value })} />
            </Field>
            <label className="choice">
              <input
                type="checkbox"
                name="override-closed"
                checked={o.closed ?? false}
                onChange={(e) => setOverride(i, { ...o, closed: e.target.checked, windows: e.target.checked ? [] : o.windows })}
              />
              Day off
            </label>
            {!o.closed && (
              <Windows
                name={`Hours on date ${i + 1}`}
                path={`overrides[${i}].windows`}
                windows={o.windows ?? []}
                errors={errors}
                onChange={(ws) => setOverride(i, { ...o, windows: ws })}
              />
            )}
            {errors[`overrides[${i}]`] && (
              <p className="field-error" id={`override-${i}-error`}>
                {errors[`overrides[${i}]`]}
              </p>
            )}
            <button type="button" className="secondary" onClick={() => setOverrides((os) => os.filter((_, j) => j !== i))}>
              Remove date {i + 1}
            </button>
          </fieldset>
        ))}
        <button
          type="button"
          className="secondary add-override"
          onClick={() => setOverrides((os) => [...os, { date: "", closed: true, windows: [] }])}
        >
          Add a date
        </button>
        {errors.overrides && <p className="field-error">{errors.overrides}</p>}
      </fieldset>
      {save.isError && Object.keys(errors).length === 0 && <ErrorMessage error={save.error} />}
      {!readOnly && (
        <button type="submit" disabled={save.isPending}>
          Save hours
        </button>
      )}
      <p role="status" id="hours-saved">
        {save.isSuccess && "Saved."}
      </p>
    </form>
  );
}

/** One day's working windows (HH:MM to HH:MM), each with its error beside it. */
function Windows(props: { name: string; path: string; windows: Window[]; errors: Record<string, string>; onChange: (ws: Window[]) => void }) {
  const { name, path, windows, errors, onChange } = props;
  const set = (i: number, w: Window) => onChange(windows.map((x, j) => (j === i ? w : x)));
  const dayError = errors[path];
  const errorId = `${path}-error`.replace(/[^a-z0-9-]/gi, "-");
  return (
    <fieldset className="windows" data-path={path} aria-describedby={dayError ? errorId : undefined}>
      <legend>{name}</legend>
      {windows.length === 0 && <p className="muted">Not working.</p>}
      {windows.map((w, i) => (
        <div key={i} className="window" data-index={i}>
          <Field label={`${name} from`} error={errors[`${path}[${i}].start`] ?? errors[`${path}[${i}]`]} hint="HH:MM">
            <input name="start" inputMode="numeric" value={w.start} onChange={(e) => set(i, { ...w, start: e.target.value })} />
          </Field>
          <Field label={`${name} until`} error={errors[`${path}[${i}].end`]}>
            <input name="end" inputMode="numeric" value={w.end} onChange={(e) => set(i, { ...w, end: e.target.value })} />
          </Field>
          <button type="button" className="secondary" onClick={() => onChange(windows.filter((_, j) => j !== i))} aria-label={`Remove ${name} hours ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      {dayError && (
        <p className="field-error" id={errorId}>
          {dayError}
        </p>
      )}
      <button type="button" className="secondary add-window" onClick={() => onChange([...windows, { start: "09:00", end: "17:00" }])} aria-label={`Add hours on ${name}`}>
        Add hours
      </button>
    </fieldset>
  );
}

const timeOfDay = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** The start and end fields, by the API's paths, whose text is no time of day from 00:00 to 24:00. */
function unreadableTimes(weekly: Record<string, Window[]>, overrides: Override[]): Record<string, string> {
  const bad: Record<string, string> = {};
  const check = (path: string, windows: Window[]) =>
    windows.forEach((w, i) => {
      for (const end of ["start", "end"] as const) {
        if (!timeOfDay.test(w[end])) bad[`${path}[${i}].${end}`] = "must be a time HH:MM, from 00:00 to 24:00";
      }
    });
  for (const [day, windows] of Object.entries(weekly)) check(`weekly.${day}`, windows);
  overrides.forEach((o, i) => !o.closed && check(`overrides[${i}].windows`, o.windows ?? []));
  return bad;
}
