package scenario

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// TownshipRecord is one township-level unit (街道/镇/乡) of the gazetteer
// chongqing_townships.csv in ../shared/geo (Vonng/adcode, CC BY 4.0,
// derived from 国家统计局 2016 codes and Amap points).
type TownshipRecord struct {
	Code         string // 12-digit NBS code
	CountyAdcode string // 6-digit county code
	County       string
	Name         string
	Kind         string // 街道, 镇, 乡 or 其他
	// Location is the WGS-84 point; HasLocation is false when the source has
	// none (131 of 1,029 rows), and Location is then the zero point.
	Location    orb.Point
	HasLocation bool
	// Villages counts the 村/居委会 under the township, split by the NBS
	// urban–rural code into urban (1xx) and rural (2xx). Zero when the file
	// lacks the columns.
	Villages, UrbanVillages, RuralVillages int
}

// VillageRecord is one village or community (村/居委会) of the gazetteer
// chongqing_villages_with_points.csv in ../shared/geo.
type VillageRecord struct {
	Code         string // 12-digit NBS code
	TownCode     string // the township's 12-digit code
	CountyAdcode string
	County       string
	Town         string
	Name         string
	// URCode is the NBS urban–rural code: 111 main urban, 112 urban fringe,
	// 121 town centre, 122 town fringe, 123 special, 210 township centre,
	// 220 village.
	URCode      string
	Location    orb.Point
	HasLocation bool
}

// Rural reports whether the village is rural (urban–rural code 2xx).
func (v *VillageRecord) Rural() bool { return strings.HasPrefix(v.URCode, "2") }

// ReadTownships reads a township CSV with a header row, picking the columns
// by name: code, county_adcode, county, name, kind, lon_wgs84, lat_wgs84 are
// required; villages_total, villages_urban_1xx, villages_rural_2xx are read
// when present. The GCJ-02 columns are ignored. Rows without a point are
// kept, with HasLocation false. Any malformed row fails the whole read with
// an error wrapping ErrFormat that names the line.
func ReadTownships(r io.Reader) ([]TownshipRecord, error) {
	var out []TownshipRecord
	err := readCSV(r,
		[]string{"code", "county_adcode", "county", "name", "kind", "lon_wgs84", "lat_wgs84"},
		[]string{"villages_total", "villages_urban_1xx", "villages_rural_2xx"},
		func(get func(string) string) error {
			t := TownshipRecord{
				Code: get("code"), CountyAdcode: get("county_adcode"), County: get("county"),
				Name: get("name"), Kind: get("kind"),
			}
			if t.Code == "" {
				return fmt.Errorf("%w: empty code", ErrFormat)
			}
			var err error
			if t.Location, t.HasLocation, err = parsePoint(get("lon_wgs84"), get("lat_wgs84")); err != nil {
				return err
			}
			for _, c := range []struct {
				col string
				dst *int
			}{{"villages_total", &t.Villages}, {"villages_urban_1xx", &t.UrbanVillages}, {"villages_rural_2xx", &t.RuralVillages}} {
				if *c.dst, err = parseCount(c.col, get(c.col)); err != nil {
					return err
				}
			}
			out = append(out, t)
			return nil
		})
	return out, err
}

// ReadVillages reads a village CSV with a header row, picking the columns
// by name: code, town_code, county_adcode, county, town, name, ur_code,
// lon_wgs84, lat_wgs84. Rows without a point are kept with HasLocation
// false. Errors wrap ErrFormat and name the line.
func ReadVillages(r io.Reader) ([]VillageRecord, error) {
	var out []VillageRecord
	err := readCSV(r,
		[]string{"code", "town_code", "county_adcode", "county", "town", "name", "ur_code", "lon_wgs84", "lat_wgs84"},
		nil,
		func(get func(string) string) error {
			v := VillageRecord{
				Code: get("code"), TownCode: get("town_code"), CountyAdcode: get("county_adcode"),
				County: get("county"), Town: get("town"), Name: get("name"), URCode: get("ur_code"),
			}
			if v.Code == "" {
				return fmt.Errorf("%w: empty code", ErrFormat)
			}
			var err error
			if v.Location, v.HasLocation, err = parsePoint(get("lon_wgs84"), get("lat_wgs84")); err != nil {
				return err
			}
			out = append(out, v)
			return nil
		})
	return out, err
}

// readCSV reads the header, checks the required columns, and calls row for
// every record with a getter by column name ("" for an absent optional one).
func readCSV(r io.Reader, required, optional []string, row func(get func(string) string) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: empty file, no header", ErrFormat)
	}
	if err != nil {
		return fmt.Errorf("%w: header: %w", ErrFormat, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if _, dup := col[h]; dup {
			return fmt.Errorf("%w: header: duplicate column %q", ErrFormat, h)
		}
		col[h] = i
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%w: header: missing column %q", ErrFormat, c)
		}
	}
	var rec []string
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrFormat, err) // csv.ParseError names the line
		}
		if err := row(get); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// parsePoint parses a WGS-84 longitude and latitude; both empty means no
// point.
func parsePoint(lonS, latS string) (orb.Point, bool, error) {
	if lonS == "" && latS == "" {
		return orb.Point{}, false, nil
	}
	lon, err1 := strconv.ParseFloat(lonS, 64)
	lat, err2 := strconv.ParseFloat(latS, 64)
	if err1 != nil || err2 != nil {
		return orb.Point{}, false, fmt.Errorf("%w: coordinates %q, %q are not numbers", ErrFormat, lonS, latS)
	}
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return orb.Point{}, false, fmt.Errorf("%w: [%v, %v] is not a valid [lon, lat]", ErrFormat, lon, lat)
	}
	return orb.Point{lon, lat}, true, nil
}

// parseCount parses a non-negative count; empty is zero.
func parseCount(col, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrFormat, col, s)
	}
	return n, nil
}
