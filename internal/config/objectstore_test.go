package config

import (
	"strings"
	"testing"
)

func TestObjectStoreURL(t *testing.T) {
	c, err := load(t, map[string]string{"LABLET_OBJECT_STORE_URL": "s3://AK:S%2FK@minio.local:9000/lablet-blobs/one/two?region=us-east-1&secure=false"}, Storage)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := c.ObjectStore()
	want := ObjectStore{Endpoint: "minio.local:9000", Region: "us-east-1", Bucket: "lablet-blobs", Prefix: "one/two",
		AccessKey: "AK", SecretKey: "S/K"}
	if !ok || o != want {
		t.Fatalf("ObjectStore() = %+v, %v; want %+v", o, ok, want)
	}
	// The environment's keys win; HTTPS is the default.
	c, err = load(t, map[string]string{"LABLET_OBJECT_STORE_URL": "s3://AK:SK@s3.amazonaws.com/b-1",
		"LABLET_OBJECT_STORE_ACCESS_KEY": "EAK", "LABLET_OBJECT_STORE_SECRET_KEY": "ESK"}, Storage)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := c.ObjectStore(); !ok || !o.Secure || o.AccessKey != "EAK" || o.SecretKey != "ESK" || o.Bucket != "b-1" {
		t.Fatalf("ObjectStore() = %+v, %v", o, ok)
	}
	def := Default()
	if _, ok := def.ObjectStore(); ok || !def.ObjectStoreProxyDownload {
		t.Fatal("an object store, or no proxied downloads, by default")
	}
	for _, bad := range []string{"http://host/bucket", "s3://host", "s3://host/", "s3:///bucket", "s3://host/B_ucket",
		"s3://host/ab", "s3://host/bucket?secure=maybe", "s3://host/bucket?bogus=1", "s3://host/bucket/a/../b",
		"s3://host:99999/bucket", "s3://host/bucket//x", "s3://host/bucket#frag", "s3:bucket"} {
		_, err := load(t, map[string]string{"LABLET_OBJECT_STORE_URL": bad}, Storage)
		if err == nil || !strings.Contains(err.Error(), "LABLET_OBJECT_STORE_URL") {
			t.Errorf("%s: %v, want an error naming the setting", bad, err)
		}
	}
	// The secret is not repeated in the error.
	_, err = load(t, map[string]string{"LABLET_OBJECT_STORE_URL": "s3://AK:topsecret@host/B"}, Storage)
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("error %v shows the secret", err)
	}
	// Settings given in code are checked by Validate.
	c = Default()
	c.ObjectStoreURL = "s3://host"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "object store URL") {
		t.Fatalf("Validate = %v", err)
	}
}
