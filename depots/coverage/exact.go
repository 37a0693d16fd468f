package coverage

// Exact enumeration for small instances. When at most maxExactCandidates
// candidates reach any residual demand, the MCLP and LSCP optima are found
// by depth-first enumeration with incremental cover counts (and, for LSCP,
// pruning on cost), and the plan is marked Exact. Larger instances use the
// heuristics and report a Lagrangian bound instead.

const (
	maxExactCandidates = 20
	maxExactNodes      = 1 << 21
)

// relevant returns the candidates that reach some unit, or nil when there
// are more than maxExactCandidates of them.
func (in *instance) relevant() []int {
	var rel []int
	for j := range in.candidates() {
		if len(in.covers(j)) > 0 {
			if len(rel) == maxExactCandidates {
				return nil
			}
			rel = append(rel, j)
		}
	}
	return rel
}

// exactMCLP returns the k relevant candidates covering the most demand, or
// ok = false when the instance is too large to enumerate.
func (in *instance) exactMCLP(k int) (best []int, covered float64, ok bool) {
	rel := in.relevant()
	if rel == nil {
		return nil, 0, false
	}
	k = min(k, len(rel))
	if binomial(len(rel), k) > maxExactNodes {
		return nil, 0, false
	}
	s := newCoverState(in)
	covered = -1
	var pick []int
	var dfs func(i, left int)
	dfs = func(i, left int) {
		if left == 0 {
			if c := s.exactCovered(); c > covered+in.eps() {
				covered, best = c, append(best[:0], pick...)
			}
			return
		}
		if len(rel)-i < left {
			return
		}
		j := rel[i]
		s.add(j)
		pick = append(pick, j)
		dfs(i+1, left-1)
		pick = pick[:len(pick)-1]
		s.remove(j)
		dfs(i+1, left)
	}
	dfs(0, k)
	return best, covered, true
}

// exactLSCP returns the cheapest set of relevant candidates covering need,
// or ok = false when the instance is too large to enumerate or need cannot
// be met.
func (in *instance) exactLSCP(need float64) (best []int, cost float64, ok bool) {
	rel := in.relevant()
	if rel == nil {
		return nil, 0, false
	}
	s := newCoverState(in)
	cost = -1
	var pick []int
	var dfs func(i int, c float64)
	dfs = func(i int, c float64) {
		if cost >= 0 && c >= cost {
			return
		}
		if s.covered >= need-in.eps() && s.exactCovered() >= need-in.eps() {
			cost, best = c, append(best[:0], pick...)
			return
		}
		if i == len(rel) {
			return
		}
		j := rel[i]
		s.add(j)
		pick = append(pick, j)
		dfs(i+1, c+in.cost[j])
		pick = pick[:len(pick)-1]
		s.remove(j)
		dfs(i+1, c)
	}
	dfs(0, 0)
	return best, cost, cost >= 0
}

func binomial(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
		if r > maxExactNodes {
			return r
		}
	}
	return r
}
