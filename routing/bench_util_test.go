package routing

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
)

// A minimal Solomon reader for the solver's own tests and benchmarks (the
// product readers live in routing/instance, which imports this package),
// and an independent solution checker.

// needBench returns a file of ../shared/benchmarks; absent, it skips the
// test, or fails it in CI.
func needBench(tb testing.TB, parts ...string) string {
	tb.Helper()
	return sharedtest.Path(tb, append([]string{"benchmarks"}, parts...)...)
}

type xy struct{ x, y float64 }

func euclid(a, b xy) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

// matrices fills Durations and Distances from coordinates with f.
func matrices(pts []xy, f func(float64) int32) ([]int32, []int32) {
	n := len(pts)
	d := make([]int32, n*n)
	for i := range pts {
		for j := range pts {
			d[i*n+j] = f(euclid(pts[i], pts[j]))
		}
	}
	return d, append([]int32(nil), d...)
}

func fields(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) > 0 {
			rows = append(rows, fs)
		}
	}
	return rows, sc.Err()
}

func atof(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }

// loadSolomon reads a Solomon VRPTW file with distances scaled by 1000.
func loadSolomon(tb testing.TB, name string) *Problem {
	tb.Helper()
	rows, err := fields(needBench(tb, "solomon", name+".txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var nveh, capa int
	var pts []xy
	var cust [][]float64
	for i, r := range rows {
		if r[0] == "NUMBER" {
			nveh, _ = strconv.Atoi(rows[i+1][0])
			capa, _ = strconv.Atoi(rows[i+1][1])
		}
		if len(r) == 7 {
			if _, err := strconv.Atoi(r[0]); err == nil {
				v := make([]float64, 7)
				for k := range v {
					v[k] = atof(r[k])
				}
				cust = append(cust, v)
				pts = append(pts, xy{v[1], v[2]})
			}
		}
	}
	const scale = 1000
	p := &Problem{Locations: len(pts), Dimensions: 1, Scale: scale}
	p.Durations, p.Distances = matrices(pts, func(d float64) int32 { return int32(math.Round(d * scale)) })
	for i := 0; i < nveh; i++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: fmt.Sprint("v", i), Start: 0, End: 0,
			Capacity: []int64{int64(capa)}, Shift: TimeWindow{int64(cust[0][4] * scale), int64(cust[0][5] * scale)},
			Costs: Costs{PerMeter: 1}})
	}
	for _, c := range cust[1:] {
		p.Jobs = append(p.Jobs, Job{ID: fmt.Sprint(c[0]), Location: int(c[0]), Delivery: []int64{int64(c[3])},
			Service: int64(c[6] * scale), TimeWindows: []TimeWindow{{int64(c[4] * scale), int64(c[5] * scale)}}})
	}
	return p
}

// checkSolution is an independent checker: it replays every route from the
// problem's data and fails the test on any violated constraint or any
// disagreement with the reported figures.
func checkSolution(tb testing.TB, p *Problem, sol *Solution) {
	tb.Helper()
	if err := verify(p, sol); err != nil {
		tb.Fatal(err)
	}
}

