// Errors as the API reports them (RFC 9457 problem+json) and as the console
// shows them: field errors beside their control, the rest in plain words.
import type { Schemas } from "./client";

export type Problem = Schemas["Problem"];

export class ProblemError extends Error {
  readonly problem: Problem;
  readonly retryAfter: number | null;
  constructor(problem: Problem, retryAfter: number | null) {
    super(problem.detail || problem.title);
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** A request that never got an answer (network lost, server down). */
export class NetworkError extends Error {
  constructor() {
    super("The server cannot be reached. Check your connection and try again.");
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data or throws a ProblemError or NetworkError. */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await request;
  } catch {
    throw new NetworkError();
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const retry = Number(response.headers.get("Retry-After"));
  const problem: Problem =
    error && typeof error === "object" && "status" in error
      ? (error as Problem)
      : { type: "about:blank", title: response.statusText || "Error", status: response.status };
  throw new ProblemError(problem, Number.isFinite(retry) && retry > 0 ? retry : null);
}

/** The field errors of err, by field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ProblemError) {
    for (const e of err.problem.errors ?? []) out[e.field] = e.message;
  }
  return out;
}

/** What to tell the person about err, in a sentence. */
export function describe(err: unknown): string {
  if (err instanceof NetworkError) return err.message;
  if (!(err instanceof ProblemError)) return "Something went wrong.";
  const { status, detail, title } = err.problem;
  switch (status) {
    case 403:
      return detail ? `You are not allowed to do this: ${detail.replace(/\.$/, "")}.` : "You are not allowed to do this.";
    case 404:
      return "Not found: it does not exist, or you cannot see it.";
    case 413:
      return detail ? `Too large: ${detail}.` : "Too large.";
    case 429: {
      // The API says which limit ("too many …; try again later"); the wait comes from Retry-After,
      // unless the API says when itself ("try again once it has finished").
      const what = detail?.replace(/; try again later\.?$/i, "").trim();
      if (what && /\btry again\b/i.test(what)) return sentence(what);
      const when = err.retryAfter ? `Try again in ${waitInWords(err.retryAfter)}.` : "Try again later.";
      return `${what ? sentence(what) : "Too many attempts."} ${when}`;
    }
  }
  return detail || title;
}

/** A wait in seconds as a person would say it, rounded up: "40 seconds", "15 minutes", "2 hours". */
function waitInWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds < 90) return plural(Math.ceil(seconds), "second");
  if (seconds < 90 * 60) return plural(Math.ceil(seconds / 60), "minute");
  return plural(Math.ceil(seconds / 3600), "hour");
}

/** text as a sentence: capitalised, ending in a full stop. */
function sentence(text: string): string {
  const t = text.replace(/\.$/, "");
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
}
