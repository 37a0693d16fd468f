package routing

import "context"

// Solve is implemented by the solver; this placeholder keeps the package
// building until it lands.
func Solve(ctx context.Context, p *Problem, opts Options) (*Solution, error) {
	return nil, ErrInfeasible
}
