import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { isStaff, useRole } from "./orgs";
import { useMembers } from "./people";
import { memberName, takenAlternatives, useServices } from "./scheduling";
import { ServicePicker } from "./ServicePicker";
import { FreeTimes, TimeTaken } from "./SlotPicker";
import { slotSpan, visitorZone } from "./time";

/** Staff book on behalf of a client: a service, optionally who, a free time and the client; then the new booking's page. */
export function NewBooking() {
  const { org = "" } = useParams();
  const services = useServices(org);
  const [service, setService] = useState("");
  const items = services.data ?? [];
  const chosen = service || items[0]?.key || "";
  return (
    <>
      <h1>Book for a client</h1>
      <ErrorMessage error={services.error} />
      {services.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No service can be booked yet.</p>
      ) : (
        <ServicePicker services={items} value={chosen} onChange={setService} />
      )}
      {/* A fresh form per service: a time picked for one is no time for another. */}
      {chosen && <NewBookingForm key={chosen} org={org} service={chosen} operators={items.find((s) => s.key === chosen)?.operators ?? []} />}
    </>
  );
}

function NewBookingForm(props: { org: string; service: string; operators: string[] }) {
  const { org, service } = props;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const role = useRole(org);
  const members = useMembers(org, isStaff(role));
  const [operator, setOperator] = useState("");
  const slots = useQuery({
    queryKey: ["slots", org, service, operator],
    queryFn: () =>
      call(
        api.GET("/api/v1/orgs/{org}/services/{key}/slots", {
          params: { path: { org, key: service }, query: { ...slotSpan(), tz: visitorZone(), operator: operator || undefined } },
        }),
      ),
  });
  const [start, setStart] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const [notes, setNotes] = useState("");
  // One key per form: a double submit or a retry books once.
  const [key] = useState(() => crypto.randomUUID());
  const book = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/orgs/{org}/bookings", {
          params: { path: { org }, header: { "Idempotency-Key": key } },
          body: {
            service,
            start,
            operator: operator || undefined,
            client: { name, email, phone: phone || undefined },
            notes: notes || undefined,
          },
        }),
      ),
    onSuccess: (b) => navigate(`/orgs/${org}/bookings/${b.id}`),
    onError: (err) => {
      // The time was taken meanwhile (409): no time chosen, and the free times as they are now.
      if (takenAlternatives(err)) setStart("");
      return queryClient.invalidateQueries({ queryKey: ["slots", org] });
    },
  });
  const errors = fieldErrors(book.error);
  const alternatives = takenAlternatives(book.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    book.mutate();
  };
  return (
    <form className="booking-form" onSubmit={submit} noValidate>
      <Field label="With" error={errors.operator}>
        <select
          name="operator"
          value={operator}
          onChange={(e) => {
            // A time picked for one operator may be no time for another.
            setOperator(e.target.value);
            setStart("");
          }}
        >
          <option value="">Whoever is free</option>
          {props.operators.map((id) => (
            <option key={id} value={id}>
              {memberName(members.data, id)}
            </option>
          ))}
        </select>
      </Field>
      <FreeTimes slots={slots} value={start} onChange={setStart} />
      {errors.start && <p className="field-error">{errors.start}</p>}
      <Field label="Client's name" error={errors["client.name"]}>
        <input name="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Client's email" error={errors["client.email"]}>
        <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Client's phone (optional)" error={errors["client.phone"]}>
        <input name="phone" type="tel" maxLength={50} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </Field>
      <Field label="Notes (optional)" error={errors.notes}>
        <textarea name="notes" rows={3} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
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
