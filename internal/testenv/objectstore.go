package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/astralisops/astralis/internal/objectstore"
)

// Environment variables naming the S3-compatible server `astralis testenv`
// started (or another one, when set before it runs).
const (
	S3EndpointEnv  = "TEST_S3_ENDPOINT"
	S3RegionEnv    = "TEST_S3_REGION"
	S3AccessKeyEnv = "TEST_S3_ACCESS_KEY"
	S3SecretKeyEnv = "TEST_S3_SECRET_KEY"
)

// ObjectStore returns the storage configuration of the shared test server
// with a bucket of this test's own, which objectstore.Open creates; the
// bucket and its objects are deleted when the test ends.
func ObjectStore(t testing.TB) objectstore.Config {
	t.Helper()
	cfg := objectstore.Config{
		Endpoint:  requireEnv(t, S3EndpointEnv),
		Region:    requireEnv(t, S3RegionEnv),
		Bucket:    "test-" + randomHex(8),
		AccessKey: requireEnv(t, S3AccessKeyEnv),
		SecretKey: requireEnv(t, S3SecretKeyEnv),
		PathStyle: true,
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// removeBucket empties and deletes the test's bucket, if the test created it.
func removeBucket(t testing.TB, cfg objectstore.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Errorf("testenv: S3 client: %v", err)
		return
	}
	if exists, err := client.BucketExists(ctx, cfg.Bucket); err != nil || !exists {
		return
	}
	objects := client.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true})
	for result := range client.RemoveObjects(ctx, cfg.Bucket, objects, minio.RemoveObjectsOptions{}) {
		t.Errorf("testenv: remove %s/%s: %v", cfg.Bucket, result.ObjectName, result.Err)
	}
	if err := client.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Errorf("testenv: remove bucket %s: %v", cfg.Bucket, err)
	}
}
