package devs3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/embedgw"
)

// Serve runs the server in this process until its standard input closes or
// ctx ends: the child's side of Start, configured by its environment.
func Serve(ctx context.Context) error {
	settings := map[string]string{}
	for _, name := range []string{envDir, envAddr, envRegion, envAccessKey, envSecretKey} {
		if settings[name] = os.Getenv(name); settings[name] == "" {
			return fmt.Errorf("devs3: %s is not set: this command is started by `astralis dev` and `astralis testenv`", name)
		}
	}
	// Objects in one directory, their metadata (content type, ETag) in a
	// sibling: a side-car works on file systems without user xattrs (tmpfs,
	// some overlays), and the file backend refuses one inside its root.
	root := filepath.Join(settings[envDir], "buckets")
	metaDir := filepath.Join(settings[envDir], "meta")
	for _, dir := range []string{root, metaDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("devs3: %w", err)
		}
	}
	sidecar, err := meta.NewSideCar(metaDir)
	if err != nil {
		return fmt.Errorf("devs3: metadata directory: %w", err)
	}
	backend, err := posix.New(root, sidecar, posix.PosixOpts{SideCarDir: metaDir})
	if err != nil {
		return fmt.Errorf("devs3: file backend: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin) // EOF: the parent stopped us or died
		cancel()
	}()
	err = embedgw.RunVersityGW(ctx, backend, &embedgw.Config{
		RootUserAccess:    settings[envAccessKey],
		RootUserSecret:    settings[envSecretKey],
		Region:            settings[envRegion],
		Ports:             []string{settings[envAddr]},
		MaxConnections:    256,
		MaxRequests:       128,
		MultipartMaxParts: 10000,
		HealthPath:        healthPath,
		Quiet:             true,
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("devs3: %w", err)
	}
	return nil
}