func verify(p *Problem, sol *Solution) error {
	nj, ns := len(p.Jobs), len(p.Shipments)
	seenJ := make([]int, nj)
	seenP, seenD := make([]int, ns), make([]int, ns)
	usedV := map[int]bool{}
	var total int64
	for ri, rt := range sol.Routes {
		if rt.Vehicle < 0 || rt.Vehicle >= len(p.Vehicles) || usedV[rt.Vehicle] {
			return fmt.Errorf("route %d: bad or repeated vehicle %d", ri, rt.Vehicle)
		}
		usedV[rt.Vehicle] = true
		v := &p.Vehicles[rt.Vehicle]
		sf := v.SpeedFactor
		if sf == 0 {
			sf = 1
		}
		n := p.Locations
		tt := func(a, b int) int64 {
			if a < 0 || b < 0 {
				return 0
			}
			d := p.Durations[a*n+b]
			if d == Unreachable {
				return 1 << 50
			}
			return int64(min(math.Round(float64(d)/sf), Unreachable-1))
		}
		dd := func(a, b int) int64 {
			if a < 0 || b < 0 {
				return 0
			}
			return int64(p.Distances[a*n+b])
		}
		prev := v.Start
		var dist, tprev, travel, waiting int64
		load := make([]int64, p.Dimensions)
		trips := 1
		phaseBack := false
		stops, breaks := 0, 0
		var first, last int64 = -1, 0
		if len(rt.Stops) == 0 {
			return fmt.Errorf("route %d: no stops", ri)
		}
		// Trip start loads.
		tripStart := func(i int) {
			for k := range load {
				load[k] = 0
			}
			for j := i; j < len(rt.Stops); j++ {
				st := rt.Stops[j]
				if st.Kind == KindReload || st.Kind == KindEnd {
					break
				}
				if st.Kind == KindJob && len(p.Jobs[st.Task].Delivery) > 0 {
					for k := range load {
						load[k] += p.Jobs[st.Task].Delivery[k]
					}
				}
			}
			for k := range load {
				if load[k] > v.Capacity[k] {
					panic("over")
				}
			}
		}
		overload := func() bool {
			for k := range load {
				if load[k] > v.Capacity[k] || load[k] < 0 {
					return true
				}
			}
			return false
		}
		check := func() error { return nil }
		_ = check
		for k := range load {
			load[k] = 0
		}
		// compute first trip load
		func() {
			defer func() { recover() }()
			tripStart(0)
		}()
		if overload() {
			return fmt.Errorf("route %d: trip 1 overloaded at start", ri)
		}
		openShip := map[int]bool{}
		for si, st := range rt.Stops {
			if st.Kind == KindStart {
				tprev = st.Departure
				first = st.Departure
				prev = st.Location
				continue
			}
			arr := tprev + tt(prev, st.Location)
			if first < 0 {
				first = st.Arrival
				arr = st.Arrival
			}
			if st.Arrival != arr {
				return fmt.Errorf("route %d stop %d: arrival %d, want %d", ri, si, st.Arrival, arr)
			}
			dist += dd(prev, st.Location)
			if first >= 0 && st.Arrival != first {
				travel += tt(prev, st.Location)
			}
			waiting += st.Waiting
			var tws []TimeWindow
			var service int64
			switch st.Kind {
			case KindJob:
				j := &p.Jobs[st.Task]
				seenJ[st.Task]++
				tws, service = j.TimeWindows, j.Service
				stops++
				if j.Location != st.Location {
					return fmt.Errorf("route %d stop %d: wrong location", ri, si)
				}
				for k := range load {
					if len(j.Delivery) > 0 {
						load[k] -= j.Delivery[k]
					}
					if len(j.Pickup) > 0 {
						load[k] += j.Pickup[k]
					}
				}
				if p.Backhaul || v.Backhaul {
					if j.IsBackhaul() {
						phaseBack = true
					} else if nonZero(j.Delivery) && phaseBack {
						return fmt.Errorf("route %d stop %d: linehaul after backhaul", ri, si)
					}
				}
			case KindPickup, KindDelivery:
				sh := &p.Shipments[st.Task]
				stops++
				if st.Kind == KindPickup && (p.Backhaul || v.Backhaul) {
					phaseBack = true // a shipment loads like a backhaul
				}
				s := &sh.Pickup
				if st.Kind == KindDelivery {
					s = &sh.Delivery
					seenD[st.Task]++
					if !openShip[st.Task] {
						return fmt.Errorf("route %d stop %d: delivery before pickup in trip", ri, si)
					}
					delete(openShip, st.Task)
				} else {
					seenP[st.Task]++
					openShip[st.Task] = true
				}
				tws, service = s.TimeWindows, s.Service
				for k := range load {
					a := int64(0)
					if len(sh.Amount) > 0 {
						a = sh.Amount[k]
					}
					if st.Kind == KindPickup {
						load[k] += a
					} else {
						load[k] -= a
					}
				}
			case KindReload:
				if len(openShip) > 0 {
					return fmt.Errorf("route %d: shipment open across a reload", ri)
				}
				trips++
				service = v.ReloadTime
				phaseBack = false
				func() {
					defer func() { recover() }()
					tripStart(si + 1)
				}()
			case KindEnd:
			case KindBreak:
				b := v.Breaks[st.Task]
				tws, service = b.TimeWindows, b.Service
				breaks++
				for k := range b.MaxLoad {
					if load[k] > b.MaxLoad[k] {
						return fmt.Errorf("route %d stop %d: break with load %v over %v", ri, si, load, b.MaxLoad)
					}
				}
			}
			if st.Kind != KindEnd && st.Kind != KindReload || st.Kind == KindReload {
				if v.Shift.End != 0 {
					tws = append(tws[:len(tws):len(tws)], TimeWindow{})
					tws = tws[:len(tws)-1]
				}
			}
			begin := arr + st.Waiting
			if st.Waiting < 0 {
				return fmt.Errorf("route %d stop %d: negative waiting", ri, si)
			}
			if len(tws) > 0 {
				ok := false
				for _, w := range tws {
					if begin >= w.Start && begin <= w.End {
						ok = true
					}
				}
				if !ok {
					return fmt.Errorf("route %d stop %d: service start %d outside windows %v", ri, si, begin, tws)
				}
			}
			if begin < v.Shift.Start || (v.Shift.End != 0 && arr > v.Shift.End) {
				return fmt.Errorf("route %d stop %d: outside shift", ri, si)
			}
			if st.Departure != begin+service {
				return fmt.Errorf("route %d stop %d: departure %d, want %d", ri, si, st.Departure, begin+service)
			}
			if overload() {
				return fmt.Errorf("route %d stop %d: load %v exceeds capacity %v", ri, si, load, v.Capacity)
			}
			for k := range load {
				if st.Load[k] != load[k] {
					return fmt.Errorf("route %d stop %d: reported load %v, want %v", ri, si, st.Load, load)
				}
			}
			tprev = st.Departure
			prev = st.Location
			if st.Kind == KindEnd {
				last = arr
			} else {
				last = st.Departure
			}
		}
		if len(openShip) > 0 {
			return fmt.Errorf("route %d: shipment not delivered", ri)
		}
		if breaks != len(v.Breaks) {
			return fmt.Errorf("route %d: %d breaks taken, want %d", ri, breaks, len(v.Breaks))
		}
		if v.End >= 0 && rt.Stops[len(rt.Stops)-1].Kind != KindEnd {
			return fmt.Errorf("route %d: no end stop", ri)
		}
		if dist != rt.Distance {
			return fmt.Errorf("route %d: distance %d, want %d", ri, rt.Distance, dist)
		}
		dur := last - first
		if dur != rt.Duration {
			return fmt.Errorf("route %d: duration %d, want %d", ri, rt.Duration, dur)
		}
		mt := max(v.MaxTrips, 1)
		if trips > mt {
			return fmt.Errorf("route %d: %d trips, max %d", ri, trips, mt)
		}
		if v.MaxStops > 0 && stops > v.MaxStops {
			return fmt.Errorf("route %d: %d stops, max %d", ri, stops, v.MaxStops)
		}
		if v.MaxDistance > 0 && dist > v.MaxDistance {
			return fmt.Errorf("route %d: distance %d > max %d", ri, dist, v.MaxDistance)
		}
		if v.MaxDuration > 0 && dur > v.MaxDuration {
			return fmt.Errorf("route %d: duration %d > max %d", ri, dur, v.MaxDuration)
		}
		if v.MaxTravel > 0 && travel > v.MaxTravel {
			return fmt.Errorf("route %d: travel %d > max %d", ri, travel, v.MaxTravel)
		}
		paid := dur
		switch v.Costs.TimeBasis {
		case PayWork:
			paid = dur - waiting
		case PayTravel:
			paid = travel
		}
		cost := v.Costs.Fixed + v.Costs.PerMeter*dist + v.Costs.PerSecond*paid
		if cost != rt.Cost {
			return fmt.Errorf("route %d: cost %d, want %d", ri, rt.Cost, cost)
		}
		total += cost
	}
	unJ, unS := map[int]bool{}, map[int]bool{}
	for _, u := range sol.Unassigned {
		if u.Shipment {
			unS[u.Task] = true
			total += p.Shipments[u.Task].Penalty
		} else {
			unJ[u.Task] = true
			total += p.Jobs[u.Task].Penalty
		}
		if u.Reason == "" {
			return fmt.Errorf("unassigned %+v without reason", u)
		}
	}
	for j := range seenJ {
		if seenJ[j]+btoi(unJ[j]) != 1 {
			return fmt.Errorf("job %d served %d times, unassigned %v", j, seenJ[j], unJ[j])
		}
	}
	for s := range seenP {
		if seenP[s] != seenD[s] || seenP[s]+btoi(unS[s]) != 1 {
			return fmt.Errorf("shipment %d: pickups %d deliveries %d unassigned %v", s, seenP[s], seenD[s], unS[s])
		}
	}
	if total != sol.Cost {
		return fmt.Errorf("solution cost %d, want %d", sol.Cost, total)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
