// Package scenario holds lastmile's Chongqing fixture and a seeded,
// deterministic generator that expands it into realistic test scenarios:
// an urban delivery day across the nine main-urban districts and a rural
// week in every county-level unit with rural townships (34). Planners, benchmarks and examples build on it.
//
// # Fixture
//
// Chongqing returns the hand-written fixture: the nine main-urban districts
// (渝中 Yuzhong, 大渡口 Dadukou, 江北 Jiangbei, 沙坪坝 Shapingba, 九龙坡
// Jiulongpo, 南岸 Nan'an, 北碚 Beibei, 渝北 Yubei, 巴南 Banan) with centre,
// area, 2020 population, an e-commerce factor and a few built-up
// neighbourhood centres each; four logistics parks; ten carriers (ZTO,
// YTO, SF, JD, Yunda, STO, J&T, EMS, Deppon, Danniao; a day takes the first
// Options.Carriers) with market, fresh and bulky shares; vehicle types
// (e-tricycle, van, light truck, cold-chain van, small mountain van, trunk
// truck, refrigerated truck) with capacities in parcels, kg and litres,
// shift, speed and costs in yuan; and the 34 county-level units with rural
// townships, read from gazetteer/, a small derivative of ../shared/geo
// embedded in the package (Vonng/adcode, CC BY 4.0): 815 townships, their
// counts of rural villages (村) and urban communities (社区), and the 351
// rural villages with a point. Mountain counties and farm produce by region
// are written by hand (荣昌 Rongchang: vegetables, pork, goose, grain; 酉阳
// Youyang: tea, konjac, fruit, pepper). All points are orb.Point [lon, lat]
// in WGS-84; the urban figures are written by hand at about 0.01°.
// District.Boundary draws a modest equal-area circle; DistrictBoundaries
// gives the real outlines of the main-urban districts, embedded by
// internal/cqgeo, which Scenario.UrbanInput hands to the planner.
//
// # Generator
//
// Generate(fixture, Options{Seed: …}) returns a *Scenario with an urban Day
// and a rural Week (Options.Kind picks one or both). For one fixture,
// options and seed the result is identical on every run: the generator
// draws from PCG streams (one per part of the scenario, so changing the
// parcel count does not move the pickup points) and rounds coordinates to
// 1e-6° and sizes to 0.01 kg and 0.1 litre.
//
// The scenario is made of the planners' own types: parcels, carriers and
// time windows of routing/urban, counties, villages and produce of
// routing/rural, vehicles and the vehicle catalogue of routing/fleet.
// Scenario.UrbanInput and Scenario.RuralInput hand them to urban.Plan and
// rural.Plan.
//
// The Day, at the default scale of 5,000 parcels and 4 carriers (the
// joint-delivery benchmark's), holds:
//   - Carriers, each with its own depot (a depots.DistributionCentre whose
//     Operator is the carrier) and fleet: the each-carrier-alone baseline.
//     With Options.CarrierStations each carrier also gets a station per
//     district with that district's part of its fleet, a fairer baseline;
//   - shared distribution centres per district (Operator depots.Shared)
//     with a shared fleet sized to the pooled parcels, plus a van per
//     600 km² of district for outlying parcels: the joint plan. Every
//     fleet has two refrigerated vans from 8 fresh parcels, as morning and
//     evening slots lie further apart than a shift;
//   - Parcels with carrier, district, location, category (general, fresh =
//     cold chain, bulky), weight in kg, volume in litres, delivery slot and
//     window (about 60% all day, the rest morning, afternoon or evening)
//     and service time;
//   - cloud warehouses with capacity per day, per category and cold chain,
//     and Demand per district × category, for allocation;
//   - lockers (compartments × daily turnover) and express stores (daily
//     capacity, opening hours) around Neighbourhoods, the residential
//     demand points with population, for coverage. Pickup points and
//     neighbourhoods follow the real population, not the sampled parcels.
//
// The Week holds per county a hub, township stations and as many villages
// as the township has rural villages (at their gazetteer point when known,
// else placed around the township) with population, weekly visit
// frequency, parcels per day and farm produce per week (cold chain or
// ambient), and the shared county fleet; and the city's distribution
// centres (the logistics parks) and trunk types. Options.Counties limits
// the week to some counties.
//
// Facilities are depots.Facility values that pass Validate; their H3 Cell
// is left for the network to fill.
//
// # Gazetteer
//
// ReadCountySeats, ReadTownships and ReadVillages read the full Chongqing
// county, township and village CSV files of ../shared/geo (Vonng/adcode,
// CC BY 4.0), taking their WGS-84 columns, and CountiesFromGazetteer turns
// them into counties; the embedded derivative in gazetteer/ is the subset
// the rural week needs, checked against those files by a test.
//
// # Example
//
//	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 7, Parcels: 2000})
//	if err != nil {
//		return err
//	}
//	for _, p := range s.Day.Parcels {
//		_ = p.Location // [lon, lat] WGS-84
//	}
//	return scenario.WriteSummary(os.Stdout, s)
//
// The command `lastmile scenario` writes a scenario as JSON or a summary.
package scenario
