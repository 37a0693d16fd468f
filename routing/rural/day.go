package rural

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

const daySeconds = 86400

// dayResult is one county-day: its routes and shifts, and the times of
// the collections that later loads need.
type dayResult struct {
	routes []Route
	shifts []Shift
	trunks []Trunk
	// hubReady is when the trunk's parcels are sorted at the hub;
	// stationReady[s] when the branch line's parcels are at station s.
	hubReady     int64
	stationReady []int64
	// stationArrive[s] is when the branch line with its parcels arrived.
	stationArrive []int64
	// collect[s] is the branch line's collection of the ambient produce
	// waiting at station s, coldCollect[s] the cold van's at its cold
	// room; up and coldUp are the trunks from the hub to the city.
	collect, coldCollect []event
	up, coldUp           event
	// atStation are the ambient loads left at the stations, inRoom the
	// cold loads in station cold rooms, atHub the cold loads brought to
	// the hub; all wait for a later leg.
	atStation, inRoom, atHub []*load
}

// event is a leg of the chain: leaving at dep, arriving at arr (seconds
// after the day's midnight); ok is false when no route made it.
type event struct {
	ok       bool
	dep, arr int64
	reason   string
}

// load is one village's produce of one kind on one day, followed along
// the chain; times are seconds after the day's midnight of day.
type load struct {
	village   int
	day       int
	kg        float64
	cold      bool
	station   int // -1 when collected straight to the hub
	picked    int64
	atStation int64
	atHub     int64 // set for loads collected straight to the hub
}

// planWeek routes the county's seven days in order.
func (c *county) planWeek(ctx context.Context, o Options) error {
	for d := range DaysPerWeek {
		if err := c.routeDay(ctx, d, o); err != nil {
			return err
		}
	}
	c.finishLoads(o)
	return nil
}

// stationStock is the ambient (cold: the cold-room) produce waiting at
// station s on the morning of day d: what the previous day left there.
// Day 0 takes day 6's planned produce: the week repeats.
func (c *county) stationStock(d, s int, cold bool) float64 {
	if d > 0 {
		kg := 0.0
		ls := c.days[d-1].atStation
		if cold {
			ls = c.days[d-1].inRoom
		}
		for _, l := range ls {
			if l.station == s {
				kg += l.kg
			}
		}
		return kg
	}
	kg := 0.0
	for i := range c.villages {
		v := &c.villages[i]
		if v.station != s || v.days&(1<<(DaysPerWeek-1)) == 0 {
			continue
		}
		switch {
		case !cold:
			kg += v.perVisit(v.ambientKg)
		case v.room:
			kg += v.perVisit(v.coldKg)
		}
	}
	return kg
}

