package api_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
)

// BenchmarkVROOMLatency is the latency comparison of issue 16: generated
// courier problems with time windows (20 per class of 5, 10, 20, 50 and
// 100 stops), each sent as VROOM JSON to /v1/vroom at default options; it
// reports per class the median wall time of a request and the median cost
// by VROOM's definition (summary.cost). With -latency.vroom (or
// $LASTMILE_VROOM) naming a VROOM binary, the same files are also solved by
// `vroom -x 5 -t 1 -i FILE` and its medians are reported beside ours:
//
//	go test ./api -run '^$' -bench VROOMLatency -benchtime 1x
//	go test ./api -run '^$' -bench VROOMLatency -benchtime 1x -latency.vroom ~/vroom/bin/vroom
//
// -latency.x sets the query parameter ?x= (our effort level) and
// -latency.n the problems per class.
var (
	latencyVROOM = flag.String("latency.vroom", os.Getenv("LASTMILE_VROOM"), "VROOM binary to compare with")
	latencyX     = flag.String("latency.x", "", "exploration level ?x= for /v1/vroom (empty: default)")
	latencyN     = flag.Int("latency.n", 20, "problems per size class")
)

func BenchmarkVROOMLatency(b *testing.B) {
	ts := startServer(b, api.Config{MaxIterations: -1}) // the server's defaults, no test cap
	path := "/v1/vroom"
	if *latencyX != "" {
		path += "?x=" + *latencyX
	}
	dir := b.TempDir()
	for _, stops := range []int{5, 10, 20, 50, 100} {
		b.Run(fmt.Sprint(stops), func(b *testing.B) {
			var ours, theirs []float64 // wall ms
			var oursCost, theirsCost []float64
			for b.Loop() {
				ours, theirs, oursCost, theirsCost = ours[:0], theirs[:0], oursCost[:0], theirsCost[:0]
				for k := 0; k < *latencyN; k++ {
					body := courierVROOM(int64(stops*1000+k), stops)
					start := time.Now()
					r := ts.do("POST", path, courierKey, body)
					ours = append(ours, float64(time.Since(start).Microseconds())/1000)
					var out vroomAnswer
					r.decode(b, &out)
					if out.Summary.Unassigned != 0 {
						b.Fatalf("problem %d: %d unassigned", k, out.Summary.Unassigned)
					}
					oursCost = append(oursCost, float64(out.Summary.Cost))
					if *latencyVROOM == "" {
						continue
					}
					ms, cost := runVROOM(b, *latencyVROOM, filepath.Join(dir, fmt.Sprintf("p%d-%d.json", stops, k)), body)
					theirs = append(theirs, ms)
					theirsCost = append(theirsCost, cost)
				}
			}
			b.ReportMetric(median(ours), "median-ms")
			b.ReportMetric(median(oursCost), "median-cost")
			b.ReportMetric(mean(oursCost), "mean-cost")
			if len(theirs) > 0 {
				b.ReportMetric(median(theirs), "vroom-median-ms")
				b.ReportMetric(median(theirsCost), "vroom-median-cost")
				b.ReportMetric(mean(theirsCost), "vroom-mean-cost")
			}
		})
	}
}

