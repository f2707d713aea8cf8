// Command worker runs every workflow and activity of the project.
package main

import (
	"os"

	"github.com/astralisops/astralis/cmd/internal/app"
)

func main() {
	os.Exit(app.Main("worker", (*app.Services).RunWorker))
}
