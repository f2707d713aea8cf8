// Dates as the person reads them: in their browser's time zone.

/** The visitor's IANA time zone, which the slots API shows times in. */
export function visitorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A slot's day (YYYY-MM-DD) as the API wrote it: in the zone it was asked for. */
export function slotDay(start: string): string {
  return start.slice(0, 10);
}

/** A slot's wall-clock time (HH:MM) as the API wrote it. */
export function slotTime(start: string): string {
  return start.slice(11, 16);
}

/** A calendar day (YYYY-MM-DD) as "Mon 14 Dec". */
export function dayLabel(day: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** An instant as "Mon 14 Dec, 10:00" in the visitor's zone. */
export function when(instant: string): string {
  return new Date(instant).toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** The local date of d as YYYY-MM-DD. */
export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Local midnight of the Monday of day's week. */
export function mondayOf(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - ((day.getDay() + 6) % 7));
}

/** Local midnight n days after d (a day is not always 24 hours). */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

/** How far ahead a booking page looks for free slots. */
export const lookAheadDays = 14;

/** The span the slot pickers ask for: from now to lookAheadDays ahead. */
export function slotSpan(): { from: string; to: string } {
  const now = new Date();
  return { from: now.toISOString(), to: addDays(now, lookAheadDays).toISOString() };
}

/** The local midnight of a YYYY-MM-DD day, or null when day names none (2024-13-01, 2024-02-31, x): the URL is the person's to edit. */
export function parseDay(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00`);
  return !isNaN(d.getTime()) && localDay(d) === day ? d : null;
}
