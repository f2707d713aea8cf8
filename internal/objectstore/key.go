package objectstore

import (
	"github.com/google/uuid"
)

// Key is where an organisation's file with the given SHA-256 (lower-case hex)
// is stored: the same bytes are stored once per organisation, and one
// organisation's objects share a prefix that can be listed or deleted together.
func Key(org uuid.UUID, sha256Hex string) string {
	return "orgs/" + org.String() + "/sha256/" + sha256Hex
}
