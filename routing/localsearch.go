package routing

func (s *search) localSearch(sol *solution) {}
