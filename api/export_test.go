package api

// Routes exposes the registered patterns to the external tests.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// The wire types are unexported (the OpenAPI document is the contract); the
// external tests decode responses through these aliases.
type (
	SolutionDoc       = solutionDoc
	CourierRoute      = courierRoute
	CourierStop       = courierStop
	StopEventResponse = stopEventResponse
	JobDoc            = jobDoc
	JobSummary        = jobSummary
	LocationResult    = locationResult
	ProblemDetails    = problemDetails
)

const (
	StopPending     = stopPending
	StopInProgress  = stopInProgress
	StopDelivered   = stopDelivered
	StopFailed      = stopFailed
	TimeLimitHeader = timeLimitHeader
)
