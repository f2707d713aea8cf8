import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call } from "../api/problem";
import { AskTwice } from "../components/AskTwice";
import { ErrorMessage } from "../components/ErrorMessage";
import { FreeTimes, TimeTaken } from "./SlotPicker";
import { takenAlternatives, useFocusAfterStatusChange } from "./scheduling";
import { slotSpan, visitorZone, when } from "./time";

type PublicBooking = Schemas["PublicBooking"];

/** The page behind the client's mailed link (/bookings/{token}): their booking, to move or cancel. */
export function ClientBooking() {
  const { token = "" } = useParams();
  const booking = useQuery({
    queryKey: ["linked-booking", token],
    queryFn: () => call(api.GET("/api/v1/public/bookings/{token}", { params: { path: { token } } })),
  });
  const heading = useFocusAfterStatusChange<HTMLHeadingElement>(booking.data?.status);
  if (booking.isError) {
    return (
      <>
        <h1>Your booking</h1>
        <ErrorMessage error={booking.error} />
      </>
    );
  }
  const b = booking.data;
  if (!b) return <p>Loading…</p>;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Your booking
      </h1>
      <dl className="facts" id="booking" data-status={b.status} data-start={b.start}>
        <dt>Service</dt>
        <dd>{b.service}</dd>
        <dt>When</dt>
        <dd id="booking-when">{when(b.start)}</dd>
        <dt>For</dt>
        <dd>{b.client.name}</dd>
        <dt>Status</dt>
        <dd aria-live="polite">{b.status === "cancelled" ? "Cancelled" : "Confirmed"}</dd>
      </dl>
      {b.status === "confirmed" && <Reschedule token={token} />}
      {b.status === "confirmed" && <Cancel token={token} />}
    </>
  );
}

function useUpdateBooking(token: string) {
  const queryClient = useQueryClient();
  return (b: PublicBooking) => {
    queryClient.setQueryData(["linked-booking", token], b);
    // The old time is free now and the new one taken.
    return queryClient.invalidateQueries({ queryKey: ["linked-slots", token] });
  };
}

function Reschedule({ token }: { token: string }) {
  const slots = useQuery({
    queryKey: ["linked-slots", token],
    queryFn: () =>
      call(
        api.GET("/api/v1/public/bookings/{token}/slots", {
          params: { path: { token }, query: { ...slotSpan(), tz: visitorZone() } },
        }),
      ),
  });
  const [start, setStart] = useState("");
  const queryClient = useQueryClient();
  const updated = useUpdateBooking(token);
  const move = useMutation({
    mutationFn: () => call(api.POST("/api/v1/public/bookings/{token}/reschedule", { params: { path: { token } }, body: { start } })),
    onSuccess: (b) => {
      setStart("");
      return updated(b);
    },
    onError: (err) => {
      // The time was taken meanwhile (409): no time chosen, and the free times as they are now.
      if (takenAlternatives(err)) setStart("");
      return queryClient.invalidateQueries({ queryKey: ["linked-slots", token] });
    },
  });
  const alternatives = takenAlternatives(move.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    move.mutate();
  };
  return (
    <section aria-labelledby="move-heading">
      <h2 id="move-heading">Move it</h2>
      <form className="reschedule" onSubmit={submit}>
        <FreeTimes slots={slots} value={start} onChange={setStart} />
        {alternatives ? <TimeTaken alternatives={alternatives} value={start} onChoose={setStart} /> : <ErrorMessage error={move.error} />}
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

function Cancel({ token }: { token: string }) {
  const updated = useUpdateBooking(token);
  const cancel = useMutation({
    mutationFn: () => call(api.POST("/api/v1/public/bookings/{token}/cancel", { params: { path: { token } }, body: {} })),
    onSuccess: updated,
  });
  return (
    <section aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Cancel it</h2>
      <ErrorMessage error={cancel.error} />
      {/* Asked twice: a cancellation cannot be taken back. */}
      <AskTwice label="Cancel this booking" confirm="Yes, cancel my booking" pending={cancel.isPending} onConfirm={() => cancel.mutate()} />
    </section>
  );
}
