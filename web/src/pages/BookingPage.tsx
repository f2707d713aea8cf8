import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { ServicePicker } from "./ServicePicker";
import { FreeTimes, TimeTaken } from "./SlotPicker";
import { takenAlternatives } from "./scheduling";
import { slotSpan, visitorZone, when } from "./time";

/** An organisation's booking page (/book/{slug}): anyone picks a service and a free time and books it. */
export function BookingPage() {
  const { slug = "" } = useParams();
  const services = useQuery({
    queryKey: ["public-services", slug],
    queryFn: () => call(api.GET("/api/v1/public/orgs/{slug}/services", { params: { path: { slug } } })),
  });
  const [service, setService] = useState("");
  const items = services.data?.items ?? [];
  const chosen = service || items[0]?.key || "";
  if (services.isError) {
    return (
      <>
        <h1>Book an appointment</h1>
        <ErrorMessage error={services.error} />
      </>
    );
  }
  if (!services.data) return <p>Loading…</p>;
  return (
    <>
      <h1>Book an appointment</h1>
      {items.length === 0 ? (
        <p>Nothing can be booked here yet.</p>
      ) : (
        <ServicePicker services={items} value={chosen} onChange={setService} />
      )}
      {/* A fresh form per service: a time picked for one is no time for another. */}
      {chosen && <BookingForm key={chosen} slug={slug} service={chosen} />}
    </>
  );
}

function BookingForm({ slug, service }: { slug: string; service: string }) {
  const queryClient = useQueryClient();
  const zone = visitorZone();
  const slots = useQuery({
    queryKey: ["public-slots", slug, service],
    queryFn: () =>
      call(
        api.GET("/api/v1/public/orgs/{slug}/services/{key}/slots", {
          params: { path: { slug, key: service }, query: { ...slotSpan(), tz: zone } },
        }),
      ),
  });
  const [start, setStart] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  // One key per form: a double submit or a retry books once.
  const [key] = useState(() => crypto.randomUUID());
  const book = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/public/orgs/{slug}/bookings", {
          params: { path: { slug }, header: { "Idempotency-Key": key } },
          body: { service, start, client: { name, email } },
        }),
      ),
    onError: (err) => {
      // The time was taken meanwhile (409): no time chosen, and the free times as they are now.
      if (takenAlternatives(err)) setStart("");
      return queryClient.invalidateQueries({ queryKey: ["public-slots", slug, service] });
    },
  });
  const errors = fieldErrors(book.error);
  const alternatives = takenAlternatives(book.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    book.mutate();
  };
  if (book.isSuccess) {
    return (
      <p role="status" id="booked" data-start={book.data.start}>
        Booked for {when(book.data.start)}. We emailed {book.data.client.email} a link to move or cancel it.
      </p>
    );
  }
  return (
    <form className="booking-form" onSubmit={submit} noValidate>
      <FreeTimes slots={slots} value={start} onChange={setStart} />
      {errors.start && <p className="field-error">{errors.start}</p>}
      <Field label="Your name" error={errors["client.name"]}>
        <input name="name" autoComplete="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Email" error={errors["client.email"]}>
        <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      {alternatives ? (
        <TimeTaken alternatives={alternatives} value={start} onChoose={setStart} />
      ) : (
        book.isError && Object.keys(errors).length === 0 && <ErrorMessage error={book.error} />
      )}
      <button type="submit" disabled={!start || book.isPending}>
        Book
      </button>
    </form>
  );
}
