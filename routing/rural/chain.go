package rural

import "math"

// Load is one village's produce of one kind collected on one day,
// followed to the city. Times are seconds after the start of the week
// (midnight of day 0); produce of day 6 reaches the city in the next
// week, whose days repeat this one's.
type Load struct {
	Village   string  `json:"village"`
	County    string  `json:"county"`
	Day       int     `json:"day"`
	Kg        float64 `json:"kg"`
	ColdChain bool    `json:"cold_chain"`
	// Via is "station" (a round or the villagers brought it to the
	// station), "cold_room" (a refrigerated round or the villagers brought
	// it to the station's cold room) or "hub" (a hub refrigerated van
	// collected it at the village).
	Via      string `json:"via"`
	PickedUp int64  `json:"picked_up"`
	AtHub    int64  `json:"at_hub"`
	AtCity   int64  `json:"at_city"`
	// DwellStationHours and DwellHubHours are the waits for the next leg.
	DwellStationHours float64 `json:"dwell_station_hours"`
	DwellHubHours     float64 `json:"dwell_hub_hours"`
	TransitHours      float64 `json:"transit_hours"`
	// OutOfRefrigerationSeconds is, for cold-chain produce, the time spent
	// neither in a refrigerated vehicle nor in a cold room: in a vehicle
	// without refrigeration, or waiting at a station or hub without one.
	OutOfRefrigerationSeconds int64 `json:"out_of_refrigeration_seconds"`
	// Missed says why the load did not reach the city, if it did not.
	Missed string `json:"missed,omitempty"`
}

// finishLoads follows every load of the week to the city. A load left at
// a station on day d is collected by day d+1's branch line (or cold van),
// a load at the hub leaves on that day's trunk.
func (c *county) finishLoads(o Options) {
	for d := range DaysPerWeek {
		res := &c.days[d]
		next := (d + 1) % DaysPerWeek
		base := int64(d) * daySeconds
		nextBase := int64(d+1) * daySeconds
		add := func(l *load, via string, hubEv event, hubBase int64, up event, upBase int64, refrigerated bool) {
			v := &c.villages[l.village]
			out := Load{Village: v.src.ID, County: c.src.ID, Day: d, Kg: l.kg, ColdChain: l.cold, Via: via, PickedUp: base + l.picked}
			switch {
			case via == "hub":
				out.AtHub = base + l.atHub
			case !hubEv.ok:
				out.Missed = "not collected from the station: " + hubEv.reason
			default:
				out.AtHub = hubBase + hubEv.arr
				out.DwellStationHours = float64(hubBase+hubEv.dep-(base+l.atStation)) / 3600
			}
			if out.Missed == "" && !up.ok {
				out.Missed = "no trunk: " + up.reason
			}
			if out.Missed != "" {
				c.loads = append(c.loads, out)
				return
			}
			out.DwellHubHours = float64(upBase+up.dep-out.AtHub) / 3600
			out.AtCity = upBase + up.arr
			out.TransitHours = float64(out.AtCity-out.PickedUp) / 3600
			if l.cold {
				// Refrigerated vans and trunks, and cold rooms at stations,
				// keep it cold; a hub without a cold room does not.
				if !refrigerated {
					out.OutOfRefrigerationSeconds += upBase + up.dep - out.AtHub
				}
			}
			c.loads = append(c.loads, out)
		}
		for _, l := range res.atStation {
			add(l, "station", c.days[next].collect[l.station], nextBase, c.days[next].up, nextBase, true)
		}
		for _, l := range res.inRoom {
			add(l, "cold_room", c.days[next].coldCollect[l.station], nextBase, c.days[next].coldUp, nextBase, c.trunk.hubCold)
		}
		for _, l := range res.atHub {
			add(l, "hub", event{}, 0, res.coldUp, base, c.trunk.hubCold)
		}
	}
}

// Stat is a mean and a maximum over N values.
type Stat struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

