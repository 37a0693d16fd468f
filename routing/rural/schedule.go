package rural

import (
	"math"
	"slices"
)

// DaysPerWeek is the length of the planning period.
const DaysPerWeek = 7

// Patterns returns the visit-day patterns for a village visited k times a
// week: the day sets spaced as evenly as the week allows (for k = 2:
// {0,3}, {0,4}, {1,4}, …), each as a bitmask of days 0–6. k ≥ 7 gives
// every day; k ≤ 0 none.
func Patterns(k int) []uint8 {
	if k <= 0 {
		return nil
	}
	if k >= DaysPerWeek {
		return []uint8{1<<DaysPerWeek - 1}
	}
	// Every k-subset whose largest cyclic gap between visits is the least
	// possible, ceil(7/k), so visits are spread evenly.
	best := (DaysPerWeek + k - 1) / k
	var out []uint8
	for m := 0; m < 1<<DaysPerWeek; m++ {
		if popcount(uint8(m)) != k {
			continue
		}
		if maxGap(uint8(m)) == best {
			out = append(out, uint8(m))
		}
	}
	return out
}

func popcount(m uint8) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

// maxGap is the largest cyclic distance between consecutive visit days.
func maxGap(m uint8) int {
	var days []int
	for d := range DaysPerWeek {
		if m&(1<<d) != 0 {
			days = append(days, d)
		}
	}
	g := 0
	for i, d := range days {
		next := days[(i+1)%len(days)]
		if next <= d {
			next += DaysPerWeek
		}
		g = max(g, next-d)
	}
	return g
}

// assignDays picks a pattern per village so that each station's daily
// load is level: villages in decreasing order of load per visit each take
// the pattern that minimises the sum of squared daily loads of their
// station, the greedy pattern assignment of periodic routing (Christofides
// & Beasley, "The period routing problem", Networks 14(2), 1984).
// loads[i] is village i's load per visit, station[i] its station index,
// visits[i] its visits per week.
func assignDays(loads []float64, station []int, visits []int, nStations int) []uint8 {
	out := make([]uint8, len(loads))
	daily := make([][DaysPerWeek]float64, nStations)
	order := make([]int, len(loads))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		// Fewer patterns first (daily villages fix their days), then
		// heavier visits.
		if visits[a] != visits[b] {
			return visits[b] - visits[a]
		}
		switch {
		case loads[a] > loads[b]:
			return -1
		case loads[a] < loads[b]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		s := station[i]
		best, bestCost := uint8(0), math.Inf(1)
		for _, p := range Patterns(visits[i]) {
			c := 0.0
			for d := range DaysPerWeek {
				x := daily[s][d]
				if p&(1<<d) != 0 {
					x += loads[i]
				}
				c += x * x
			}
			if c < bestCost-1e-9 {
				best, bestCost = p, c
			}
		}
		out[i] = best
		for d := range DaysPerWeek {
			if best&(1<<d) != 0 {
				daily[s][d] += loads[i]
			}
		}
	}
	return out
}
