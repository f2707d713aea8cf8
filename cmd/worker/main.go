// Command worker runs every workflow and activity of the project.
package main

import (
	"fmt"
	"os"

	"github.com/astralisops/astralis/cmd/internal/app"
	"github.com/astralisops/astralis/internal/ocr"
)

func main() {
	// Before anything else: the OCR pool's Tesseract clients each take one thread (see ocr.EnsureOpenMPThreadLimit).
	if err := ocr.EnsureOpenMPThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
	os.Exit(app.Main("worker", (*app.Services).RunWorker))
}
