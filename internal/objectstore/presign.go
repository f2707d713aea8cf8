package objectstore

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
)

// Presigned URLs live at least a second and at most S3's limit of a week.
const (
	minPresignTTL = time.Second
	maxPresignTTL = 7 * 24 * time.Hour
)

// PresignGet returns a URL that reads the object without credentials until
// ttl has passed. With a downloadName the browser shows the file inline and
// saves it under that name; the object's own key says nothing to people.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	params := url.Values{}
	if downloadName != "" {
		// FormatMediaType quotes the name, and percent-encodes (RFC 2231)
		// non-ASCII and control characters, so a name cannot add a header.
		params.Set("response-content-disposition", mime.FormatMediaType("inline", map[string]string{"filename": downloadName}))
	}
	u, err := s.presigner.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", fmt.Errorf("objectstore: presign get %s: %w", key, err)
	}
	return u.String(), nil
}

// PresignPost returns a URL and the form fields with which a browser uploads
// one file to key by a multipart/form-data POST (the fields first, the file
// last, in a field named "file") until ttl has passed. The signed policy
// limits the file to 1..maxBytes bytes: the server refuses anything else.
func (s *Store) PresignPost(ctx context.Context, key string, maxBytes int64, ttl time.Duration) (string, map[string]string, error) {
	if err := checkKey(key); err != nil {
		return "", nil, err
	}
	if err := checkTTL(ttl); err != nil {
		return "", nil, err
	}
	if maxBytes < 1 {
		return "", nil, fmt.Errorf("%w: presign post %s: size limit %d must be positive", ErrInvalidArgument, key, maxBytes)
	}
	policy := minio.NewPostPolicy()
	for _, set := range []error{
		policy.SetBucket(s.bucket),
		policy.SetKey(key),
		policy.SetExpires(time.Now().UTC().Add(ttl)),
		policy.SetContentLengthRange(1, maxBytes),
	} {
		if set != nil {
			return "", nil, fmt.Errorf("objectstore: presign post %s: %w", key, set)
		}
	}
	u, fields, err := s.presigner.PresignedPostPolicy(ctx, policy)
	if err != nil {
		return "", nil, fmt.Errorf("objectstore: presign post %s: %w", key, err)
	}
	return u.String(), fields, nil
}

func checkTTL(ttl time.Duration) error {
	if ttl < minPresignTTL || ttl > maxPresignTTL {
		return fmt.Errorf("%w: lifetime %s must be from %s to %s", ErrInvalidArgument, ttl, minPresignTTL, maxPresignTTL)
	}
	return nil
}
