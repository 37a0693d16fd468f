package rural

import (
	"context"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/depots/location"
)

// ColdStorage prices the cold rooms Plan may site at township stations.
//
// A village whose cold produce goes to its station's cold room has it
// collected there (by a refrigerated round, or brought by its people when
// it is served by pickup), and a hub refrigerated van empties the room
// the next day in one stop; otherwise a hub refrigerated van calls at the
// village itself on each visit day.
type ColdStorage struct {
	// Disabled sites no cold rooms.
	Disabled bool `json:"disabled,omitempty"`
	// Rooms are the sizes a station's cold room may have; nil means
	// DefaultColdRooms. A station may get more than one (their sizes add).
	Rooms []ColdRoom `json:"rooms,omitempty"`
	// YuanPerKg is the handling cost of a kg through a cold room; 0 means
	// 0.05.
	YuanPerKg float64 `json:"yuan_per_kg,omitempty"`
	// ChainShare is the share of a refrigerated van's drive to a stop and
	// back that the stop is charged with, since a van chains several
	// stops on a trip; 0 means 0.5.
	ChainShare float64 `json:"chain_share,omitempty"`
	// Iterations bounds each county's facility-location search
	// (branch-and-bound nodes); 0 means 2,000.
	Iterations int `json:"iterations,omitempty"`
}

// ColdRoom is a size of station cold room: what it holds, in kg of one
// day's produce, and what it costs a week (equipment amortised, power).
type ColdRoom struct {
	Kg          float64 `json:"kg"`
	YuanPerWeek float64 `json:"yuan_per_week"`
}

// DefaultColdRooms are a small and a walk-in cold room.
var DefaultColdRooms = []ColdRoom{{Kg: 500, YuanPerWeek: 300}, {Kg: 1500, YuanPerWeek: 650}}

func (cs ColdStorage) withDefaults() (ColdStorage, error) {
	if cs.Rooms == nil {
		cs.Rooms = DefaultColdRooms
	}
	for _, r := range cs.Rooms {
		if !(r.Kg > 0) || !(r.YuanPerWeek >= 0) || math.IsInf(r.Kg, 0) || math.IsInf(r.YuanPerWeek, 0) {
			return cs, fmt.Errorf("%w: cold room %v kg, %v yuan a week", ErrInvalid, r.Kg, r.YuanPerWeek)
		}
	}
	if cs.YuanPerKg < 0 || cs.ChainShare < 0 || cs.ChainShare > 1 || cs.Iterations < 0 {
		return cs, fmt.Errorf("%w: cold storage options", ErrInvalid)
	}
	if cs.YuanPerKg == 0 {
		cs.YuanPerKg = 0.05
	}
	if cs.ChainShare == 0 {
		cs.ChainShare = 0.5
	}
	if cs.Iterations == 0 {
		cs.Iterations = 2000
	}
	return cs, nil
}

// ColdStorageReport is the outcome of cold-room siting.
type ColdStorageReport struct {
	Sites []ColdSite `json:"sites"`
	// CostYuanPerWeek is the modelled weekly cost of the cold chain's
	// first mile with the chosen rooms (rooms, handling and refrigerated
	// van-km), LowerBound a proven lower bound on it (the sum of the
	// counties' Lagrangian bounds), and BaselineYuanPerWeek the cost with
	// no room (every cold village collected from the hub).
	CostYuanPerWeek     float64 `json:"cost_yuan_per_week"`
	LowerBound          float64 `json:"lower_bound"`
	BaselineYuanPerWeek float64 `json:"baseline_yuan_per_week"`
	// RefrigeratedKmSaved is the modelled refrigerated van-km a week saved
	// against the baseline.
	RefrigeratedKmSaved float64 `json:"refrigerated_km_saved"`
	// Optimal counts the counties whose siting was proven optimal.
	Optimal  int `json:"optimal"`
	Counties int `json:"counties"`
}

// ColdSite is a cold room sited at a township station.
type ColdSite struct {
	County  string `json:"county"`
	Station string `json:"station"`
	// Kg is the room's size (one day's produce held), DailyKgMax the most
	// the plan puts in it on one day, KgPerWeek what passes through it.
	Kg          float64  `json:"kg"`
	DailyKgMax  float64  `json:"daily_kg_max"`
	YuanPerWeek float64  `json:"yuan_per_week"`
	KgPerWeek   float64  `json:"kg_per_week"`
	Villages    []string `json:"villages"`
}

// roomUse fills the sites' DailyKgMax from the planned week.
func (rep *ColdStorageReport) roomUse(cs []*county) {
	at := map[string]*ColdSite{}
	for i := range rep.Sites {
		at[rep.Sites[i].Station] = &rep.Sites[i]
	}
	for _, c := range cs {
		for d := range DaysPerWeek {
			day := map[int]float64{}
			for _, l := range c.days[d].inRoom {
				day[l.station] += l.kg
			}
			for s, kg := range day {
				if site := at[string(c.src.Stations[s].ID)]; site != nil {
					site.DailyKgMax = math.Max(site.DailyKgMax, kg)
				}
			}
		}
	}
}

