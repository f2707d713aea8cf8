/** next is where a 401 sent the person from; only a path of this site is followed. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/")) return "/";
  // The browser's own reading decides: "/\host" or "//host" would leave the console.
  const url = new URL(next, window.location.origin);
  return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
}
