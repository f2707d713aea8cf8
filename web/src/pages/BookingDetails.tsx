import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors, ProblemError } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { isStaff, useOrganisations, useRole } from "./orgs";
import { useMembers } from "./people";
import { bookingStatusLabel, memberName, takenAlternatives, useFocusAfterStatusChange, type Booking } from "./scheduling";
import { FreeTimes, TimeTaken } from "./SlotPicker";
import { localDay, mondayOf, slotSpan, visitorZone, when } from "./time";

/**
 * One booking of the organisation (/orgs/{org}/bookings/{id}): staff move,
 * cancel and, after its end, record whether it took place; a CLIENT sees only
 * their own and moves or cancels it while the service lets them.
 */
export function BookingDetails() {
  const { org = "", id = "" } = useParams();
  const organisations = useOrganisations();
  const role = useRole(org);
  const members = useMembers(org, isStaff(role));
  const booking = useQuery({
    queryKey: ["booking", org, id],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/bookings/{id}", { params: { path: { org, id } } })),
  });
  const b = booking.data;
  const heading = useFocusAfterStatusChange<HTMLHeadingElement>(b?.status);
  const service = useQuery({
    queryKey: ["service", org, b?.service],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/services/{key}", { params: { path: { org, key: b?.service ?? "" } } })),
    enabled: !!b,
  });
  if (booking.isError) {
    return (
      <>
        <h1>Booking</h1>
        <ErrorMessage error={booking.error} />
      </>
    );
  }
  if (!role && organisations.isError) {
    // Whose booking this is to show depends on the person's role, from the organisations they belong to.
    return (
      <>
        <h1>Booking</h1>
        <ErrorMessage error={organisations.error} />
      </>
    );
  }
  if (!b || !role) return <p>Loading…</p>;
  const staffMember = isStaff(role);
  const svc = service.data;
  // What the API lets a client change (bookings.MayChange): the service allows it, until its cutoff.
  const clientMayChange = !!svc && svc.client_changes && Date.now() < Date.parse(b.start) - svc.client_change_cutoff_minutes * 60_000;
  const changeable = b.status === "confirmed" && (staffMember || clientMayChange);
  const ended = Date.now() >= Date.parse(b.end);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {svc?.name ?? b.service}
      </h1>
      <dl className="facts" id="booking" data-status={b.status} data-start={b.start}>
        <dt>When</dt>
        <dd id="booking-when">
          {when(b.start)}–{new Date(b.end).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}
        </dd>
        <dt>Status</dt>
        <dd id="booking-status" aria-live="polite">
          {bookingStatusLabel[b.status]}
        </dd>
        {staffMember && (
          <>
            <dt>With</dt>
            <dd>{memberName(members.data, b.operator_id)}</dd>
          </>
        )}
        <dt>For</dt>
        <dd>
          {b.client.name} {b.client.email && <>({b.client.email})</>} {b.client.phone}
        </dd>
        {b.notes && (
          <>
            <dt>Notes</dt>
            <dd className="body">{b.notes}</dd>
          </>
        )}
        {b.cancel_reason && (
          <>
            <dt>Why cancelled</dt>
            <dd>{b.cancel_reason}</dd>
          </>
        )}
        {b.attention && (
          <>
            <dt>Needs a look</dt>
            <dd>{b.attention}</dd>
          </>
        )}
      </dl>
      {staffMember && (
        <p>
          <Link to={`/orgs/${org}/calendar?week=${localDay(mondayOf(new Date(b.start)))}`}>See it in the week</Link>
        </p>
      )}
      {b.status === "confirmed" && !staffMember && svc && !clientMayChange && (
        <p>{svc.client_changes ? "It is too close to the start to change it here: contact us." : "Contact us to change this booking."}</p>
      )}
      {changeable && !ended && <Reschedule org={org} booking={b} />}
      {changeable && <Cancel org={org} booking={b} />}
      {staffMember && b.status === "confirmed" && ended && <Outcome org={org} booking={b} />}
    </>
  );
}

/**
 * A new retry key after a refusal: the API makes the key the workflow's Update
 * id, and a refused change answers the same refusal for that id forever. (A 5xx
 * keeps its key: the change may have been applied, and the same key finds out.)
 */
function refused(err: unknown): boolean {
  return err instanceof ProblemError && err.problem.status < 500;
}

/** After a failed change the booking (and its free times) may have moved on: show them as they are now. */
function useBookingStale(org: string, id: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["booking", org, id] }),
      queryClient.invalidateQueries({ queryKey: ["slots", org] }),
    ]);
}

function useBookingChanged(org: string) {
  const queryClient = useQueryClient();
  return (b: Booking) => {
    queryClient.setQueryData(["booking", org, b.id], b);
    // Its old time is free and lists and calendars have changed.
    return Promise.all(
      ["slots", "bookings", "calendar"].map((k) => queryClient.invalidateQueries({ queryKey: [k, org] })),
    );
  };
}

