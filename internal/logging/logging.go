// Package logging builds the process logger: JSON unless stderr is a terminal.
package logging

import (
	"io"
	"log/slog"
	"os"

	"github.com/astralisops/astralis/internal/config"
)

// New returns the logger described by cfg, writing to w.
func New(cfg config.Log, w io.Writer) *slog.Logger {
	level, err := config.ParseLevel(cfg.Level)
	if err != nil {
		level = slog.LevelInfo // Validate already reported it
	}
	return WithLevel(cfg.Format, level, w)
}

// WithLevel is New with a level that may change while running (a *slog.LevelVar).
func WithLevel(format string, level slog.Leveler, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(contextHandler{slog.NewTextHandler(w, opts)})
	}
	return slog.New(contextHandler{slog.NewJSONHandler(w, opts)})
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
