package rural

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// Trunk is one day's trunk line of one kind between a city distribution
// centre and a county hub, a round trip run by Vehicles vehicles.
type Trunk struct {
	County string `json:"county"`
	Day    int    `json:"day"`
	// Kind is "ambient" (parcels down, ambient produce up) or "cold"
	// (refrigerated: cold-chain produce up; it runs down empty).
	Kind     string `json:"kind"`
	DC       string `json:"dc"`
	Type     string `json:"type"`
	Vehicles int    `json:"vehicles"`
	// KmEachWay is the road distance; DriveHoursEachWay the driving time
	// of one leg (each leg is one driver's duty).
	KmEachWay         float64 `json:"km_each_way"`
	DriveHoursEachWay float64 `json:"drive_hours_each_way"`
	DownParcels       int     `json:"down_parcels"`
	UpKg              float64 `json:"up_kg"`
	// DownFill and UpFill are the loads' shares of the vehicles' capacity
	// (parcels down, kg up).
	DownFill float64 `json:"down_fill"`
	UpFill   float64 `json:"up_fill"`
	// DownLoaded and UpLoaded count the vehicles that run loaded each way.
	DownLoaded int `json:"down_loaded"`
	UpLoaded   int `json:"up_loaded"`
	// LoadedKmShare is the share of the vehicles' km driven loaded, over
	// both directions: 1 when every vehicle is loaded both ways, 0.5 when
	// each runs one way empty.
	LoadedKmShare float64 `json:"loaded_km_share"`
	// LeaveDC, AtHub, LeaveHub and AtCity are seconds after the day's
	// midnight (LeaveDC < 0: the evening before).
	LeaveDC  int64 `json:"leave_dc"`
	AtHub    int64 `json:"at_hub"`
	LeaveHub int64 `json:"leave_hub"`
	AtCity   int64 `json:"at_city"`
}

// Backhaul is the trunks' loaded-km share over the week, for one county
// and kind, or for every county ("municipality").
type Backhaul struct {
	County        string  `json:"county"`
	Kind          string  `json:"kind"`
	Km            float64 `json:"km"`
	LoadedKm      float64 `json:"loaded_km"`
	LoadedKmShare float64 `json:"loaded_km_share"`
	// DownLoadedShare and UpLoadedShare are the shares of the trips
	// driven loaded in each direction.
	DownLoadedShare float64 `json:"down_loaded_share"`
	UpLoadedShare   float64 `json:"up_loaded_share"`
}

// trunks resolves the trunk vehicle types and the DCs.
type trunks struct {
	dcs         []depots.Facility
	ambient     *fleet.VehicleType
	cold        *fleet.VehicleType
	coldDCIndex []int // DCs with cold storage
}

func newTrunks(in Input, types map[string]*fleet.VehicleType) (trunks, error) {
	tr := trunks{dcs: in.DCs}
	if len(in.DCs) == 0 {
		return tr, nil
	}
	pick := func(id string, cold bool) (*fleet.VehicleType, error) {
		if id != "" {
			t, ok := types[id]
			if !ok || t.ColdChain != cold {
				return nil, fmt.Errorf("%w: trunk type %q unknown or of the wrong kind", ErrInvalid, id)
			}
			return t, nil
		}
		var best *fleet.VehicleType
		for i := range in.VehicleTypes {
			t := &in.VehicleTypes[i]
			if t.ColdChain == cold && (best == nil || t.CapacityKg > best.CapacityKg) {
				best = t
			}
		}
		return best, nil
	}
	var err error
	if tr.ambient, err = pick(in.Trunk.Ambient, false); err != nil {
		return tr, err
	}
	if tr.cold, err = pick(in.Trunk.Cold, true); err != nil {
		return tr, err
	}
	if tr.ambient == nil {
		return tr, fmt.Errorf("%w: no vehicle type for the trunk lines", ErrInvalid)
	}
	for i, dc := range in.DCs {
		if err := geo.ValidatePoint(dc.Location); err != nil {
			return tr, fmt.Errorf("%w: distribution centre %s: %w", ErrInvalid, dc.ID, err)
		}
		if dc.Capacity.ColdChain > 0 {
			tr.coldDCIndex = append(tr.coldDCIndex, i)
		}
	}
	return tr, nil
}

