package instance

import (
	"errors"
	"strings"
	"testing"
)

const solomonSmall = `TINY

VEHICLE
NUMBER     CAPACITY
  2         30

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0           0          0        200          0
    1      3          4          10          0        100         10
    2      6          8          10         20         60         10
`

const vrplibSmall = `NAME : T-n3-k1
TYPE : CVRP
DIMENSION : 3
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 1 1
DEMAND_SECTION
1 0
2 4
3 5
DEPOT_SECTION
1
-1
EOF
`

const vrpbSmall = `NAME : T-n3-50-k1
TYPE : CVRP
DIMENSION : 3
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 -1 0 0
2 0 3 4
3 1 1 1
DEMAND_SECTION
1 0
2 4
3 5
DEPOT_SECTION
1
-1
EOF
`

const lilimSmall = "2\t10\t1\n0\t0\t0\t0\t0\t100\t0\t0\t0\n1\t3\t4\t5\t0\t50\t1\t0\t2\n2\t6\t8\t-5\t0\t90\t1\t1\t0\n"

func TestReaders(t *testing.T) {
	tests := []struct {
		name      string
		read      func(string) (*Instance, error)
		in        string
		jobs      int
		shipments int
		dist01    int32 // matrix entry 0→1
		scale     int64
		backhaul  bool
	}{
		{"solomon", readSolomonString, solomonSmall, 2, 0, 5000, 1000, false},
		{"solomon-crlf", readSolomonString, strings.ReplaceAll(solomonSmall, "\n", "\r\n"), 2, 0, 5000, 1000, false},
		{"solomon-trunc", func(s string) (*Instance, error) {
			return ReadSolomonConvention(strings.NewReader(s), ConventionTruncated)
		}, solomonSmall, 2, 0, 50, 10, false},
		{"vrplib", readVRPLIBString, vrplibSmall, 2, 0, 5, 1, false},
		{"vrpb", readVRPBString, vrpbSmall, 2, 0, 5, 1, true},
		{"lilim", readLiLimString, lilimSmall, 0, 1, 5000, 1000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := tc.read(tc.in)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			p := in.Problem
			if len(p.Jobs) != tc.jobs || len(p.Shipments) != tc.shipments {
				t.Errorf("jobs, shipments = %d, %d; want %d, %d", len(p.Jobs), len(p.Shipments), tc.jobs, tc.shipments)
			}
			if got := p.Distances[1]; got != tc.dist01 {
				t.Errorf("distance 0→1 = %d, want %d", got, tc.dist01)
			}
			if p.Scale != tc.scale || p.Backhaul != tc.backhaul {
				t.Errorf("scale, backhaul = %d, %v; want %d, %v", p.Scale, p.Backhaul, tc.scale, tc.backhaul)
			}
			if err := in.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		read    func(string) (*Instance, error)
		in      string
		want    string
		wantErr error
	}{
		{"solomon bad demand", readSolomonString, strings.Replace(solomonSmall, "10          0        100", "xx          0        100", 1), "line 11: field DEMAND", ErrFormat},
		{"solomon due before ready", readSolomonString, strings.Replace(solomonSmall, "20         60", "70         60", 1), "line 12: field DUE DATE", ErrFormat},
		{"solomon short row", readSolomonString, strings.Replace(solomonSmall, "10         20         60         10", "10", 1), "line 12: want 7 fields", ErrFormat},
		{"solomon empty", readSolomonString, "", "empty input", ErrFormat},
		{"vrplib explicit", readVRPLIBString, strings.Replace(vrplibSmall, "EUC_2D", "EXPLICIT", 1), "EDGE_WEIGHT_TYPE EXPLICIT", ErrUnsupported},
		{"vrplib unknown node", readVRPLIBString, strings.Replace(vrplibSmall, "3 5\n", "4 5\n", 1), "line 13: DEMAND_SECTION: node 4", ErrFormat},
		{"vrplib no capacity", readVRPLIBString, strings.Replace(vrplibSmall, "CAPACITY : 10\n", "", 1), "expected CAPACITY", ErrFormat},
		{"vrplib depot demand", readVRPLIBString, strings.Replace(vrplibSmall, "1 0\n2 4", "1 3\n2 4", 1), "depot 1 has demand 3", ErrFormat},
		{"vrpb bad type", readVRPBString, strings.Replace(vrpbSmall, "3 1 1 1", "3 7 1 1", 1), "line 9: field type", ErrFormat},
		{"lilim unpaired", readLiLimString, strings.Replace(lilimSmall, "-5\t0\t90\t1\t1\t0", "-4\t0\t90\t1\t1\t0", 1), "line 4: field pickup", ErrFormat},
		{"lilim bad K", readLiLimString, "x\t10\t1\n", "line 1: field K", ErrFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.read(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.wantErr) {
				t.Errorf("read error = %v, want one containing %q wrapping %v", err, tc.want, tc.wantErr)
			}
		})
	}
}

func readSolomonString(s string) (*Instance, error) { return ReadSolomon(strings.NewReader(s)) }
func readVRPLIBString(s string) (*Instance, error)  { return ReadVRPLIB(strings.NewReader(s)) }
func readVRPBString(s string) (*Instance, error)    { return ReadVRPB(strings.NewReader(s)) }
func readLiLimString(s string) (*Instance, error)   { return ReadLiLim(strings.NewReader(s)) }
func decodeJSONString(s string) (*Instance, error)  { return DecodeJSON(strings.NewReader(s)) }

// fuzzReader feeds read arbitrary text: it may not panic, and every
// instance it accepts must validate and have a fleet.
func fuzzReader(f *testing.F, read func(string) (*Instance, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<14 {
			return
		}
		in, err := read(s)
		if err != nil {
			if in != nil {
				t.Fatalf("reader returned an instance with error %v", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("reader accepted an instance that does not validate: %v", err)
		}
		if len(in.Problem.Vehicles) == 0 {
			t.Fatal("reader accepted an instance without vehicles")
		}
	})
}

func FuzzReadSolomon(f *testing.F) {
	fuzzReader(f, readSolomonString, solomonSmall, strings.ReplaceAll(solomonSmall, "\n", "\r\n"), "X\nVEHICLE\nNUMBER\n1 1\nCUSTOMER\nCUST\n0 0 0 0 0 1 0\n")
}

func FuzzReadVRPLIB(f *testing.F) {
	fuzzReader(f, readVRPLIBString, vrplibSmall, "NAME : x\nDIMENSION : 1\nCAPACITY : 1\nNODE_COORD_SECTION\n1 0 0\nDEMAND_SECTION\n1 0\nEOF\n")
}

func FuzzReadVRPB(f *testing.F) {
	fuzzReader(f, readVRPBString, vrpbSmall)
}

func FuzzReadLiLim(f *testing.F) {
	fuzzReader(f, readLiLimString, lilimSmall, "1 1 0\n0 0 0 0 0 9 0 0 0\n")
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzReader(f, decodeJSONString, jsonSmall,
		`{"matrix": {"durations": [[0]]}, "vehicles": [{"id": "v"}], "jobs": [{"id": "j", "location": 0}]}`,
		`{"locations": [[106.5, 29.5]], "datum": "bd09", "vehicles": [{"id": "v", "start": [106.4, 29.4], "max_trips": 2}]}`)
}