// routeDay routes day d of the county as a timed chain:
//
//  1. the trunk's parcels reach the hub (trunkPlan) and are sorted;
//  2. branch lines leave the hub, deliver every station's parcels and, as
//     backhaul, collect the ambient produce the previous day left there;
//  3. at each station, once its parcels are in and sorted, the village
//     rounds deliver and collect ambient produce, and at stations with a
//     cold room a refrigerated round collects cold produce into it;
//  4. the hub's refrigerated vans collect cold produce from the villages
//     without a cold room and from yesterday's cold rooms;
//  5. the trunks take the day's produce to the city, ambient after the
//     last branch line is back, cold after the last cold van.
//
// Rounds are then chained onto the county's vans (chainShifts).
func (c *county) routeDay(ctx context.Context, d int, o Options) error {
	rc := c.src
	res := &c.days[d]
	handling := int64(o.HandlingSeconds)
	nSt := len(rc.Stations)
	res.stationReady = make([]int64, nSt)
	res.stationArrive = make([]int64, nSt)
	res.collect = make([]event, nSt)
	res.coldCollect = make([]event, nSt)
	res.hubReady = 0
	if c.trunk.ok {
		res.hubReady = c.trunk.atHub + handling
	}
	// 2. Branch lines.
	stParcels := make([]int, nSt)
	stVillages := make([][]int, nSt)
	for i := range c.villages {
		v := &c.villages[i]
		if v.days&(1<<d) != 0 {
			stParcels[v.station] += v.parcels
			stVillages[v.station] = append(stVillages[v.station], i)
		}
	}
	var jobs []stopJob
	for s, st := range rc.Stations {
		if stParcels[s] > 0 {
			jobs = append(jobs, stopJob{
				job:      routing.Job{ID: string(st.ID), Delivery: []int64{int64(stParcels[s]), 0, 0}, Pickup: make([]int64, dims), Service: 900},
				stop:     Stop{ID: string(st.ID), Location: st.Location, Kind: "delivery", Parcels: stParcels[s]},
				villages: []int{s},
			})
		}
		for _, part := range split(c.stationStock(d, s, false), c.truckCapKg) {
			jobs = append(jobs, stopJob{
				job:      routing.Job{ID: string(st.ID) + "/produce", Delivery: make([]int64, dims), Pickup: []int64{0, int64(part), 0}, Service: 900},
				stop:     Stop{ID: string(st.ID), Location: st.Location, Kind: "pickup", Kg: part},
				villages: []int{s},
			})
		}
	}
	var truck *fleetVehicle
	for k := range c.trucks {
		if truck == nil || c.trucks[k].t.CapacityKg > truck.t.CapacityKg {
			truck = &c.trucks[k]
		}
	}
	var truckType = c.van
	if truck != nil {
		truckType = truck.t
	}
	rs, tasks, un, err := c.solveCovered(ctx, d, 1, string(rc.Hub.ID), rc.Hub.Location, res.hubReady, c.trucks, truckType, jobs, o)
	if err != nil {
		return err
	}
	supplied := make([]bool, nSt)
	for s := range supplied {
		supplied[s] = stParcels[s] == 0
		res.collect[s] = event{ok: true}
	}
	var lastBranch int64 = -1
	for r, rt := range rs {
		lastBranch = max(lastBranch, rt.End)
		for k, st := range rt.Stops {
			j := jobs[tasks[r][k]]
			s := j.villages[0]
			if st.Kind == "delivery" {
				supplied[s] = true
				res.stationArrive[s] = st.Arrival
				res.stationReady[s] = st.Departure + handling
				continue
			}
			ev := &res.collect[s]
			ev.dep, ev.arr = max(ev.dep, st.Departure), max(ev.arr, st.tripEnd)
		}
	}
	for k, reason := range un {
		j := jobs[k]
		s := j.villages[0]
		if j.stop.Kind == "delivery" {
			for _, i := range stVillages[s] {
				c.fail(i, "station supply: "+reason)
			}
			continue
		}
		res.collect[s] = event{reason: reason}
		c.miss(j.stop, d, reason, "")
	}
	res.routes = append(res.routes, rs...)
	// 3. Village rounds and cold rounds, per station.
	var direct []stopJob // cold produce for the hub's refrigerated vans
	var blocks []Route
	for s, st := range rc.Stations {
		if !supplied[s] {
			continue
		}
		ready := res.stationReady[s]
		var rounds, coldRounds []stopJob
		for _, i := range stVillages[s] {
			v := &c.villages[i]
			loc := v.src.Location
			amb, cold := v.perVisit(v.ambientKg), v.perVisit(v.coldKg)
			if cold > 0 && !v.room {
				for _, part := range split(cold, c.coldCapKg) {
					l := &load{village: i, day: d, kg: part, cold: true, station: -1}
					direct = append(direct, stopJob{
						job:   routing.Job{ID: v.src.ID + "/cold", Delivery: make([]int64, dims), Pickup: []int64{0, 0, int64(part)}, Service: 600, Skills: []string{SkillColdChain}},
						stop:  Stop{ID: v.src.ID, Location: loc, Kind: "cold_pickup", ColdKg: part},
						loads: []*load{l},
					})
				}
			}
			if v.pickup {
				// Its people collect their parcels at the station once
				// they are in, and bring their produce then.
				v.served[d] = true
				if amb > 0 {
					res.atStation = append(res.atStation, &load{village: i, day: d, kg: amb, station: s, picked: ready, atStation: ready})
				}
				if cold > 0 && v.room {
					res.inRoom = append(res.inRoom, &load{village: i, day: d, kg: cold, cold: true, station: s, picked: ready, atStation: ready})
				}
				continue
			}
			rounds = append(rounds, stopJob{
				job:      routing.Job{ID: v.src.ID, Delivery: []int64{int64(v.parcels), 0, 0}, Pickup: make([]int64, dims), Service: 300},
				stop:     Stop{ID: v.src.ID, Location: loc, Kind: "delivery", Parcels: v.parcels},
				villages: []int{i},
			})
			for _, part := range split(amb, c.van.CapacityKg) {
				rounds = append(rounds, stopJob{
					job:   routing.Job{ID: v.src.ID + "/produce", Delivery: make([]int64, dims), Pickup: []int64{0, int64(part), 0}, Service: 600},
					stop:  Stop{ID: v.src.ID, Location: loc, Kind: "pickup", Kg: part},
					loads: []*load{{village: i, day: d, kg: part, station: s}},
				})
			}
			if cold > 0 && v.room {
				for _, part := range split(cold, c.coldVan.CapacityKg) {
					coldRounds = append(coldRounds, stopJob{
						job:   routing.Job{ID: v.src.ID + "/cold", Delivery: make([]int64, dims), Pickup: []int64{0, 0, int64(part)}, Service: 600, Skills: []string{SkillColdChain}},
						stop:  Stop{ID: v.src.ID, Location: loc, Kind: "cold_pickup", ColdKg: part},
						loads: []*load{{village: i, day: d, kg: part, cold: true, station: s}},
					})
				}
			}
		}
		for _, task := range []struct {
			jobs []stopJob
			kind string
		}{{rounds, "round"}, {coldRounds, "cold-round"}} {
			if len(task.jobs) == 0 {
				continue
			}
			t := c.van
			if task.kind == "cold-round" {
				t = c.coldVan
			}
			var vs []fleetVehicle
			for k := range o.StationVehicles {
				vs = append(vs, fleetVehicle{fmt.Sprintf("%s/%s-%d", st.ID, task.kind, k+1), t})
			}
			rs, tasks, un, err := c.solveCovered(ctx, d, 2, string(st.ID), st.Location, ready, vs, t, task.jobs, o)
			if err != nil {
				return err
			}
			for r, rt := range rs {
				for k, stp := range rt.Stops {
					j := task.jobs[tasks[r][k]]
					if stp.Kind == "delivery" {
						c.villages[j.villages[0]].served[d] = true
					}
					for _, l := range j.loads {
						l.picked, l.atStation = stp.Arrival, stp.tripEnd
						if l.cold {
							res.inRoom = append(res.inRoom, l)
						} else {
							res.atStation = append(res.atStation, l)
						}
					}
				}
			}
			for k, reason := range un {
				j := task.jobs[k]
				for _, i := range j.villages {
					c.fail(i, reason)
				}
				c.miss(j.stop, d, reason, "")
			}
			blocks = append(blocks, rs...)
		}
	}
	// 4. The hub's refrigerated vans: villages without a cold room, and
	// yesterday's cold rooms.
	for s, st := range rc.Stations {
		res.coldCollect[s] = event{ok: true}
		for _, part := range split(c.stationStock(d, s, true), c.coldCapKg) {
			direct = append(direct, stopJob{
				job:      routing.Job{ID: string(st.ID) + "/cold", Delivery: make([]int64, dims), Pickup: []int64{0, 0, int64(part)}, Service: 600, Skills: []string{SkillColdChain}},
				stop:     Stop{ID: string(st.ID), Location: st.Location, Kind: "cold_pickup", ColdKg: part},
				villages: []int{s},
			})
		}
	}
	coldRoutes, err := c.coldRun(ctx, d, direct, o)
	if err != nil {
		return err
	}
	var lastCold int64 = -1
	for _, rt := range coldRoutes {
		lastCold = max(lastCold, rt.End)
	}
	res.routes = append(res.routes, coldRoutes...)
	res.shifts = c.hubShifts(res.routes)
	busy := map[string]bool{}
	for _, sh := range res.shifts {
		busy[sh.Vehicle] = true
	}
	res.shifts = append(res.shifts, c.chainRounds(d, blocks, busy, o)...)
	res.routes = append(res.routes, blocks...)
	// 5. Trunks up.
	c.trunksUp(d, lastBranch, lastCold, o)
	slices.SortStableFunc(res.routes, func(a, b Route) int { return a.Echelon - b.Echelon })
	return nil
}

