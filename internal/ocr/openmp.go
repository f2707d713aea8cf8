package ocr

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// EnsureOpenMPThreadLimit makes sure the process runs with OMP_THREAD_LIMIT=1
// and must be called first thing in main of any program that uses an Engine.
//
// Tesseract parallelises inside one image with OpenMP; with a pool of one
// client per core, that only adds threads fighting for the same cores. The
// limit has to be in the environment when the process starts: libgomp reads
// it in a shared-library constructor, before Go's runtime runs, so os.Setenv
// would come too late. When it is missing, this re-executes the program
// (same pid, same arguments) with it set; when it is already 1 it returns nil.
// Deployments set it in the environment (the Dockerfile does) and skip the re-exec.
func EnsureOpenMPThreadLimit() error {
	if os.Getenv("OMP_THREAD_LIMIT") == "1" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("ocr: finding own executable to set OMP_THREAD_LIMIT: %w", err)
	}
	env := []string{"OMP_THREAD_LIMIT=1"}
	for _, kv := range os.Environ() {
		// C's getenv takes the first match: drop any other value.
		if !strings.HasPrefix(kv, "OMP_THREAD_LIMIT=") {
			env = append(env, kv)
		}
	}
	return fmt.Errorf("ocr: re-executing with OMP_THREAD_LIMIT=1: %w", syscall.Exec(exe, os.Args, env))
}
