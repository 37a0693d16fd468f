package scenario_test

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/internal/scenario"
)

func ExampleChongqing() {
	f := scenario.Chongqing()
	for _, d := range f.Districts[:3] {
		fmt.Printf("%s %s [%.2f, %.2f] %d people\n", d.ID, d.Name, d.Centre[0], d.Centre[1], d.Population)
	}
	for _, c := range f.Counties[len(f.Counties)-2:] {
		fmt.Printf("%s %s: %d townships\n", c.ID, c.Name, len(c.Townships))
	}
	// Output:
	// yuzhong 渝中区 [106.57, 29.56] 589000 people
	// dadukou 大渡口区 [106.48, 29.49] 421000 people
	// jiangbei 江北区 [106.57, 29.61] 926000 people
	// youyang 酉阳土家族苗族自治县: 39 townships
	// pengshui 彭水苗族土家族自治县: 36 townships
}

func ExampleGenerate() {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 7, Parcels: 2000, Carriers: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	perCarrier := map[string]int{}
	for _, p := range s.Day.Parcels {
		perCarrier[p.Carrier]++
	}
	for _, c := range s.Day.Carriers {
		fmt.Printf("%s: %d parcels from %s\n", c.ID, perCarrier[c.ID], c.Depot)
	}
	stations, villages := 0, 0
	for _, c := range s.Week.Counties {
		stations += len(c.Stations)
		villages += len(c.Villages)
	}
	fmt.Printf("%d counties, %d stations, %d villages\n", len(s.Week.Counties), stations, villages)
	// Output:
	// zto: 885 parcels from depot-zto
	// yto: 601 parcels from depot-yto
	// sf: 514 parcels from depot-sf
	// 34 counties, 815 stations, 6533 villages
}
