package rural

import (
	"fmt"
	"slices"
	"strings"
)

// Shift is one vehicle's working day: a hub route, or a van's chain of
// village rounds across stations, with the empty drives between them.
type Shift struct {
	County  string `json:"county"`
	Vehicle string `json:"vehicle"`
	Type    string `json:"type"`
	Echelon int    `json:"echelon"`
	// Extra marks a vehicle beyond the county's fleet: the plan needs it.
	Extra bool `json:"extra,omitempty"`
	// Start and End bound the duty, in seconds after midnight.
	Start     int64   `json:"start"`
	End       int64   `json:"end"`
	DutyHours float64 `json:"duty_hours"`
	// Km includes DeadheadKm, the empty drives between stations.
	Km         float64  `json:"km"`
	DeadheadKm float64  `json:"deadhead_km"`
	Routes     int      `json:"routes"`
	Bases      []string `json:"bases"`
}

// FleetUse compares a county's fleet of one role with what the week uses.
type FleetUse struct {
	County string `json:"county"`
	// Role is "branch" (trucks), "cold" (refrigerated vans) or "round"
	// (village-round vans).
	Role      string `json:"role"`
	Type      string `json:"type"`
	Available int    `json:"available"`
	// MaxUsed is the most vehicles of the role used on one day, extras
	// included; Extra the most beyond the fleet.
	MaxUsed int    `json:"max_used"`
	Extra   int    `json:"extra"`
	Note    string `json:"note,omitempty"`
}

// chainRounds puts the station rounds of one day (echelon 2 routes, each
// with a placeholder vehicle) onto the county's vehicles, in order of
// start. A round goes onto the vehicle of its type for which it costs
// least: a vehicle already out that can drive empty from its last station
// in time and stay within the duty limit costs that drive (YuanPerKm and
// YuanPerHour), a vehicle not yet out its day's FixedYuan, and one beyond
// the fleet ten times that. This is the greedy of vehicle scheduling with
// set-up times: a van is garaged at the station of its first round and
// may serve several stations a day. It renames the routes and returns the
// shifts.
func (c *county) chainRounds(d int, blocks []Route, busy map[string]bool, o Options) []Shift {
	stIdx := map[string]int{}
	for i, s := range c.src.Stations {
		stIdx[string(s.ID)] = i
	}
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return int(blocks[a].Start - blocks[b].Start)
	})
	type chain struct {
		typ        string
		last       int
		start, end int64
		km, dead   float64
		members    []int
	}
	free := map[string]int{}
	for _, v := range append(append([]fleetVehicle(nil), c.vans...), c.colds...) {
		if !busy[v.id] {
			free[v.t.ID]++
		}
	}
	var chains []*chain
	maxDuty := int64(o.MaxDutyHours * 3600)
	for _, b := range order {
		r := &blocks[b]
		s := stIdx[r.Base]
		t := c.van
		if r.ColdChain {
			t = c.coldVan
		}
		best, bestCost, bestDead := (*chain)(nil), t.FixedYuan, 0.0
		if free[t.ID] == 0 {
			bestCost = 10 * t.FixedYuan
		}
		for _, ch := range chains {
			if ch.typ != r.Type {
				continue
			}
			sec := float64(c.net.Duration(ch.last+1, s+1)) / c.speedFactor(t)
			if ch.end+int64(sec) > r.Start || r.End-ch.start > maxDuty {
				continue
			}
			km := float64(c.net.Distance(ch.last+1, s+1)) / 1000
			if cost := km*t.YuanPerKm + sec/3600*t.YuanPerHour; cost < bestCost {
				best, bestCost, bestDead = ch, cost, km
			}
		}
		if best == nil {
			best = &chain{typ: r.Type, start: r.Start}
			chains = append(chains, best)
			free[t.ID] = max(0, free[t.ID]-1)
		}
		best.last, best.end = s, r.End
		best.km += r.Km + bestDead
		best.dead += bestDead
		best.members = append(best.members, b)
	}
	// Name the chains after the fleet's vehicles of their type.
	pool := map[string][]string{}
	for _, v := range append(append([]fleetVehicle(nil), c.vans...), c.colds...) {
		if !busy[v.id] {
			pool[v.t.ID] = append(pool[v.t.ID], v.id)
		}
	}
	var out []Shift
	extra := map[string]int{}
	for _, ch := range chains {
		sh := Shift{County: c.src.ID, Type: ch.typ, Echelon: 2, Start: ch.start, End: ch.end,
			DutyHours: float64(ch.end-ch.start) / 3600, Km: ch.km, DeadheadKm: ch.dead, Routes: len(ch.members)}
		if p := pool[ch.typ]; len(p) > 0 {
			sh.Vehicle, pool[ch.typ] = p[0], p[1:]
		} else {
			extra[ch.typ]++
			sh.Vehicle, sh.Extra = fmt.Sprintf("%s-extra-%s-%02d", c.src.Hub.ID, ch.typ, extra[ch.typ]), true
		}
		for _, b := range ch.members {
			blocks[b].Vehicle = sh.Vehicle
			if !slices.Contains(sh.Bases, blocks[b].Base) {
				sh.Bases = append(sh.Bases, blocks[b].Base)
			}
		}
		out = append(out, sh)
	}
	return out
}

// hubShifts are the shifts of the hub's routes (one route per vehicle).
func (c *county) hubShifts(rs []Route) []Shift {
	var out []Shift
	for _, r := range rs {
		if r.Echelon != 1 {
			continue
		}
		out = append(out, Shift{County: c.src.ID, Vehicle: r.Vehicle, Type: r.Type, Echelon: 1, Extra: strings.Contains(r.Vehicle, "-extra-"),
			Start: r.Start, End: r.End, DutyHours: float64(r.End-r.Start) / 3600, Km: r.Km, Routes: 1, Bases: []string{r.Base}})
	}
	return out
}

// fleetUse compares the fleet with the week's shifts.
func (c *county) fleetUse() []FleetUse {
	roles := []struct {
		role string
		vs   []fleetVehicle
		of   func(Shift) bool
	}{
		{"branch", c.trucks, func(s Shift) bool { return s.Echelon == 1 && !c.isCold(s.Type) }},
		{"cold", c.colds, func(s Shift) bool { return c.isCold(s.Type) }},
		{"round", c.vans, func(s Shift) bool { return s.Echelon == 2 && !c.isCold(s.Type) }},
	}
	var out []FleetUse
	for _, r := range roles {
		u := FleetUse{County: c.src.ID, Role: r.role, Available: len(r.vs)}
		if len(r.vs) > 0 {
			u.Type = r.vs[0].t.ID
		}
		worst := -1
		for d := range DaysPerWeek {
			used, extra := 0, 0
			for _, s := range c.days[d].shifts {
				if !r.of(s) {
					continue
				}
				used++
				if s.Extra {
					extra++
				}
				if u.Type == "" {
					u.Type = s.Type
				}
			}
			u.MaxUsed = max(u.MaxUsed, used)
			if extra > u.Extra {
				u.Extra, worst = extra, d
			}
		}
		if u.Extra > 0 {
			u.Note = fmt.Sprintf("%d more %s needed (day %d)", u.Extra, u.Type, worst)
		}
		if u.Available > 0 || u.MaxUsed > 0 {
			out = append(out, u)
		}
	}
	return out
}

func (c *county) isCold(typ string) bool {
	for _, v := range c.colds {
		if v.t.ID == typ {
			return true
		}
	}
	return c.coldVan != nil && c.coldVan.ID == typ
}
