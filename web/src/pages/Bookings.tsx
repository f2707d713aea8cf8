import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { isStaff, useRole } from "./orgs";
import { bookingStatusLabel } from "./scheduling";
import { when } from "./time";

/** The next 30 days' bookings: a CLIENT's own (the API lists only theirs), or everyone's for staff. */
export function Bookings() {
  const { org = "" } = useParams();
  const role = useRole(org);
  const list = useQuery({
    queryKey: ["bookings", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/bookings", { params: { path: { org } } })),
  });
  const items = list.data?.items ?? [];
  const staff = isStaff(role);
  return (
    <>
      <h1>{staff ? "Bookings" : "My bookings"}</h1>
      {staff && (
        <p>
          <Link to={`/orgs/${org}/bookings/new`}>Book for a client</Link>
        </p>
      )}
      <ErrorMessage error={list.error} />
      {list.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No booking in the next 30 days.</p>
      ) : (
        <table className="queue bookings">
          <caption className="visually-hidden">Bookings in the next 30 days, soonest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Service</th>
              {staff && <th scope="col">Client</th>}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id} data-id={b.id} data-status={b.status}>
                <td>
                  <Link to={`/orgs/${org}/bookings/${b.id}`}>{when(b.start)}</Link>
                </td>
                <td>{b.service}</td>
                {staff && <td>{b.client.name}</td>}
                <td>{bookingStatusLabel[b.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
