package scenario

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// gazetteer holds the rural derivative of ../shared/geo that the default
// fixture needs (see gazetteer/README.md): Vonng/adcode, CC BY 4.0.
//
//go:embed gazetteer/rural_counties.csv gazetteer/rural_townships.csv gazetteer/rural_villages.csv
var gazetteer embed.FS

// CountySeat is a county-level unit of the gazetteer with its centre.
type CountySeat struct {
	Adcode   string
	Name     string
	Location orb.Point
}

// ReadCountySeats reads a county CSV with a header row, picking the
// columns adcode, name, lon_wgs84 and lat_wgs84 by name (the layout of
// chongqing_districts.csv in ../shared/geo). Rows without a point are
// skipped. Errors wrap ErrFormat and name the line.
func ReadCountySeats(r io.Reader) ([]CountySeat, error) {
	var out []CountySeat
	err := readCSV(r, []string{"adcode", "name", "lon_wgs84", "lat_wgs84"}, nil, func(get func(string) string) error {
		c := CountySeat{Adcode: get("adcode"), Name: get("name")}
		if c.Adcode == "" {
			return fmt.Errorf("%w: empty adcode", ErrFormat)
		}
		p, ok, err := parsePoint(get("lon_wgs84"), get("lat_wgs84"))
		if err != nil {
			return err
		}
		if ok {
			c.Location = p
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// countyInfo is what the gazetteer lacks: an ASCII slug, whether the
// county is in the mountains (渝东北 Three Gorges and 渝东南 Wuling
// counties, and 南川 Nanchuan; the others are hill country), written by
// hand.
var countyInfo = map[string]struct {
	id       string
	mountain bool
}{
	"500101": {"wanzhou", true}, "500102": {"fuling", false}, "500105": {"jiangbei", false},
	"500106": {"shapingba", false}, "500107": {"jiulongpo", false}, "500108": {"nanan", false},
	"500109": {"beibei", false}, "500110": {"qijiang", false}, "500111": {"dazu", false},
	"500112": {"yubei", false}, "500113": {"banan", false}, "500114": {"qianjiang", true},
	"500115": {"changshou", false}, "500116": {"jiangjin", false}, "500117": {"hechuan", false},
	"500118": {"yongchuan", false}, "500119": {"nanchuan", true}, "500120": {"bishan", false},
	"500151": {"tongliang", false}, "500152": {"tongnan", false}, "500153": {"rongchang", false},
	"500154": {"kaizhou", true}, "500228": {"liangping", false}, "500229": {"chengkou", true},
	"500230": {"fengdu", true}, "500231": {"dianjiang", false}, "500232": {"wulong", true},
	"500233": {"zhongxian", false}, "500235": {"yunyang", true}, "500236": {"fengjie", true},
	"500237": {"wushan", true}, "500238": {"wuxi", true}, "500240": {"shizhu", true},
	"500241": {"xiushan", true}, "500242": {"youyang", true}, "500243": {"pengshui", true},
}

// Farm produce by region, written by hand: Rongchang and Youyang keep
// their own lists (pork and goose; tea, konjac and fruit), the other hill
// counties grow vegetables, grain and citrus and raise pigs, the other
// mountain counties grow tea, konjac, fruit and pepper.
var (
	hillProduce = []ProduceProfile{
		{Product: "vegetables", ColdChain: false, Probability: 0.55, KgPerWeek: 700},
		{Product: "pork", ColdChain: true, Probability: 0.3, KgPerWeek: 350},
		{Product: "grain", ColdChain: false, Probability: 0.3, KgPerWeek: 900},
		{Product: "citrus", ColdChain: false, Probability: 0.2, KgPerWeek: 500},
	}
	mountainProduce = []ProduceProfile{
		{Product: "tea", ColdChain: false, Probability: 0.35, KgPerWeek: 120},
		{Product: "konjac", ColdChain: false, Probability: 0.3, KgPerWeek: 500},
		{Product: "fruit", ColdChain: true, Probability: 0.25, KgPerWeek: 250},
		{Product: "pepper", ColdChain: false, Probability: 0.25, KgPerWeek: 80},
	}
	countyProduce = map[string][]ProduceProfile{
		"rongchang": {
			{Product: "vegetables", ColdChain: false, Probability: 0.6, KgPerWeek: 800},
			{Product: "pork", ColdChain: true, Probability: 0.35, KgPerWeek: 400},
			{Product: "goose", ColdChain: true, Probability: 0.15, KgPerWeek: 150},
			{Product: "grain", ColdChain: false, Probability: 0.3, KgPerWeek: 1000},
		},
		"youyang": {
			{Product: "tea", ColdChain: false, Probability: 0.4, KgPerWeek: 120},
			{Product: "konjac", ColdChain: false, Probability: 0.35, KgPerWeek: 600},
			{Product: "fruit", ColdChain: true, Probability: 0.3, KgPerWeek: 300},
			{Product: "pepper", ColdChain: false, Probability: 0.25, KgPerWeek: 80},
		},
	}
)

// CountiesFromGazetteer builds the rural counties from gazetteer records:
// every county-level unit with a township that has a point and rural
// villages (NBS urban–rural code 2xx) becomes a County, seated at its
// centre, with those townships. A township keeps its count of rural
// villages (the generator places that many), its count of urban
// communities (社区, code 1xx; not villages, not planned) and its rural
// villages that have a point; villages with an urban code are left out.
// Counties come in adcode order, townships and villages in code order.
func CountiesFromGazetteer(seats []CountySeat, towns []TownshipRecord, villages []VillageRecord) ([]County, error) {
	byTown := map[string][]VillageRecord{}
	for _, v := range villages {
		if v.Rural() && v.HasLocation {
			byTown[v.TownCode] = append(byTown[v.TownCode], v)
		}
	}
	seat := map[string]CountySeat{}
	for _, s := range seats {
		seat[s.Adcode] = s
	}
	var out []County
	index := map[string]int{}
	for _, t := range towns {
		if !t.HasLocation || t.RuralVillages == 0 {
			continue
		}
		k, ok := index[t.CountyAdcode]
		if !ok {
			s, ok := seat[t.CountyAdcode]
			if !ok {
				return nil, fmt.Errorf("%w: township %s: county %s has no seat", ErrFormat, t.Code, t.CountyAdcode)
			}
			info, ok := countyInfo[t.CountyAdcode]
			if !ok {
				info.id = "c" + t.CountyAdcode
			}
			produce := hillProduce
			if info.mountain {
				produce = mountainProduce
			}
			if p, ok := countyProduce[info.id]; ok {
				produce = p
			}
			k = len(out)
			index[t.CountyAdcode] = k
			out = append(out, County{ID: info.id, Name: s.Name, Adcode: s.Adcode, Seat: s.Location, Mountain: info.mountain,
				Produce: slices.Clone(produce)})
		}
		tw := Township{ID: t.Code, Name: t.Name, Location: t.Location, RuralVillages: t.RuralVillages, UrbanCommunities: t.UrbanVillages}
		for _, v := range byTown[t.Code] {
			tw.Villages = append(tw.Villages, VillageSite{Code: v.Code, Name: v.Name, Location: v.Location})
		}
		out[k].Townships = append(out[k].Townships, tw)
	}
	slices.SortFunc(out, func(a, b County) int { return strings.Compare(a.Adcode, b.Adcode) })
	for i := range out {
		c := &out[i]
		slices.SortFunc(c.Townships, func(a, b Township) int { return strings.Compare(a.ID, b.ID) })
		for j := range c.Townships {
			slices.SortFunc(c.Townships[j].Villages, func(a, b VillageSite) int { return strings.Compare(a.Code, b.Code) })
		}
	}
	return out, nil
}

// embeddedCounties reads the rural counties of the embedded derivative.
func embeddedCounties() ([]County, error) {
	read := func(name string) io.Reader {
		b, err := gazetteer.ReadFile("gazetteer/" + name)
		if err != nil {
			return strings.NewReader("") // fails the reader with ErrFormat
		}
		return bytes.NewReader(b)
	}
	seats, err := ReadCountySeats(read("rural_counties.csv"))
	if err != nil {
		return nil, fmt.Errorf("embedded counties: %w", err)
	}
	towns, err := ReadTownships(read("rural_townships.csv"))
	if err != nil {
		return nil, fmt.Errorf("embedded townships: %w", err)
	}
	villages, err := ReadVillages(read("rural_villages.csv"))
	if err != nil {
		return nil, fmt.Errorf("embedded villages: %w", err)
	}
	return CountiesFromGazetteer(seats, towns, villages)
}