// runVROOM solves body with the VROOM binary at -x 5 -t 1 and returns its
// wall time in ms and its summary cost.
func runVROOM(b *testing.B, bin, file string, body []byte) (float64, float64) {
	if err := os.WriteFile(file, body, 0o600); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	out, err := exec.Command(bin, "-x", "5", "-t", "1", "-i", file).Output()
	ms := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		b.Fatalf("%s: %v", bin, err)
	}
	var ans vroomAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		b.Fatalf("vroom output: %v", err)
	}
	return ms, float64(ans.Summary.Cost)
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// courierVROOM generates a courier day as VROOM JSON: a depot and stops
// uniform in a 12 km square, travel at 8 m/s over 1.3 × the straight
// line (a duration matrix), half the stops with a 2-hour window in an
// 8:00–18:00 shift, service 120 s, parcels of 1 to 3 units, and one
// vehicle of capacity 40 per 12 stops (at least 2).
func courierVROOM(seed int64, stops int) []byte {
	r := rand.New(rand.NewPCG(uint64(seed), 16))
	n := stops + 1
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = r.Float64()*12000, r.Float64()*12000
	}
	dur := make([][]int64, n)
	for i := range dur {
		dur[i] = make([]int64, n)
		for j := range dur[i] {
			dur[i][j] = int64(math.Round(math.Hypot(xs[i]-xs[j], ys[i]-ys[j]) * 1.3 / 8))
		}
	}
	const shiftStart, shiftEnd = 8 * 3600, 18 * 3600
	var vehicles, jobs []string
	for v := 0; v < max(2, (stops+11)/12); v++ {
		vehicles = append(vehicles, fmt.Sprintf(`{"id":%d,"start_index":0,"end_index":0,"capacity":[40],"time_window":[%d,%d]}`,
			v+1, shiftStart, shiftEnd))
	}
	for j := 1; j <= stops; j++ {
		tw := ""
		if j%2 == 0 {
			s := shiftStart + 3600*int64(r.IntN(8))
			tw = fmt.Sprintf(`,"time_windows":[[%d,%d]]`, s, s+7200)
		}
		jobs = append(jobs, fmt.Sprintf(`{"id":%d,"location_index":%d,"service":120,"delivery":[%d]%s}`, j, j, 1+r.IntN(3), tw))
	}
	m, _ := json.Marshal(dur)
	return []byte(fmt.Sprintf(`{"vehicles":[%s],"jobs":[%s],"matrices":{"car":{"durations":%s}}}`,
		strings.Join(vehicles, ","), strings.Join(jobs, ","), m))
}

// BenchmarkOptimizeLatency sends generated courier problems of 5, 10 and
// 20 stops (coordinates in Chongqing, half with 2-hour windows, service
// 120 s) to /v1/optimize at default options and reports the median wall
// time of a request:
//
//	go test ./api -run '^$' -bench OptimizeLatency -benchtime 1x
func BenchmarkOptimizeLatency(b *testing.B) {
	ts := startServer(b, api.Config{MaxIterations: -1})
	for _, stops := range []int{5, 10, 20} {
		b.Run(fmt.Sprint(stops), func(b *testing.B) {
			var ms []float64
			for b.Loop() {
				ms = ms[:0]
				for k := 0; k < *latencyN; k++ {
					body := courierNative(int64(stops*1000+k), stops)
					start := time.Now()
					r := ts.do("POST", "/v1/optimize", courierKey, body)
					ms = append(ms, float64(time.Since(start).Microseconds())/1000)
					if r.Status != 200 {
						b.Fatalf("status %d: %s", r.Status, r.Body)
					}
				}
			}
			b.ReportMetric(median(ms), "median-ms")
		})
	}
}

// courierNative is courierVROOM's kind of day in lastmile's own format.
func courierNative(seed int64, stops int) []byte {
	r := rand.New(rand.NewPCG(uint64(seed), 17))
	const shiftStart, shiftEnd = 8 * 3600, 18 * 3600
	var jobs []string
	for j := 1; j <= stops; j++ {
		tw := ""
		if j%2 == 0 {
			s := shiftStart + 3600*int64(r.IntN(8))
			tw = fmt.Sprintf(`,"time_windows":[[%d,%d]]`, s, s+7200)
		}
		jobs = append(jobs, fmt.Sprintf(`{"id":"j%d","location":[%.5f,%.5f],"service":120,"delivery":[%d]%s}`,
			j, 106.50+r.Float64()*0.12, 29.50+r.Float64()*0.11, 1+r.IntN(3), tw))
	}
	return []byte(fmt.Sprintf(`{"vehicles":[{"id":"c1","start":[106.55,29.56],"end":[106.55,29.56],"capacity":[40],"shift":[%d,%d]},
		{"id":"c2","start":[106.55,29.56],"end":[106.55,29.56],"capacity":[40],"shift":[%d,%d]}],"jobs":[%s]}`,
		shiftStart, shiftEnd, shiftStart, shiftEnd, strings.Join(jobs, ",")))
}