// coldRun routes the hub's refrigerated vans over the cold pickups. A
// pickup the county's vans cannot make is tried again on an extra
// refrigerated van of its own (a fleet the county lacks); what even that
// cannot make is missed.
func (c *county) coldRun(ctx context.Context, d int, jobs []stopJob, o Options) ([]Route, error) {
	rc := c.src
	res := &c.days[d]
	if len(jobs) == 0 {
		return nil, nil
	}
	rs, tasks, un, err := c.solveCovered(ctx, d, 1, string(rc.Hub.ID), rc.Hub.Location, 0, c.colds, c.coldVan, jobs, o)
	if err != nil {
		return nil, err
	}
	for r, rt := range rs {
		for k, st := range rt.Stops {
			j := jobs[tasks[r][k]]
			if len(j.loads) == 0 { // a cold room's stock
				s := j.villages[0]
				ev := &res.coldCollect[s]
				ev.dep, ev.arr = max(ev.dep, st.Departure), max(ev.arr, st.tripEnd)
				continue
			}
			for _, l := range j.loads {
				l.picked, l.atHub = st.Arrival, st.tripEnd
				res.atHub = append(res.atHub, l)
			}
		}
	}
	for k, reason := range un {
		j := jobs[k]
		if len(j.loads) == 0 {
			res.coldCollect[j.villages[0]] = event{reason: reason}
		}
		c.miss(j.stop, d, reason, "")
	}
	return rs, nil
}

