package testenv

import "testing"

// ClamdAddressEnv carries the address of the clamd `astralis testenv` started
// (with the EICAR test signature only), as "tcp://127.0.0.1:port".
const ClamdAddressEnv = "TEST_CLAMD_ADDRESS"

// ClamdAddress is the shared test clamd, for virusscan.Config.Address. Tests
// that stop clamd start their own with devclamd instead of stopping this one.
func ClamdAddress(t testing.TB) string {
	t.Helper()
	return requireEnv(t, ClamdAddressEnv)
}
