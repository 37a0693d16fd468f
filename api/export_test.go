package api

// Routes exposes the registered patterns to the external tests.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }
