import { describe } from "../api/problem";

/** An error that belongs to no one field, said plainly and announced. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describe(error)}
    </p>
  );
}
