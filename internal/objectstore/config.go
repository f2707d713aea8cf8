package objectstore

import (
	"fmt"
	"net/url"
	"strings"
)

// Config says where objects live. The same keys reach MinIO-compatible
// servers, DigitalOcean Spaces and AWS S3: only the values differ.
type Config struct {
	// Endpoint is the server's host[:port], without a scheme (s3.amazonaws.com,
	// nyc3.digitaloceanspaces.com, 127.0.0.1:9000).
	Endpoint string `mapstructure:"endpoint"`
	// Region signs requests; empty asks the server for the bucket's region.
	Region string `mapstructure:"region"`
	Bucket string `mapstructure:"bucket"`
	// AccessKey and SecretKey are the S3 credentials (SigV4).
	AccessKey string `mapstructure:"access_key"`
	SecretKey string `mapstructure:"secret_key"`
	// TLS talks https to the endpoint.
	TLS bool `mapstructure:"tls"`
	// PathStyle puts the bucket in the path (host/bucket/key) instead of the
	// host name (bucket.host/key): needed by servers without wildcard DNS.
	PathStyle bool `mapstructure:"path_style"`
	// PublicURL is where browsers reach the server when that is not the
	// endpoint, e.g. https://s3.example.com behind a reverse proxy that keeps
	// the Host header: presigned URLs are signed for it. Empty: the endpoint.
	PublicURL string `mapstructure:"public_url"`
}

// Problems lists what is wrong with the configuration, one line per
// problem, each naming its key under prefix (such as "storage.").
func (c Config) Problems(prefix string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, prefix+fmt.Sprintf(format, args...)) }
	switch {
	case c.Endpoint == "":
		add("endpoint: required")
	case strings.Contains(c.Endpoint, "://") || strings.ContainsAny(c.Endpoint, "/?# "):
		add("endpoint: %q must be host[:port] without a scheme or path (tls chooses https)", c.Endpoint)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
			add("public_url: %q must be an http(s) URL with no path, such as https://s3.example.com", c.PublicURL)
		}
	}
	if c.Bucket == "" {
		add("bucket: required")
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		add("access_key and secret_key: both required")
	}
	return problems
}
