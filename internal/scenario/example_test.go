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
	for _, c := range f.Counties {
		fmt.Printf("%s: %d townships\n", c.Name, len(c.Townships))
	}
	// Output:
	// yuzhong 渝中区 [106.57, 29.56] 589000 people
	// dadukou 大渡口区 [106.48, 29.49] 421000 people
	// jiangbei 江北区 [106.57, 29.61] 926000 people
	// 荣昌区 Rongchang: 8 townships
	// 酉阳 Youyang: 8 townships
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
	for _, c := range s.Week.Counties {
		fmt.Printf("%s: %d stations, %d villages\n", c.ID, len(c.Stations), len(c.Villages))
	}
	// Output:
	// zto: 885 parcels from depot-zto
	// yto: 601 parcels from depot-yto
	// sf: 514 parcels from depot-sf
	// rongchang: 8 stations, 51 villages
	// youyang: 8 stations, 47 villages
}
