import { describe } from "../api/problem";

/** Said beside data still shown when refreshing it failed: the data stays, with a word that it may be old. */
export function NotUpToDate({ error }: { error: unknown }) {
  return (
    <p role="status" className="not-up-to-date">
      {error ? `Not up to date: ${describe(error)}` : ""}
    </p>
  );
}
