import { Link } from "react-router";

export function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no such page. <Link to="/">Back to your organisations</Link>
      </p>
    </>
  );
}
