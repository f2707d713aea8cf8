package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// consoleCSP is stricter than the API's own: the console loads only its own
// scripts, styles and images and talks only to this origin.
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// reserved are the paths that are never the console's: the health checks, and
// /metrics, which only the internal metrics listener serves (here it stays a 404).
var reserved = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// console serves the single-page app at / from files: a file that exists is
// served as it is, any other page path gets index.html so the app's own router
// answers it. It runs only for paths no route matched (NoRoute), so it never
// shadows the API or the health checks, and it declines what is theirs.
type console struct {
	files fs.FS
	index []byte
}

func newConsole(files fs.FS) (*console, error) {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return nil, err
	}
	return &console{files: files, index: index}, nil
}

// serve answers a request no route matched; it reports false when the path is
// not the console's (the API's 404 answers it then).
func (con *console) serve(c *gin.Context) bool {
	p := c.Request.URL.Path
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		return false
	}
	if p == "/api" || strings.HasPrefix(p, "/api/") || reserved[p] {
		return false
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if info, err := fs.Stat(con.files, name); err == nil && !info.IsDir() {
			// Vite names every asset by its content: it can be kept for ever.
			if strings.HasPrefix(name, "assets/") {
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			}
			c.FileFromFS(name, http.FS(con.files))
			return true
		}
		// A missing file is a 404, not the app: a stale script tag must not get HTML.
		if path.Ext(name) != "" {
			return false
		}
	}
	c.Header("Content-Security-Policy", consoleCSP)
	c.Header("Cache-Control", "no-cache") // a new build's index names new assets
	c.Data(http.StatusOK, "text/html; charset=utf-8", con.index)
	return true
}
