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
	// Every k-subset whose cyclic gaps between visits are all floor(7/k)
	// or ceil(7/k), so visits are spread as evenly as the week allows.
	hi, lo := (DaysPerWeek+k-1)/k, DaysPerWeek/k
	var out []uint8
	for m := 0; m < 1<<DaysPerWeek; m++ {
		if popcount(uint8(m)) != k {
			continue
		}
		if maxGap(uint8(m)) == hi && minGap(uint8(m)) >= lo {
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

// minGap is the smallest cyclic distance between consecutive visit days.
func minGap(m uint8) int {
	days := daysOf(m)
	g := DaysPerWeek
	for i, d := range days {
		next := days[(i+1)%len(days)]
		if next <= d {
			next += DaysPerWeek
		}
		g = min(g, next-d)
	}
	return g
}

func daysOf(m uint8) []int {
	var days []int
	for d := range DaysPerWeek {
		if m&(1<<d) != 0 {
			days = append(days, d)
		}
	}
	return days
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
	place := func(i int, sign float64) {
		for d := range DaysPerWeek {
			if out[i]&(1<<d) != 0 {
				daily[station[i]][d] += sign * loads[i]
			}
		}
	}
	// choose returns village i's pattern of least sum of squared daily
	// loads given the others, keeping cur on ties.
	choose := func(i int, cur uint8) uint8 {
		s := station[i]
		best, bestCost := cur, math.Inf(1)
		for _, p := range Patterns(visits[i]) {
			c := 0.0
			for d := range DaysPerWeek {
				x := daily[s][d]
				if p&(1<<d) != 0 {
					x += loads[i]
				}
				c += x * x
			}
			if c < bestCost-1e-9 || (p == cur && c <= bestCost+1e-9) {
				best, bestCost = p, c
			}
		}
		return best
	}
	for _, i := range order {
		out[i] = choose(i, 0)
		place(i, 1)
	}
	// Then re-choose each village's pattern given all the others until no
	// village changes (each change lowers the sum of squares; capped).
	for range 20 {
		changed := false
		for _, i := range order {
			place(i, -1)
			p := choose(i, out[i])
			changed = changed || p != out[i]
			out[i] = p
			place(i, 1)
		}
		// Pairs of villages of one station: both patterns at once, which
		// escapes the ties that single moves cannot.
		for a := range order {
			for b := a + 1; b < len(order); b++ {
				i, j := order[a], order[b]
				if station[i] != station[j] {
					continue
				}
				if pairMove(i, j, out, loads, visits, daily[station[i]][:]) {
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	return out
}

// pairMove re-chooses the patterns of villages i and j together (they
// share the station whose daily loads are day) and reports whether that
// lowered the sum of squared daily loads.
func pairMove(i, j int, out []uint8, loads []float64, visits []int, day []float64) bool {
	sq := func() float64 {
		c := 0.0
		for _, x := range day {
			c += x * x
		}
		return c
	}
	add := func(p uint8, w float64) {
		for d := range DaysPerWeek {
			if p&(1<<d) != 0 {
				day[d] += w
			}
		}
	}
	add(out[i], -loads[i])
	add(out[j], -loads[j])
	add(out[i], loads[i])
	add(out[j], loads[j])
	before := sq()
	add(out[i], -loads[i])
	add(out[j], -loads[j])
	bi, bj, best := out[i], out[j], before
	for _, pi := range Patterns(visits[i]) {
		for _, pj := range Patterns(visits[j]) {
			add(pi, loads[i])
			add(pj, loads[j])
			if c := sq(); c < best-1e-9 {
				bi, bj, best = pi, pj, c
			}
			add(pi, -loads[i])
			add(pj, -loads[j])
		}
	}
	out[i], out[j] = bi, bj
	add(bi, loads[i])
	add(bj, loads[j])
	return best < before-1e-9
}