// solveCovered is solveTask, then, for the jobs the vehicles vs leave
// out, solveTask again with as many extra vehicles of type extra: a hub's
// extras are vehicles beyond the county's fleet (named "-extra-", and
// each job they serve is noted in c.short); a station's are more rounds,
// which chainRounds puts on the county's vans. What even the extras
// leave out is returned as unassigned, with the first reason.
func (c *county) solveCovered(ctx context.Context, d, echelon int, base string, baseLoc orb.Point, notBefore int64,
	vs []fleetVehicle, extra *fleet.VehicleType, jobs []stopJob, o Options) ([]Route, [][]int, map[int]string, error) {
	rs, tasks, un, err := c.solveTask(ctx, d, echelon, base, baseLoc, notBefore, vs, jobs, o)
	if err != nil || len(un) == 0 || extra == nil {
		return rs, tasks, un, err
	}
	var again []stopJob
	var idx []int
	for k := range jobs {
		if _, ok := un[k]; ok {
			again = append(again, jobs[k])
			idx = append(idx, k)
		}
	}
	var more []fleetVehicle
	for k := range again {
		id := fmt.Sprintf("%s-extra-%s-%02d", base, extra.ID, k+1)
		if echelon == 2 {
			id = fmt.Sprintf("%s/extra-%d", base, k+1)
		}
		more = append(more, fleetVehicle{id, extra})
	}
	ers, etasks, eun, err := c.solveTask(ctx, d, echelon, base, baseLoc, notBefore, more, again, o)
	if err != nil {
		return nil, nil, nil, err
	}
	next := map[int]string{}
	for k := range eun {
		next[idx[k]] = un[idx[k]]
	}
	for r := range ers {
		for k := range etasks[r] {
			etasks[r][k] = idx[etasks[r][k]]
		}
	}
	if echelon == 1 {
		for k := range un {
			if _, still := next[k]; !still {
				c.shortOf(jobs[k].stop, d, fmt.Sprintf("the county's vehicles cannot make it (%s): served by an extra %s from the hub", un[k], extra.ID))
			}
		}
	}
	return append(rs, ers...), append(tasks, etasks...), next, nil
}

func (c *county) miss(s Stop, day int, reason, fleet string) {
	if s.Kind == "delivery" {
		return
	}
	c.missed = append(c.missed, MissedPickup{ID: s.ID, County: c.src.ID, Day: day, Kg: s.Kg + s.ColdKg, ColdChain: s.Kind == "cold_pickup", Reason: reason, Fleet: fleet})
}

// shortOf records a pickup served only by a vehicle beyond the county's
// fleet.
func (c *county) shortOf(s Stop, day int, note string) {
	c.short = append(c.short, MissedPickup{ID: s.ID, County: c.src.ID, Day: day, Kg: s.Kg + s.ColdKg, ColdChain: s.Kind == "cold_pickup", Reason: note, Fleet: "extra"})
}

// The routes of concurrent county-days never share a county, so c's
// fields need no lock: Plan runs each county's days in one goroutine.

func (c *county) fail(i int, reason string) {
	if c.villages[i].reason == "" {
		c.villages[i].reason = reason
	}
}
