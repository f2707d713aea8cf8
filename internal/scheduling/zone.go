package scheduling

import (
	"errors"
	"fmt"
	"sync"
	"time"

	// Zone data inside the binary: every worker and API replica knows the
	// same IANA zones whatever the host has installed (a slim container or a
	// CI runner without tzdata included). Go still prefers a host's own
	// zoneinfo files when they exist.
	_ "time/tzdata"
)

// ErrUnknownTimeZone is returned for a zone name that is not an IANA zone.
var ErrUnknownTimeZone = errors.New("unknown time zone")

// zones caches loaded locations: LoadLocation parses zone data on every call,
// and a slot query needs one zone per operator. Only names that load are kept,
// so the cache is bounded by the IANA database.
var zones sync.Map // string → *time.Location

// LoadZone returns the IANA zone called name. "Local" (the host's zone) and the
// empty name (which LoadLocation reads as UTC) are refused: an operator's hours
// must not depend on the machine that computes them.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, fmt.Errorf("%w %q", ErrUnknownTimeZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownTimeZone, name)
	}
	zones.Store(name, loc)
	return loc, nil
}
