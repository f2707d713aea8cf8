// Command api serves the REST API. It talks to Temporal through the SDK only.
package main

import (
	"os"

	"github.com/astralisops/astralis/cmd/internal/app"
)

func main() {
	os.Exit(app.Main("api", (*app.Services).RunAPI))
}
