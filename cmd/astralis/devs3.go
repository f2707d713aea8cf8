package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/astralisops/astralis/internal/devs3"
)

// runDevS3 is the child process in which `astralis dev` and `astralis
// testenv` run their S3 server (see package devs3); it is not for people.
func runDevS3() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := devs3.Serve(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "astralis %s: %v\n", devs3.ServeCommand, err)
		return 1
	}
	return 0
}