// trunkPlan is a county's trunk connection: the DCs and the legs' length
// and driving time.
type trunkPlan struct {
	ok              bool
	dc, coldDC      *depots.Facility
	ambient, cold   *fleet.VehicleType
	meters, seconds float64 // one leg, ambient
	coldM, coldS    float64 // one leg, cold
	leaveDC, atHub  int64   // the ambient trunk down, every day
	coldOK          bool
	hubCold         bool // the hub has a cold room
}

// plan connects county c to the nearest DC (and nearest cold DC). The
// ambient trunk leaves the DC at its type's shift start.
func (tr trunks) plan(ctx context.Context, c *county) (trunkPlan, error) {
	p := trunkPlan{hubCold: c.src.Hub.Capacity.ColdChain > 0}
	if len(tr.dcs) == 0 {
		return p, nil
	}
	hub := c.src.Hub.Location
	nearest := func(idx []int) *depots.Facility {
		var best *depots.Facility
		bestM := math.Inf(1)
		for _, i := range idx {
			if m := geo.HaversineMeters(hub, tr.dcs[i].Location); m < bestM {
				best, bestM = &tr.dcs[i], m
			}
		}
		return best
	}
	all := make([]int, len(tr.dcs))
	for i := range all {
		all[i] = i
	}
	p.dc, p.ambient, p.cold = nearest(all), tr.ambient, tr.cold
	leg := func(dc *depots.Facility, t *fleet.VehicleType) (float64, float64, error) {
		// Trunks run on expressways and national roads: the suburban
		// class, not the county's mountain one.
		m, err := geo.GreatCircle{Default: geo.ClassSuburban}.Matrix(ctx, []orb.Point{dc.Location, hub})
		if err != nil {
			return 0, 0, fmt.Errorf("county %s trunk: %w", c.src.ID, err)
		}
		speed := geo.DefaultClassTravel()[geo.ClassSuburban].SpeedKmh
		f := 1.0
		if s := max(t.RuralSpeedKmh, t.SpeedKmh); s > 0 {
			f = s / speed
		}
		return float64(m.Distance(0, 1)), float64(m.Duration(0, 1)) / f, nil
	}
	var err error
	if p.meters, p.seconds, err = leg(p.dc, p.ambient); err != nil {
		return p, err
	}
	p.ok = true
	p.leaveDC = int64(p.ambient.ShiftStartSeconds)
	p.atHub = p.leaveDC + int64(p.seconds)
	if p.cold != nil && len(tr.coldDCIndex) > 0 {
		p.coldDC = nearest(tr.coldDCIndex)
		if p.coldM, p.coldS, err = leg(p.coldDC, p.cold); err != nil {
			return p, err
		}
		p.coldOK = true
	}
	return p, nil
}

// trunksUp plans day d's trunks of county c once the branch lines
// (lastBranch) and the cold vans (lastCold) are back at the hub (-1:
// none ran), and records them with their loads.
func (c *county) trunksUp(d int, lastBranch, lastCold int64, o Options) {
	res := &c.days[d]
	p := &c.trunk
	handling := int64(o.HandlingSeconds)
	if !p.ok {
		// No DCs: the hub is the chain's end.
		res.up = event{ok: true, dep: max(lastBranch, 0), arr: max(lastBranch, 0)}
		res.coldUp = event{ok: true, dep: max(lastCold, 0), arr: max(lastCold, 0)}
		return
	}
	parcels, ambKg, coldKg := 0, 0.0, 0.0
	for _, r := range res.routes {
		if r.Echelon != 1 {
			continue
		}
		for _, s := range r.Stops {
			switch s.Kind {
			case "delivery":
				parcels += s.Parcels
			case "pickup":
				ambKg += s.Kg
			case "cold_pickup":
				coldKg += s.ColdKg
			}
		}
	}
	leave := max(lastBranch+handling, res.hubReady)
	res.up = event{ok: true, dep: leave, arr: leave + int64(p.seconds)}
	c.addTrunk(d, "ambient", p.dc, p.ambient, p.meters, p.seconds, parcels, ambKg, p.leaveDC, p.atHub, leave)
	if coldKg > 0 {
		if !p.coldOK {
			res.coldUp = event{reason: "no refrigerated trunk or cold distribution centre"}
			return
		}
		leave := lastCold + handling
		res.coldUp = event{ok: true, dep: leave, arr: leave + int64(p.coldS)}
		c.addTrunk(d, "cold", p.coldDC, p.cold, p.coldM, p.coldS, 0, coldKg, leave-int64(p.coldS), leave, leave)
	}
}