// siteColdRooms chooses, per county, which township stations get a cold
// room and how large, as a single-source capacitated facility location
// problem (location.SolveSSCFLP): the customers are the villages with
// cold produce, each with its per-visit kg; the facilities are the hub
// (collection at the village by a hub refrigerated van, uncapacitated,
// no fixed cost) and each size of room at each station, which only its
// own villages may use. Costs are a week's:
//
//   - hub: visits × ChainShare × 2 × road km hub–village × the
//     refrigerated van's yuan/km;
//   - room at the village's station: visits × ChainShare × 2 × road km
//     station–village × yuan/km (0 for a pickup village) plus
//     YuanPerKg × kg a week;
//   - the room's fixed cost: its YuanPerWeek plus 7 × ChainShare × 2 ×
//     road km hub–station × yuan/km (a daily call to empty it).
//
// A room's capacity is its kg against the sum of its villages' per-visit
// kg, as if they all came on one day: conservative, since visit days are
// spread. The solver's Lagrangian bound bounds each county's cost.
func siteColdRooms(ctx context.Context, cs []*county, o Options) (ColdStorageReport, error) {
	var rep ColdStorageReport
	cfg := o.ColdStorage
	for _, c := range cs {
		if cfg.Disabled || c.coldVan == nil || len(c.src.Stations) == 0 {
			continue
		}
		var cust []int
		for i := range c.villages {
			if c.villages[i].coldKg > 0 {
				cust = append(cust, i)
			}
		}
		if len(cust) == 0 {
			continue
		}
		perKm := c.coldVan.YuanPerKm
		for _, v := range c.colds {
			perKm = math.Max(perKm, v.t.YuanPerKm)
		}
		// Facility 0 is the hub; then station s, room r at 1+s*R+r.
		R := len(cfg.Rooms)
		M, N := 1+len(c.src.Stations)*R, len(cust)
		p := &location.CFLP{Capacity: make([]int64, M), Fixed: make([]float64, M), Demand: make([]int64, N), Cost: make([]float64, M*N)}
		var total int64
		for j, i := range cust {
			v := &c.villages[i]
			p.Demand[j] = int64(math.Ceil(v.perVisit(v.coldKg)))
			total += p.Demand[j]
		}
		p.Capacity[0] = total
		for s := range c.src.Stations {
			for r, room := range cfg.Rooms {
				f := 1 + s*R + r
				p.Capacity[f] = int64(room.Kg)
				p.Fixed[f] = room.YuanPerWeek + DaysPerWeek*cfg.ChainShare*2*c.roadMeters(-1, s)/1000*perKm
			}
		}
		for j, i := range cust {
			v := &c.villages[i]
			visits := float64(v.src.VisitsPerWeek)
			p.Cost[j] = visits * cfg.ChainShare * 2 * c.roadMeters(-1, c.villageNode(i)) / 1000 * perKm
			for s := range c.src.Stations {
				for r := range cfg.Rooms {
					k := (1+s*R+r)*N + j
					if s != v.station {
						p.Cost[k] = math.Inf(1)
						continue
					}
					round := visits * cfg.ChainShare * 2 * c.roadMeters(s, c.villageNode(i)) / 1000 * perKm
					if v.pickup {
						round = 0
					}
					p.Cost[k] = round + cfg.YuanPerKg*v.coldKg
				}
			}
		}
		sol, err := location.SolveSSCFLP(ctx, p, location.Options{Seed: uint64(o.Seed), Iterations: cfg.Iterations})
		if err != nil {
			return rep, fmt.Errorf("county %s: cold rooms: %w", c.src.ID, err)
		}
		rep.Counties++
		if sol.Optimal {
			rep.Optimal++
		}
		rep.CostYuanPerWeek += sol.Cost
		rep.LowerBound += sol.LowerBound
		for j := range cust {
			rep.BaselineYuanPerWeek += p.Cost[j]
		}
		sites := map[int]*ColdSite{}
		var order []int
		for _, f := range sol.Open {
			if f == 0 {
				continue
			}
			s, r := (f-1)/R, (f-1)%R
			site, ok := sites[s]
			if !ok {
				site = &ColdSite{County: c.src.ID, Station: string(c.src.Stations[s].ID)}
				sites[s] = site
				order = append(order, s)
			}
			site.Kg += cfg.Rooms[r].Kg
			site.YuanPerWeek += cfg.Rooms[r].YuanPerWeek
		}
		hubKm, roomKm := 0.0, 0.0
		for _, fl := range sol.Flows {
			i := cust[fl.Customer]
			v := &c.villages[i]
			visits := float64(v.src.VisitsPerWeek)
			hubKm += visits * cfg.ChainShare * 2 * c.roadMeters(-1, c.villageNode(i)) / 1000
			if fl.Facility == 0 {
				continue
			}
			s := (fl.Facility - 1) / R
			if !v.room {
				v.room = true
				sites[s].Villages = append(sites[s].Villages, v.src.ID)
				sites[s].KgPerWeek += v.coldKg
			}
			if !v.pickup {
				roomKm += visits * cfg.ChainShare * 2 * c.roadMeters(s, c.villageNode(i)) / 1000
			}
		}
		for _, s := range order {
			c.rooms[s] = sites[s].Kg
			roomKm += DaysPerWeek * cfg.ChainShare * 2 * c.roadMeters(-1, s) / 1000
			rep.Sites = append(rep.Sites, *sites[s])
		}
		// Villages still on the hub drive as before; the saving is the
		// room villages' hub drives less the rounds' and the rooms' calls.
		for _, fl := range sol.Flows {
			if fl.Facility == 0 {
				i := cust[fl.Customer]
				hubKm -= float64(c.villages[i].src.VisitsPerWeek) * cfg.ChainShare * 2 * c.roadMeters(-1, c.villageNode(i)) / 1000
			}
		}
		rep.RefrigeratedKmSaved += hubKm - roomKm
	}
	return rep, nil
}
