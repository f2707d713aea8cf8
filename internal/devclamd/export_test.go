package devclamd

// PID is the running clamd's process id (0 when stopped), for tests.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Dir is the directory holding clamd's config, database and log, for tests.
func (s *Server) Dir() string { return s.dir }
