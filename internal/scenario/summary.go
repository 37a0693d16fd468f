package scenario

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

// WriteSummary writes a readable summary of s to w: parcels per district ×
// carrier, slots, facilities by kind, vehicles by operator × type, and per
// rural county its townships, villages, visits, parcels and produce. It
// holds only counts and rounded sums, so it makes a stable golden file.
func WriteSummary(w io.Writer, s *Scenario) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("scenario %s, seed %d\n", s.Fixture, s.Seed)
	if d := s.Day; d != nil {
		p("\nurban day: %d parcels, %d carriers, %d districts, %d neighbourhoods\n",
			len(d.Parcels), len(d.Carriers), len(d.Districts), len(d.Neighbourhoods))
		p("\ndistrict\t")
		for _, c := range d.Carriers {
			p("%s\t", c.ID)
		}
		p("total\tfresh\tbulky\tkg\tlitres\t\n")
		type row struct {
			byCarrier          map[string]int
			total, fresh, bulk int
			kg, litres         float64
		}
		rows := map[string]*row{"total": {byCarrier: map[string]int{}}}
		for _, x := range d.Districts {
			rows[x.ID] = &row{byCarrier: map[string]int{}}
		}
		slots := map[Slot]int{}
		for _, q := range d.Parcels {
			for _, r := range []*row{rows[q.District], rows["total"]} {
				if r == nil {
					continue
				}
				r.byCarrier[q.Carrier]++
				r.total++
				r.kg += q.WeightKg
				r.litres += q.VolumeLitres
				switch q.Category {
				case urban.Fresh:
					r.fresh++
				case urban.Bulky:
					r.bulk++
				}
			}
			slots[Slot(q.Slot)]++
		}
		names := make([]string, 0, len(d.Districts)+1)
		for _, x := range d.Districts {
			names = append(names, x.ID)
		}
		for _, n := range append(names, "total") {
			r := rows[n]
			p("%s\t", n)
			for _, c := range d.Carriers {
				p("%d\t", r.byCarrier[c.ID])
			}
			p("%d\t%d\t%d\t%.0f\t%.0f\t\n", r.total, r.fresh, r.bulk, r.kg, r.litres)
		}
		p("\nslot\tparcels\t\n")
		for _, sl := range slotOrder {
			p("%s\t%d\t\n", sl, slots[sl])
		}
		p("\nfacility kind\tcount\tper day\tcold chain\t\n")
		for _, k := range depots.Kinds {
			n, per, cold := 0, 0.0, 0.0
			for _, f := range d.Facilities {
				if f.Kind == k {
					n++
					per += f.Capacity.PerDay
					cold += f.Capacity.ColdChain
				}
			}
			if n > 0 {
				p("%s\t%d\t%.0f\t%.0f\t\n", k, n, per, cold)
			}
		}
		writeFleet(p, s, d.Vehicles, func(v fleet.Vehicle) string { return v.Operator })
	}
	if wk := s.Week; wk != nil {
		p("\nrural week: %d counties\n", len(wk.Counties))
		p("\ncounty\ttownships\tvillages\tdaily\t3x/week\t2x/week\tpeople\tparcels/day\tproduce kg/week\tcold kg/week\t\n")
		var vs []fleet.Vehicle
		for _, c := range wk.Counties {
			visits := map[int]int{}
			people := 0
			parcels, kg, cold := 0.0, 0.0, 0.0
			for _, v := range c.Villages {
				visits[v.VisitsPerWeek]++
				people += v.Population
				parcels += v.ParcelsPerDay
				for _, q := range v.Produce {
					kg += q.KgPerWeek
					if q.ColdChain {
						cold += q.KgPerWeek
					}
				}
			}
			p("%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.0f\t%.0f\t\n", c.ID, len(c.Stations), len(c.Villages),
				visits[7], visits[3], visits[2], people, parcels, kg, cold)
			vs = append(vs, c.Vehicles...)
		}
		p("\nproduct\tvillages\tkg/week\tcold chain\t\n")
		type prod struct {
			n    int
			kg   float64
			cold bool
		}
		byProduct := map[string]*prod{}
		var products []string
		for _, c := range wk.Counties {
			for _, v := range c.Villages {
				for _, q := range v.Produce {
					x := byProduct[q.Product]
					if x == nil {
						x = &prod{cold: q.ColdChain}
						byProduct[q.Product] = x
						products = append(products, q.Product)
					}
					x.n++
					x.kg += q.KgPerWeek
				}
			}
		}
		slices.Sort(products)
		for _, name := range products {
			x := byProduct[name]
			p("%s\t%d\t%.0f\t%v\t\n", name, x.n, x.kg, x.cold)
		}
		writeFleet(p, s, vs, func(v fleet.Vehicle) string { return string(v.Depot) })
	}
	return tw.Flush()
}

// writeFleet writes vehicles counted by key (operator or depot) × type.
func writeFleet(p func(string, ...any), s *Scenario, vs []fleet.Vehicle, key func(fleet.Vehicle) string) {
	p("\nfleet\t")
	for _, t := range s.VehicleTypes {
		p("%s\t", t.ID)
	}
	p("\n")
	var ops []string
	count := map[string]map[string]int{}
	for _, v := range vs {
		k := key(v)
		if count[k] == nil {
			count[k] = map[string]int{}
			ops = append(ops, k)
		}
		count[k][v.Type]++
	}
	for _, op := range ops {
		p("%s\t", op)
		for _, t := range s.VehicleTypes {
			p("%d\t", count[op][t.ID])
		}
		p("\n")
	}
}
