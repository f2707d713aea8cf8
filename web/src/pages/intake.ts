import type { Schemas } from "../api/client";

// The queue's items are documented as plain objects; they carry a request's summary fields.
export type IntakeSummary = Pick<
  Schemas["IntakeRequest"],
  "id" | "status" | "subject" | "contact" | "source" | "priority" | "routing" | "sla_breached" | "created_at"
>;

// The queue's filters as the URL's query names them: the API's own, and
// "from"/"to" as local days (YYYY-MM-DD), which the API takes as instants.
export const filterNames = ["status", "priority", "pipeline", "assignee", "from", "to", "q"] as const;
export type Filters = Partial<Record<(typeof filterNames)[number], string>>;

export function filtersFrom(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const name of filterNames) {
    const v = params.get(name);
    if (v) out[name] = v;
  }
  return out;
}

/** Errors for "from"/"to" days in the URL that are not real days (YYYY-MM-DD), by name. */
export function badDays(f: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["from", "to"] as const) {
    const day = f[name];
    if (day && !dayMidnight(day, 0)) out[name] = "must be a day like 2026-01-31";
  }
  return out;
}

/** The API's query for filters (their days checked by badDays): received since local midnight of "from", until the midnight after "to". */
export function queueQuery(f: Filters) {
  const { from, to, ...rest } = f;
  return {
    ...rest,
    since: from ? dayMidnight(from, 0) : undefined,
    until: to ? dayMidnight(to, 1) : undefined,
  };
}

/** Local midnight plus days after day (YYYY-MM-DD) as an RFC 3339 instant, or undefined for no such day. */
function dayMidnight(day: string, plus: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(2000, mo - 1, d);
  t.setFullYear(y); // years below 100 are years, not 19xx
  if (t.getFullYear() !== y || t.getMonth() !== mo - 1 || t.getDate() !== d) return undefined;
  t.setDate(t.getDate() + plus);
  return t.toISOString();
}
