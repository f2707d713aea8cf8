package objectstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/testenv"
)

func open(t *testing.T) (*objectstore.Store, objectstore.Config) {
	t.Helper()
	cfg := testenv.ObjectStore(t)
	store, err := objectstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return store, cfg
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(t *testing.T, store *objectstore.Store, key string) []byte {
	t.Helper()
	r, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestPutGetStatDelete(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	content := []byte("%PDF-1.7 a small invoice")
	sum := sha256.Sum256(content)
	key := objectstore.Key(uuid.New(), hex.EncodeToString(sum[:]))

	if err := store.Put(ctx, key, bytes.NewReader(content), int64(len(content)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	info, err := store.Stat(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != key || info.Size != int64(len(content)) || info.ContentType != "application/pdf" {
		t.Errorf("stat = %+v, want key %s, %d bytes, application/pdf", info, key, len(content))
	}
	if got := readAll(t, store, key); !bytes.Equal(got, content) {
		t.Errorf("read back %q, want %q", got, content)
	}

	if err := store.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Stat(ctx, key); !errors.Is(err, objectstore.ErrNotFound) {
		t.Errorf("stat after delete: %v, want ErrNotFound", err)
	}
	if _, err := store.Get(ctx, key); !errors.Is(err, objectstore.ErrNotFound) {
		t.Errorf("get after delete: %v, want ErrNotFound", err)
	}
	if err := store.Delete(ctx, key); err != nil {
		t.Errorf("deleting a missing object: %v, want no error", err)
	}
}

func TestKeyIsPerOrganisationAndHash(t *testing.T) {
	org := uuid.MustParse("0b9a4bb4-5d2e-4c35-9d6b-3c1b1f0e2a77")
	hash := strings.Repeat("ab", 32)
	if got, want := objectstore.Key(org, hash), "orgs/0b9a4bb4-5d2e-4c35-9d6b-3c1b1f0e2a77/sha256/"+hash; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}

func TestOpenCreatesTheBucketOnceUnderRace(t *testing.T) {
	cfg := testenv.ObjectStore(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = objectstore.Open(context.Background(), cfg)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d of %d at once: %v", i+1, len(errs), err)
		}
	}
	store, err := objectstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open of an existing bucket: %v", err)
	}
	if err := store.Ping(context.Background()); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func TestPingNoticesAMissingBucket(t *testing.T) {
	ctx := context.Background()
	store, cfg := open(t)
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Fatal(err)
	}
	if err := store.Ping(ctx); !errors.Is(err, objectstore.ErrNotFound) {
		t.Errorf("ping without its bucket: %v, want ErrNotFound", err)
	}
}

func TestWrongSecretKeyIsRefused(t *testing.T) {
	store, cfg := open(t)
	content := []byte("private")
	if err := store.Put(context.Background(), "orgs/x/sha256/private", bytes.NewReader(content), int64(len(content)), "text/plain"); err != nil {
		t.Fatal(err)
	}
	cfg.SecretKey += "x"
	_, err := objectstore.Open(context.Background(), cfg)
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Open with a wrong secret key: %v, want 403 from the server", err)
	}

	// Open asks with HEAD, whose answer has no body; a GET says why.
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := client.GetObject(context.Background(), cfg.Bucket, "orgs/x/sha256/private", minio.GetObjectOptions{})
	if err == nil {
		_, err = io.ReadAll(obj)
	}
	if code := minio.ToErrorResponse(err).Code; code != "SignatureDoesNotMatch" {
		t.Errorf("GET with a wrong secret key: %v, want SignatureDoesNotMatch", err)
	}
}

func TestMultipartUploadReadsBackExactly(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	const partSize = 5 << 20 // S3's smallest part
	objectstore.SetPartSize(store, partSize)
	content := randomBytes(t, 2*partSize+12345)

	// A plain reader (not a ReaderAt) is how uploads arrive: minio-go cannot seek it.
	if err := store.Put(ctx, "orgs/x/sha256/big", io.MultiReader(bytes.NewReader(content)), int64(len(content)), "image/tiff"); err != nil {
		t.Fatal(err)
	}
	info, err := store.Stat(ctx, "orgs/x/sha256/big")
	if err != nil {
		t.Fatal(err)
	}
	// A multipart object's ETag ends in "-<parts>"; a single PUT's does not.
	if !strings.HasSuffix(strings.Trim(info.ETag, `"`), "-3") {
		t.Errorf("ETag %q: the object was not uploaded in 3 parts", info.ETag)
	}
	got := readAll(t, store, "orgs/x/sha256/big")
	if sha256.Sum256(got) != sha256.Sum256(content) || len(got) != len(content) {
		t.Errorf("read back %d bytes that differ from the %d uploaded", len(got), len(content))
	}
}

func TestPresignedGetWorksUntilItExpires(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	content := []byte("receipt image bytes")
	key := "orgs/x/sha256/receipt"
	if err := store.Put(ctx, key, bytes.NewReader(content), int64(len(content)), "image/png"); err != nil {
		t.Fatal(err)
	}
	const ttl = 3 * time.Second
	link, err := store.PresignGet(ctx, key, ttl, "Quittung März.png")
	if err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("fresh presigned GET: %d %q, want 200 and the object", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline") || !strings.Contains(cd, "Quittung%20M%C3%A4rz.png") {
		t.Errorf("Content-Disposition %q does not name the download", cd)
	}

	other := strings.Replace(link, "/receipt?", "/other?", 1)
	if status := statusOf(t, other); status != http.StatusForbidden {
		t.Errorf("the URL signed for one key opened another: %d", status)
	}

	// The link dies once its lifetime has passed; wait for that, then some.
	time.Sleep(ttl)
	deadline := time.Now().Add(time.Minute)
	for status := statusOf(t, link); status != http.StatusForbidden; status = statusOf(t, link) {
		if time.Now().After(deadline) {
			t.Fatalf("presigned GET still answers %d a minute after it expired", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func statusOf(t *testing.T, link string) int {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestPresignedPostEnforcesTheSizeLimit(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	const limit = 1000

	within := randomBytes(t, limit)
	link, fields, err := store.PresignPost(ctx, "orgs/x/sha256/within", limit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := postForm(t, link, fields, within); status/100 != 2 {
		t.Fatalf("upload of %d bytes under a %d-byte limit: %d %s", len(within), limit, status, body)
	}
	if got := readAll(t, store, "orgs/x/sha256/within"); !bytes.Equal(got, within) {
		t.Errorf("uploaded object reads back %d bytes that differ", len(got))
	}

	over := randomBytes(t, limit+1)
	link, fields, err = store.PresignPost(ctx, "orgs/x/sha256/over", limit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := postForm(t, link, fields, over); status != http.StatusBadRequest || !strings.Contains(body, "EntityTooLarge") {
		t.Errorf("upload of %d bytes under a %d-byte limit: %d %s, want 400 EntityTooLarge", len(over), limit, status, body)
	}
	if _, err := store.Stat(ctx, "orgs/x/sha256/over"); !errors.Is(err, objectstore.ErrNotFound) {
		t.Errorf("the refused upload was stored: %v", err)
	}

	// The policy is signed for its key: the same form cannot write elsewhere.
	fields["key"] = "orgs/x/sha256/elsewhere"
	if status, body := postForm(t, link, fields, within); status/100 == 2 {
		t.Errorf("a form signed for one key wrote another: %d %s", status, body)
	}
}

// postForm uploads file as a browser form does: the signed fields, then the file.
func postForm(t *testing.T, link string, fields map[string]string, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	for name, value := range fields {
		if err := form.WriteField(name, value); err != nil {
			t.Fatal(err)
		}
	}
	part, err := form.CreateFormFile("file", "upload.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := form.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(link, form.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(answer)
}

func TestBadArgumentsAreRefusedBeforeAnyRequest(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	for _, key := range []string{"", "/abs", "orgs//x", "orgs/../etc/passwd", "./x", strings.Repeat("k", 1025)} {
		if err := store.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, objectstore.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", key, err)
		}
		if _, err := store.Get(ctx, key); !errors.Is(err, objectstore.ErrInvalidKey) {
			t.Errorf("Get(%q): %v, want ErrInvalidKey", key, err)
		}
	}
	if err := store.Put(ctx, "orgs/x/unknown-size", strings.NewReader("x"), -1, ""); !errors.Is(err, objectstore.ErrInvalidArgument) {
		t.Errorf("Put of unknown size: %v, want ErrInvalidArgument", err)
	}
	for _, ttl := range []time.Duration{0, -time.Second, 8 * 24 * time.Hour} {
		if _, err := store.PresignGet(ctx, "orgs/x/y", ttl, ""); !errors.Is(err, objectstore.ErrInvalidArgument) {
			t.Errorf("PresignGet with lifetime %s: %v, want ErrInvalidArgument", ttl, err)
		}
	}
	if _, _, err := store.PresignPost(ctx, "orgs/x/y", 0, time.Minute); !errors.Is(err, objectstore.ErrInvalidArgument) {
		t.Errorf("PresignPost with no size limit: %v, want ErrInvalidArgument", err)
	}
	if _, err := objectstore.Open(ctx, objectstore.Config{Endpoint: "https://s3.example.com", Bucket: "b", AccessKey: "a", SecretKey: "s"}); !errors.Is(err, objectstore.ErrInvalidArgument) {
		t.Errorf("Open with a scheme in the endpoint: %v, want ErrInvalidArgument", err)
	}
}

func TestPresignedURLsUseThePublicURL(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.ObjectStore(t)
	// A reverse proxy that keeps the Host header, as the browser-facing
	// address of a server on an internal network is.
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: "http", Host: cfg.Endpoint})
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(proxy.Close)
	cfg.PublicURL = proxy.URL
	cfg.Region = "" // learnt from the bucket, through the endpoint
	store, err := objectstore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	content := []byte("scanned page")
	if err := store.Put(ctx, "orgs/x/sha256/page", bytes.NewReader(content), int64(len(content)), "image/png"); err != nil {
		t.Fatal(err)
	}
	link, err := store.PresignGet(ctx, "orgs/x/sha256/page", time.Minute, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, proxy.URL+"/") {
		t.Fatalf("presigned GET %s is not at the public URL %s", link, proxy.URL)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Errorf("presigned GET through the public URL: %d %q", resp.StatusCode, body)
	}

	postURL, fields, err := store.PresignPost(ctx, "orgs/x/sha256/posted", 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(postURL, proxy.URL+"/") {
		t.Fatalf("presigned POST %s is not at the public URL %s", postURL, proxy.URL)
	}
	if status, body := postForm(t, postURL, fields, content); status/100 != 2 {
		t.Errorf("presigned POST through the public URL: %d %s", status, body)
	}
}
