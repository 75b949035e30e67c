package config

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// ObjectStore names the S3-compatible bucket blobs are kept in.
type ObjectStore struct {
	// Endpoint is host:port.
	Endpoint string
	// Secure: HTTPS (the default); secure=false in the URL: plain HTTP.
	Secure bool
	// Region is the bucket's region; empty lets the client ask.
	Region string
	// Bucket, and Prefix ("" or a slash-separated path) inside it.
	Bucket, Prefix string
	// AccessKey and SecretKey: the environment's, else the URL's.
	AccessKey, SecretKey string
}

const acceptedObjectStoreURL = "empty, or s3://[ACCESS:SECRET@]host[:port]/bucket[/prefix][?region=REGION&secure=true|false]"

// bucketName is S3's rule for bucket names.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// parseObjectStore parses an object store URL; ok is false for one that
// is not acceptedObjectStoreURL.
func parseObjectStore(v string) (o ObjectStore, ok bool) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.Opaque != "" || u.Fragment != "" || u.Port() == "0" {
		return o, false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return o, false
		}
	}
	o.Endpoint, o.Secure = u.Host, true
	if u.User != nil {
		o.AccessKey = u.User.Username()
		o.SecretKey, _ = u.User.Password()
	}
	path := strings.TrimPrefix(u.Path, "/")
	o.Bucket, o.Prefix, _ = strings.Cut(path, "/")
	o.Prefix = strings.TrimSuffix(o.Prefix, "/")
	if !bucketName.MatchString(o.Bucket) || strings.Contains(o.Bucket, "..") {
		return o, false
	}
	if o.Prefix != "" {
		for _, seg := range strings.Split(o.Prefix, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
				return o, false
			}
		}
	}
	for k, vs := range u.Query() {
		if len(vs) != 1 {
			return o, false
		}
		switch k {
		case "region":
			o.Region = vs[0]
		case "secure":
			b, err := strconv.ParseBool(vs[0])
			if err != nil {
				return o, false
			}
			o.Secure = b
		default:
			return o, false
		}
	}
	return o, true
}

func parseObjectStoreURL(c *Config, v string) error {
	if v != "" {
		if _, ok := parseObjectStore(v); !ok {
			return acceptedError(acceptedObjectStoreURL)
		}
	}
	c.ObjectStoreURL = v
	return nil
}

// ObjectStore returns the object store blobs are kept in; ok is false
// when there is none (blobs are files in the data dir).
func (c *Config) ObjectStore() (o ObjectStore, ok bool) {
	if c.ObjectStoreURL == "" {
		return o, false
	}
	o, ok = parseObjectStore(c.ObjectStoreURL)
	if c.ObjectStoreAccessKey != "" {
		o.AccessKey = c.ObjectStoreAccessKey
	}
	if c.ObjectStoreSecretKey != "" {
		o.SecretKey = c.ObjectStoreSecretKey
	}
	return o, ok
}
