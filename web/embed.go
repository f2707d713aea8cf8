// Package web holds the operator console (a Vite + React app in this
// directory) and embeds its build for the API to serve at /.
package web

import (
	"embed"
	"io/fs"
)

// dist/app is Vite's output (make web). The pattern names dist, not dist/app,
// so the package compiles on a fresh clone before the first build: dist/README
// is committed, dist/app is not.
//
//go:embed all:dist
var dist embed.FS

// Console is the built console, or nil when it was not built into this binary.
func Console() fs.FS {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(app, "index.html"); err != nil {
		return nil
	}
	return app
}