function Reschedule({ org, booking: b }: { org: string; booking: Booking }) {
  const slots = useQuery({
    queryKey: ["slots", org, b.service, b.operator_id],
    queryFn: () =>
      call(
        api.GET("/api/v1/orgs/{org}/services/{key}/slots", {
          params: { path: { org, key: b.service }, query: { ...slotSpan(), tz: visitorZone(), operator: b.operator_id } },
        }),
      ),
  });
  const [start, setStart] = useState("");
  // One key per chosen time: a double submit moves once, another time is another move.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const choose = (s: string) => {
    if (s !== start) setKey(crypto.randomUUID()); // the same time again keeps its key: it may have been applied
    setStart(s);
  };
  const changed = useBookingChanged(org);
  const stale = useBookingStale(org, b.id);
  const move = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/orgs/{org}/bookings/{id}/reschedule", {
          params: { path: { org, id: b.id }, header: { "Idempotency-Key": key } },
          body: { start },
        }),
      ),
    onSuccess: (moved) => {
      choose("");
      return changed(moved);
    },
    onError: (err) => {
      if (takenAlternatives(err)) setStart(""); // no longer a time to choose
      if (refused(err)) setKey(crypto.randomUUID());
      return stale();
    },
  });
  const errors = fieldErrors(move.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    move.mutate();
  };
  return (
    <section aria-labelledby="move-heading">
      <h2 id="move-heading">Move it</h2>
      <form className="reschedule" onSubmit={submit}>
        <FreeTimes slots={slots} value={start} onChange={choose} />
        {errors.start && <p className="field-error">{errors.start}</p>}
        {takenAlternatives(move.error) ? (
          <TimeTaken alternatives={takenAlternatives(move.error) ?? []} value={start} onChoose={choose} />
        ) : (
          move.isError && !errors.start && <ErrorMessage error={move.error} />
        )}
        <button type="submit" disabled={!start || move.isPending}>
          Move to this time
        </button>
      </form>
      <p role="status" id="moved">
        {move.isSuccess && `Moved to ${when(move.data.start)}.`}
      </p>
    </section>
  );
}

function Cancel({ org, booking: b }: { org: string; booking: Booking }) {
  const [asked, setAsked] = useState(false);
  const [reason, setReason] = useState("");
  // One key per confirmation: a double submit cancels once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const changed = useBookingChanged(org);
  const stale = useBookingStale(org, b.id);
  const cancel = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/orgs/{org}/bookings/{id}/cancel", {
          params: { path: { org, id: b.id }, header: { "Idempotency-Key": key } },
          body: reason ? { reason } : {},
        }),
      ),
    onSuccess: changed,
    onError: (err) => {
      if (refused(err)) setKey(crypto.randomUUID());
      return stale();
    },
  });
  const errors = fieldErrors(cancel.error);
  return (
    <section aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Cancel it</h2>
      {/* Asked twice: a cancellation cannot be taken back. */}
      {asked ? (
        <form
          className="cancel"
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate();
          }}
          noValidate
        >
          <Field label="Why (optional, the client is told)" error={errors.reason}>
            {/* Mounted by "Cancel this booking": the focus follows to what comes next. */}
            <input name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
          </Field>
          {cancel.isError && !errors.reason && <ErrorMessage error={cancel.error} />}
          <button type="submit" className="danger" disabled={cancel.isPending}>
            Yes, cancel this booking
          </button>
        </form>
      ) : (
        <button type="button" className="secondary" onClick={() => setAsked(true)}>
          Cancel this booking
        </button>
      )}
    </section>
  );
}

/** After the end, whether the booking took place (completed) or the client did not come (no_show). */
function Outcome({ org, booking: b }: { org: string; booking: Booking }) {
  // One key per answer: a double click records once; the other answer is another change.
  const [keys, setKeys] = useState(() => ({ completed: crypto.randomUUID(), no_show: crypto.randomUUID() }));
  const changed = useBookingChanged(org);
  const stale = useBookingStale(org, b.id);
  const record = useMutation({
    mutationFn: (outcome: "completed" | "no_show") =>
      call(
        api.POST("/api/v1/orgs/{org}/bookings/{id}/outcome", {
          params: { path: { org, id: b.id }, header: { "Idempotency-Key": keys[outcome] } },
          body: { outcome },
        }),
      ),
    onSuccess: changed,
    onError: (err, outcome) => {
      if (refused(err)) setKeys((k) => ({ ...k, [outcome]: crypto.randomUUID() }));
      return stale();
    },
  });
  return (
    <section aria-labelledby="outcome-heading">
      <h2 id="outcome-heading">How did it go?</h2>
      <ErrorMessage error={record.error} />
      <div className="inline">
        <button type="button" disabled={record.isPending} onClick={() => record.mutate("completed")}>
          Attended
        </button>
        <button type="button" className="secondary" disabled={record.isPending} onClick={() => record.mutate("no_show")}>
          No-show
        </button>
      </div>
    </section>
  );
}
