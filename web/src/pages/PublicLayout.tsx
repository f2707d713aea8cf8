import { Outlet } from "react-router";

/** The frame of the pages clients open without signing in: no account, no organisation menu. */
export function PublicLayout() {
  return (
    <>
      <header className="topbar">
        <span className="brand">AstralisOps</span>
      </header>
      <main className="public">
        <Outlet />
      </main>
    </>
  );
}
