import { useEffect, useRef, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { AskTwice } from "../components/AskTwice";
import { isStaff, useRole } from "./orgs";
import { useMembers } from "./people";
import { BookingPageSettings } from "./BookingPageSettings";
import { errorUnder, memberName, staffOf, useServices, wholeNumber, type Service, type ServiceInput } from "./scheduling";

/** The organisation's services (appointment types): an ADMIN creates, edits and deletes them; others read. */
export function Services() {
  const { org = "" } = useParams();
  const role = useRole(org);
  const isAdmin = role === "ADMIN";
  const services = useServices(org);
  const members = useMembers(org, isStaff(role));
  // The service being edited: its key, "new" for the create form, "" for none.
  const [editing, setEditing] = useState("");
  const items = services.data ?? [];
  const edited = items.find((s) => s.key === editing);
  // A service gone meanwhile (deleted elsewhere) has no form: saving it would create it again.
  const open = editing === "new" || edited ? editing : "";
  // Closing the form gives the focus back to the button that opened it.
  const close = () => {
    const opener = editing;
    flushSync(() => setEditing(""));
    document.getElementById(opener === "new" ? "new-service" : `edit-${opener}`)?.focus();
  };
  return (
    <>
      <h1>Services</h1>
      <ErrorMessage error={services.error} />
      {services.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No service yet.</p>
      ) : (
        <table className="queue services">
          <caption className="visually-hidden">Services</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Length</th>
              <th scope="col">Offered by</th>
              {isAdmin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.key} data-key={s.key}>
                <td>{s.name}</td>
                <td>{s.key}</td>
                <td>{s.duration_minutes} min</td>
                <td>{s.operators.map((id) => memberName(members.data, id)).join(", ")}</td>
                {isAdmin && (
                  <td className="inline">
                    <button type="button" className="secondary" id={`edit-${s.key}`} onClick={() => setEditing(s.key)} aria-label={`Edit ${s.name}`}>
                      Edit
                    </button>
                    <DeleteService org={org} service={s} onDeleted={() => setEditing((e) => (e === s.key ? "" : e))} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin && open === "" && (
        <button type="button" className="new-service" id="new-service" onClick={() => setEditing("new")}>
          New service
        </button>
      )}
      {isAdmin && open !== "" && (
        <ServiceForm key={editing} org={org} service={edited} operators={staffOf(members.data)} onDone={close} />
      )}
      {isAdmin && <BookingPageSettings org={org} />}
    </>
  );
}

function DeleteService({ org, service, onDeleted }: { org: string; service: Service; onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/orgs/{org}/services/{key}", { params: { path: { org, key: service.key } } })),
    onSuccess: () => {
      onDeleted();
      return queryClient.invalidateQueries({ queryKey: ["services", org] });
    },
  });
  return (
    <>
      {/* Asked twice: a deleted service is gone for good. */}
      <AskTwice
        label="Delete"
        ariaLabel={`Delete ${service.name}`}
        confirm={`Yes, delete ${service.name}`}
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
      <ErrorMessage error={remove.error} />
    </>
  );
}

/** Creates a service, or replaces one (PUT: the key stays); every field the API takes, its error beside it. */
function ServiceForm(props: { org: string; service?: Service; operators: Schemas["Member"][]; onDone: () => void }) {
  const { org, service: s } = props;
  const queryClient = useQueryClient();
  const text = (n: number | undefined) => (n === undefined ? "" : String(n));
  const [key, setKey] = useState(s?.key ?? "");
  const [name, setName] = useState(s?.name ?? "");
  const [duration, setDuration] = useState(text(s?.duration_minutes ?? 30));
  const [bufferBefore, setBufferBefore] = useState(text(s?.buffer_before_minutes));
  const [bufferAfter, setBufferAfter] = useState(text(s?.buffer_after_minutes));
  const [notice, setNotice] = useState(text(s?.min_notice_minutes));
  const [horizon, setHorizon] = useState(text(s?.horizon_days));
  const [interval, setInterval] = useState(text(s?.interval_minutes));
  const [dailyLimit, setDailyLimit] = useState(text(s?.daily_limit));
  const [operators, setOperators] = useState<string[]>(s?.operators ?? []);
  const [address, setAddress] = useState(s?.location.address ?? "");
  const [phone, setPhone] = useState(s?.location.phone ?? "");
  const [videoURL, setVideoURL] = useState(s?.location.video_url ?? "");
  const [reminders, setReminders] = useState(s ? s.reminder_offsets_minutes.join(", ") : "1440, 60");
  const [clientChanges, setClientChanges] = useState(s?.client_changes ?? true);
  const [cutoff, setCutoff] = useState(text(s?.client_change_cutoff_minutes ?? 1440));
  // Opened by Edit or New service: the focus moves to the form it opened.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const save = useMutation({
    mutationFn: () => {
      const body: ServiceInput = {
        name,
        duration_minutes: Number(duration),
        buffer_before_minutes: wholeNumber(bufferBefore),
        buffer_after_minutes: wholeNumber(bufferAfter),
        min_notice_minutes: wholeNumber(notice),
        horizon_days: wholeNumber(horizon),
        interval_minutes: wholeNumber(interval),
        daily_limit: wholeNumber(dailyLimit),
        operators,
        location: { address, phone, video_url: videoURL || undefined },
        reminder_offsets_minutes: reminders.split(",").filter((r) => r.trim() !== "").map(Number),
        client_changes: clientChanges,
        client_change_cutoff_minutes: wholeNumber(cutoff),
      };
      return s
        ? call(api.PUT("/api/v1/orgs/{org}/services/{key}", { params: { path: { org, key: s.key } }, body }))
        : call(api.POST("/api/v1/orgs/{org}/services", { params: { path: { org } }, body: { ...body, key } }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["services", org] });
      props.onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const toggle = (id: string, on: boolean) => setOperators((ops) => (on ? [...ops, id] : ops.filter((o) => o !== id)));
  const operatorsError = errorUnder(errors, "operators");
  const number = (name: string, value: string, set: (v: string) => void) => (
    <input name={name} type="number" inputMode="numeric" min={0} value={value} onChange={(e) => set(e.target.value)} />
  );
  return (
    <form className="service-form" onSubmit={submit} noValidate aria-labelledby="service-form-heading">
      <h2 id="service-form-heading" ref={heading} tabIndex={-1}>{s ? `Edit ${s.name}` : "New service"}</h2>
      {!s && (
        <Field label="Key" error={errors.key} hint="Lowercase letters, digits, - or _; it names the service in links and the API">
          <input name="key" value={key} onChange={(e) => setKey(e.target.value)} />
        </Field>
      )}
      <Field label="Name" error={errors.name}>
        <input name="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <div className="field-row">
        <Field label="Length (minutes)" error={errors.duration_minutes}>
          {number("duration_minutes", duration, setDuration)}
        </Field>
        <Field label="Starts every (minutes)" error={errors.interval_minutes} hint="Empty: the length">
          {number("interval_minutes", interval, setInterval)}
        </Field>
        <Field label="Free before (minutes)" error={errors.buffer_before_minutes}>
          {number("buffer_before_minutes", bufferBefore, setBufferBefore)}
        </Field>
        <Field label="Free after (minutes)" error={errors.buffer_after_minutes}>
          {number("buffer_after_minutes", bufferAfter, setBufferAfter)}
        </Field>
      </div>
      <div className="field-row">
        <Field label="Notice (minutes)" error={errors.min_notice_minutes} hint="How long from now a slot starts at the earliest">
          {number("min_notice_minutes", notice, setNotice)}
        </Field>
        <Field label="Bookable ahead (days)" error={errors.horizon_days} hint="Empty: 60">
          {number("horizon_days", horizon, setHorizon)}
        </Field>
        <Field label="Bookings a day per operator" error={errors.daily_limit} hint="0 or empty: no limit">
          {number("daily_limit", dailyLimit, setDailyLimit)}
        </Field>
      </div>
      <fieldset className="operators" aria-describedby={operatorsError ? "operators-error" : undefined}>
        <legend>Offered by</legend>
        {props.operators.map((m) => (
          <label key={m.user_id} className="choice">
            <input
              type="checkbox"
              name="operator"
              value={m.user_id}
              checked={operators.includes(m.user_id ?? "")}
              onChange={(e) => toggle(m.user_id ?? "", e.target.checked)}
            />
            {m.name || m.email}
          </label>
        ))}
        {operatorsError && (
          <p className="field-error" id="operators-error">
            {operatorsError}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Where</legend>
        <Field label="Address" error={errors["location.address"]}>
          <input name="address" maxLength={500} value={address} onChange={(e) => setAddress(e.target.value)} />
        </Field>
        <Field label="Phone" error={errors["location.phone"]}>
          <input name="phone" type="tel" maxLength={50} value={phone} onChange={(e) => setPhone(e.target.value)} />
        </Field>
        <Field label="Video link" error={errors["location.video_url"]} hint="https only">
          <input name="video_url" type="url" value={videoURL} onChange={(e) => setVideoURL(e.target.value)} />
        </Field>
      </fieldset>
      <Field label="Reminders (minutes before)" error={errorUnder(errors, "reminder_offsets_minutes")} hint="Up to 5, separated by commas, e.g. 1440, 60">
        <input name="reminders" value={reminders} onChange={(e) => setReminders(e.target.value)} />
      </Field>
      <label className="choice">
        <input type="checkbox" name="client_changes" checked={clientChanges} onChange={(e) => setClientChanges(e.target.checked)} />
        Clients may move or cancel their bookings
      </label>
      <Field label="Until (minutes before the start)" error={errors.client_change_cutoff_minutes}>
        {number("client_change_cutoff_minutes", cutoff, setCutoff)}
      </Field>
      {save.isError && Object.keys(errors).length === 0 && <ErrorMessage error={save.error} />}
      <div className="inline">
        <button type="submit" disabled={save.isPending}>
          {s ? "Save" : "Create"}
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
