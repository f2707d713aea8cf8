import { useEffect, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, ProblemError } from "../api/problem";
import { isStaff } from "./orgs";

export type Service = Schemas["Service"];
export type ServiceInput = Schemas["ServiceInput"];
export type Booking = Schemas["Booking"];
export type Availability = Schemas["Availability"];
export type Window = Schemas["Window"];

/**
 * The nearest free times the API offers when the time asked for was just
 * taken (a 409 with alternatives), or null for any other error.
 */
export function takenAlternatives(err: unknown): NonNullable<Schemas["SlotTakenProblem"]["alternatives"]> | null {
  if (!(err instanceof ProblemError) || err.problem.status !== 409) return null;
  return (err.problem as Schemas["SlotTakenProblem"]).alternatives ?? null;
}

/** The weekdays as the availability API names them, Monday first. */
export const weekdays = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
] as const;

export const bookingStatusLabel: Record<Booking["status"], string> = {
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  completed: "Attended",
  no_show: "No-show",
};

/** The organisation's services (any member may read them). */
export function useServices(org: string) {
  return useQuery({
    queryKey: ["services", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/services", { params: { path: { org } } })),
    select: (page) => page.items ?? [],
  });
}

/** The members who may offer services and work hours: ADMINs and OPERATORs. */
export function staffOf(members: Schemas["Member"][] | undefined): Schemas["Member"][] {
  return (members ?? []).filter((m) => isStaff(m.role));
}

/** A member's name as the console shows it: their name, or their email without one. */
export function memberName(members: Schemas["Member"][] | undefined, id: string): string {
  const m = members?.find((x) => x.user_id === id);
  return m ? m.name || m.email || id : id;
}

/** A whole number typed into a form: the API's number, or undefined when left empty. */
export function wholeNumber(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/** The first field error under a path (e.g. "operators" also takes "operators[2]"). */
export function errorUnder(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const key = Object.keys(errors).find((k) => k.startsWith(`${path}[`) || k.startsWith(`${path}.`));
  return key && errors[key];
}

/**
 * A ref for a booking page's heading (tabIndex -1), which takes the focus when the booking's status
 * changes while the focus was lost: cancelling removes the section whose button had it.
 */
export function useFocusAfterStatusChange<T extends HTMLElement>(status: string | undefined) {
  const heading = useRef<T>(null);
  const shown = useRef(status);
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (shown.current && status && shown.current !== status && lost) heading.current?.focus();
    shown.current = status;
  }, [status]);
  return heading;
}
