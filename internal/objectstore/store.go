// Package objectstore keeps files in an S3-compatible bucket through
// minio-go: put, get, stat, delete, and presigned URLs that let a browser
// read or upload one object without our credentials.
package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

var (
	// ErrNotFound is returned for an object (or bucket) that does not exist.
	ErrNotFound = errors.New("objectstore: object not found")
	// ErrInvalidKey is returned for a key S3 or a file-backed server would
	// misread: empty, too long, absolute, or with empty, "." or ".." segments.
	ErrInvalidKey = errors.New("objectstore: invalid object key")
	// ErrInvalidArgument is returned for a size, lifetime or limit out of range.
	ErrInvalidArgument = errors.New("objectstore: invalid argument")
)

// maxKeyBytes is S3's limit on an object key.
const maxKeyBytes = 1024

// Store is one bucket on one server. It is safe for concurrent use.
type Store struct {
	client *minio.Client
	// presigner signs URLs for browsers: the client itself, or one for the public URL.
	presigner *minio.Client
	bucket    string
	// partSize is the multipart part size; zero lets minio-go choose by size.
	partSize uint64
}

// Info describes a stored object.
type Info struct {
	Key          string
	Size         int64
	ContentType  string
	ETag         string
	LastModified time.Time
}

// Open connects to the configured server and creates the bucket if it is
// missing; several processes opening the same new bucket at once all succeed.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if problems := cfg.Problems(""); len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidArgument, strings.Join(problems, "; "))
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	newClient := func(endpoint string, tls bool, region string) (*minio.Client, error) {
		client, err := minio.New(endpoint, &minio.Options{
			Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
			Secure:       tls,
			Region:       region,
			BucketLookup: lookup,
		})
		if err != nil {
			return nil, fmt.Errorf("objectstore: client for %s: %w", endpoint, err)
		}
		return client, nil
	}
	client, err := newClient(cfg.Endpoint, cfg.TLS, cfg.Region)
	if err != nil {
		return nil, err
	}
	s := &Store{client: client, presigner: client, bucket: cfg.Bucket}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	if cfg.PublicURL != "" {
		// Signing needs the bucket's region; learn it here, through the
		// endpoint, rather than have every presign ask the public URL.
		region := cfg.Region
		if region == "" {
			if region, err = client.GetBucketLocation(ctx, cfg.Bucket); err != nil {
				return nil, fmt.Errorf("objectstore: region of bucket %s: %w", cfg.Bucket, err)
			}
		}
		u, _ := url.Parse(cfg.PublicURL) // Problems checked it
		if s.presigner, err = newClient(u.Host, u.Scheme == "https", region); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) ensureBucket(ctx context.Context, region string) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("objectstore: check bucket %s: %w", s.bucket, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" {
		return nil // another process created it between our check and our create
	}
	if err != nil {
		return fmt.Errorf("objectstore: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Ping checks that the server answers and the bucket exists, for readiness.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("objectstore: ping: %w", err)
	}
	if !exists {
		return fmt.Errorf("objectstore: ping: bucket %s: %w", s.bucket, ErrNotFound)
	}
	return nil
}

// Put stores size bytes from r under key, replacing any object there. The
// size must be known: minio-go would otherwise buffer parts of hundreds of
// megabytes to upload a stream of unknown length.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("%w: put %s: size %d: the size must be known", ErrInvalidArgument, key, size)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    s.partSize,
	})
	if err != nil {
		return fmt.Errorf("objectstore: put %s: %w", key, mapError(err))
	}
	return nil
}

// Get opens the object for reading; the caller closes it. A missing object
// is ErrNotFound here, not at the first Read.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("objectstore: get %s: %w", key, mapError(err))
	}
	// GetObject is lazy: Stat sends the request, and Read goes on with its answer.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("objectstore: get %s: %w", key, mapError(err))
	}
	return obj, nil
}

// Stat describes the object without reading it.
func (s *Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("objectstore: stat %s: %w", key, mapError(err))
	}
	return Info{
		Key:          info.Key,
		Size:         info.Size,
		ContentType:  info.ContentType,
		ETag:         info.ETag,
		LastModified: info.LastModified,
	}, nil
}

// Delete removes the object; deleting one that is not there is not an error,
// so a retried delete succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(mapError(err), ErrNotFound) {
		return fmt.Errorf("objectstore: delete %s: %w", key, err)
	}
	return nil
}

// mapError turns S3's not-found answers into ErrNotFound and keeps the
// server's answer in the chain.
func mapError(err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || resp.Code == "NotFound",
		resp.Code == "" && resp.StatusCode == http.StatusNotFound: // HEAD answers carry no body, so no code
		return notFoundError{err}
	}
	return err
}

// notFoundError is the server's not-found answer, matching ErrNotFound.
type notFoundError struct{ err error }

func (e notFoundError) Error() string        { return "not found: " + e.err.Error() }
func (e notFoundError) Unwrap() error        { return e.err }
func (e notFoundError) Is(target error) bool { return target == ErrNotFound }

func checkKey(key string) error {
	if key == "" || len(key) > maxKeyBytes || strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, segment := range strings.Split(key, "/") {
		if segment == "" || segment == "." || segment == ".." {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return nil
}
