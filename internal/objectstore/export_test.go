package objectstore

// SetPartSize makes Put split objects larger than n bytes into parts of n
// bytes, so tests exercise multipart uploads with small objects.
func SetPartSize(s *Store, n uint64) { s.partSize = n }
