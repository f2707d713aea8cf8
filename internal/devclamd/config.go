package devclamd

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// EICAR is the industry's harmless test file: every scanner reports it as a
// virus. It is not a virus; it exists to prove the scanning path works.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*`

// EICARSignature is the name our database gives it. clamd reports it as
// "Eicar-Test-Signature.UNOFFICIAL", as it does for any unsigned database;
// real databases call it "Win.Test.EICAR_HDB-1".
const EICARSignature = "Eicar-Test-Signature"

// socketName is clamd's Unix socket in its directory; it listens there and on TCP.
const socketName = "clamd.sock"

// writeFiles writes clamd.conf, the signature database and the scratch
// directory clamd keeps streams in while it scans them.
func writeFiles(dir string, port int, streamMax int64) error {
	dbDir := filepath.Join(dir, "db")
	tmpDir := filepath.Join(dir, "tmp")
	for _, d := range []string{dbDir, tmpDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("devclamd: %w", err)
		}
	}
	// An extended (.ndb) body signature: any file type, the 68 bytes of EICAR
	// anywhere in it ("*"), so a PDF or image carrying it (which passes the
	// upload's type check) goes down the infected path in tests and dev.
	ndb := fmt.Sprintf("%s:0:*:%s\n", EICARSignature, hex.EncodeToString([]byte(EICAR)))
	if err := os.WriteFile(filepath.Join(dbDir, "eicar.ndb"), []byte(ndb), 0o600); err != nil {
		return fmt.Errorf("devclamd: write database: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clamd.conf"), []byte(clamdConf(dir, port, streamMax)), 0o600); err != nil {
		return fmt.Errorf("devclamd: write clamd.conf: %w", err)
	}
	return nil
}

// clamdConf is a complete config: nothing is read from /etc/clamav.
func clamdConf(dir string, port int, streamMax int64) string {
	// A file larger than MaxFileSize or MaxScanSize is reported clean unscanned
	// (unless AlertExceedsMax): keep both above the stream limit so it cannot happen.
	return fmt.Sprintf(`# Written by astralis (internal/devclamd) on every start; edits are lost.
Foreground yes
LogTime yes
TCPAddr 127.0.0.1
TCPSocket %d
LocalSocket %s
DatabaseDirectory %s
TemporaryDirectory %s
StreamMaxLength %d
MaxFileSize %d
MaxScanSize %d
MaxThreads 4
MaxQueue 50
ReadTimeout 30
CommandReadTimeout 10
IdleTimeout 30
ConcurrentDatabaseReload no
Bytecode no
`, port, filepath.Join(dir, socketName), filepath.Join(dir, "db"), filepath.Join(dir, "tmp"), streamMax, streamMax, 4*streamMax)
}