func (c *county) addTrunk(d int, kind string, dc *depots.Facility, t *fleet.VehicleType, meters, seconds float64,
	parcels int, kg float64, leaveDC, atHub, leaveHub int64) {
	res := &c.days[d]
	down := 0
	if parcels > 0 && t.CapacityParcels > 0 {
		down = int(math.Ceil(float64(parcels) / float64(t.CapacityParcels)))
	}
	up := 0
	if kg > 0 && t.CapacityKg > 0 {
		up = int(math.Ceil(kg / t.CapacityKg))
	}
	n := max(1, down, up)
	tk := Trunk{
		County: c.src.ID, Day: d, Kind: kind, DC: string(dc.ID), Type: t.ID, Vehicles: n,
		KmEachWay: meters / 1000, DriveHoursEachWay: seconds / 3600, DownParcels: parcels, UpKg: kg,
		LoadedKmShare: float64(down+up) / float64(2*n), DownLoaded: down, UpLoaded: up,
		LeaveDC: leaveDC, AtHub: atHub, LeaveHub: leaveHub, AtCity: leaveHub + int64(seconds),
	}
	if t.CapacityParcels > 0 {
		tk.DownFill = float64(parcels) / float64(n*t.CapacityParcels)
	}
	if t.CapacityKg > 0 {
		tk.UpFill = kg / (float64(n) * t.CapacityKg)
	}
	res.trunks = append(res.trunks, tk)
	hub := c.src.Hub
	for k := range n {
		share := func(total float64) float64 { return math.Round(total / float64(n)) }
		rt := Route{County: c.src.ID, Day: d, Echelon: 0, Vehicle: fmt.Sprintf("%s-%s-trunk-%s-d%d-%d", dc.ID, c.src.ID, kind, d, k+1),
			Type: t.ID, ColdChain: t.ColdChain, Base: string(dc.ID), Start: leaveDC, End: tk.AtCity,
			Km: 2 * meters / 1000, Hours: float64(tk.AtCity-leaveDC) / 3600,
			CostYuan: t.FixedYuan + 2*meters/1000*t.YuanPerKm + float64(tk.AtCity-leaveDC)/3600*t.YuanPerHour,
			Path:     []orb.Point{dc.Location, hub.Location, dc.Location}}
		if parcels > 0 {
			rt.Stops = append(rt.Stops, Stop{ID: string(hub.ID), Location: hub.Location, Kind: "delivery", Trip: 1,
				Parcels: int(share(float64(parcels))), Arrival: atHub, Departure: atHub})
		}
		if kg > 0 {
			st := Stop{ID: string(hub.ID), Location: hub.Location, Kind: "pickup", Trip: 1, Kg: share(kg), Arrival: atHub, Departure: leaveHub}
			if t.ColdChain {
				st.Kind, st.Kg, st.ColdKg = "cold_pickup", 0, share(kg)
			}
			rt.Stops = append(rt.Stops, st)
		}
		res.routes = append(res.routes, rt)
	}
}

// backhaul sums the trunks per county and kind, then for all counties.
func backhaul(ts []Trunk, cs []*county) []Backhaul {
	type key struct{ county, kind string }
	sum := map[key]*Backhaul{}
	trips := map[key][3]float64{} // trips, down loaded, up loaded
	var order []key
	for _, t := range ts {
		for _, k := range []key{{t.County, t.Kind}, {"municipality", t.Kind}} {
			b, ok := sum[k]
			if !ok {
				b = &Backhaul{County: k.county, Kind: k.kind}
				sum[k] = b
				order = append(order, k)
			}
			km := 2 * t.KmEachWay * float64(t.Vehicles)
			b.Km += km
			b.LoadedKm += km * t.LoadedKmShare
			tr := trips[k]
			tr[0] += float64(t.Vehicles)
			tr[1] += float64(t.DownLoaded)
			tr[2] += float64(t.UpLoaded)
			trips[k] = tr
		}
	}
	out := make([]Backhaul, 0, len(order))
	var muni []Backhaul
	for _, k := range order {
		b := sum[k]
		if b.Km > 0 {
			b.LoadedKmShare = b.LoadedKm / b.Km
		}
		if tr := trips[k]; tr[0] > 0 {
			b.DownLoadedShare, b.UpLoadedShare = tr[1]/tr[0], tr[2]/tr[0]
		}
		if k.county == "municipality" {
			muni = append(muni, *b)
			continue
		}
		out = append(out, *b)
	}
	return append(muni, out...)
}
