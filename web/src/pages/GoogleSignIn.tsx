/**
 * "Sign in with Google": a plain link, as the API's start redirects to Google
 * and back. The console cannot know whether the server has Google configured;
 * one that has not answers the link with its own explanation.
 */
export function GoogleSignIn() {
  return (
    <p>
      <a className="button-link" href="/api/v1/auth/google">
        Sign in with Google
      </a>
    </p>
  );
}
