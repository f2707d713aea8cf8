package api

import (
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
)

// securityHeaders are on every answer of the API, the OpenAPI document and
// any page served from this router included:
//   - nosniff: a JSON answer is never run as a script or rendered as HTML;
//   - DENY and frame-ancestors 'none': no page of another site frames ours (clickjacking);
//     the CSP says no more than that, so JSON clients, the OpenAPI document and
//     future console pages keep working (a page may set a stricter one of its own);
//   - strict-origin-when-cross-origin: other sites learn our origin at most, never a
//     path or query (tokens). Not no-referrer: with it, browsers send "Origin: null"
//     on form posts, which the CSRF check (Origin or Referer) would refuse.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "frame-ancestors 'none'",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

// serve is the API as served: the router inside the session middleware, inside
// the security headers. Those are set before anything else runs, so redirects
// and errors that bypass Gin's middleware carry them too.
func serve(r *gin.Engine, sessions *scs.SessionManager) http.Handler {
	next := sessions.LoadAndSave(r)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		if carriesCredentials(req, sessions.Cookie.Name) {
			noStore(h)
		}
		next.ServeHTTP(w, req)
	})
}

// carriesCredentials: the answer to a request with a bearer token or a session
// cookie is about its caller, whatever its status, and no cache may keep it.
func carriesCredentials(r *http.Request, cookieName string) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	_, err := r.Cookie(cookieName)
	return err == nil
}

// noStore forbids every cache (browser, proxy) to keep the answer.
func noStore(h http.Header) { h.Set("Cache-Control", "no-store") }