func (s *Stat) add(x float64) {
	s.N++
	s.Mean += (x - s.Mean) / float64(s.N)
	s.Max = math.Max(s.Max, x)
}

// ChainSummary sums the timed chain: dwell times at each cross-dock,
// transit of produce, and the cold chain's time out of refrigeration.
type ChainSummary struct {
	// ParcelsAtHubHours is the wait from the trunk's arrival to each
	// branch line's departure; ParcelsAtStationHours from a branch line's
	// arrival at a station to each of its rounds' departures.
	ParcelsAtHubHours     Stat `json:"parcels_at_hub_hours"`
	ParcelsAtStationHours Stat `json:"parcels_at_station_hours"`
	// ProduceAtStationHours and ProduceAtHubHours are the loads' waits.
	ProduceAtStationHours Stat `json:"produce_at_station_hours"`
	ProduceAtHubHours     Stat `json:"produce_at_hub_hours"`
	AmbientTransitHours   Stat `json:"ambient_transit_hours"`
	ColdTransitHours      Stat `json:"cold_transit_hours"`
	// ColdOutOfRefrigerationSeconds is over the cold-chain loads; it is
	// zero when every cold load stayed refrigerated from pickup to city.
	ColdOutOfRefrigerationSeconds Stat `json:"cold_out_of_refrigeration_seconds"`
	Loads                         int  `json:"loads"`
	ColdLoads                     int  `json:"cold_loads"`
	LoadsMissed                   int  `json:"loads_missed"`
}

func summarise(loads []Load, cs []*county) ChainSummary {
	var s ChainSummary
	for _, l := range loads {
		s.Loads++
		if l.ColdChain {
			s.ColdLoads++
		}
		if l.Missed != "" {
			s.LoadsMissed++
			continue
		}
		if l.Via != "hub" {
			s.ProduceAtStationHours.add(l.DwellStationHours)
		}
		s.ProduceAtHubHours.add(l.DwellHubHours)
		if l.ColdChain {
			s.ColdTransitHours.add(l.TransitHours)
			s.ColdOutOfRefrigerationSeconds.add(float64(l.OutOfRefrigerationSeconds))
		} else {
			s.AmbientTransitHours.add(l.TransitHours)
		}
	}
	for _, c := range cs {
		for d := range DaysPerWeek {
			res := &c.days[d]
			for _, r := range res.routes {
				switch r.Echelon {
				case 1:
					if c.trunk.ok && !r.ColdChain {
						s.ParcelsAtHubHours.add(float64(r.Start-c.trunk.atHub) / 3600)
					}
				case 2:
					if r.ColdChain {
						continue
					}
					for st, id := range c.src.Stations {
						if string(id.ID) == r.Base && res.stationReady[st] > 0 {
							s.ParcelsAtStationHours.add(float64(r.Start-res.stationArrive[st]) / 3600)
						}
					}
				}
			}
		}
	}
	return s
}

// Coverage counts the villages (村) of a county, or of every county,
// served at their frequency, by visit or by pickup at the station.
type Coverage struct {
	County   string  `json:"county"`
	Name     string  `json:"name,omitempty"`
	Counties int     `json:"counties,omitempty"`
	Stations int     `json:"stations"`
	Villages int     `json:"villages"`
	Served   int     `json:"served"`
	ByVisit  int     `json:"by_visit"`
	ByPickup int     `json:"by_pickup"`
	Share    float64 `json:"share"`
	// UrbanCommunities (社区) are not villages and not counted.
	UrbanCommunities int `json:"urban_communities"`
}

func (c *Coverage) add(o Coverage) {
	c.Counties++
	c.Stations += o.Stations
	c.Villages += o.Villages
	c.Served += o.Served
	c.ByVisit += o.ByVisit
	c.ByPickup += o.ByPickup
	c.UrbanCommunities += o.UrbanCommunities
}

func (c *Coverage) finish() {
	if c.Villages > 0 {
		c.Share = float64(c.Served) / float64(c.Villages)
	}
}
