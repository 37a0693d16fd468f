package scenario

import (
	"math"

	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/paulmach/orb"
)

// Chongqing returns the hand-written Chongqing fixture, validated: the nine
// main-urban districts, four logistics parks, ten carriers, seven vehicle
// types, and the 34 county-level units with rural townships, from the
// gazetteer derivative embedded in this package (CountiesFromGazetteer):
// 815 townships with a point and rural villages, 6,533 villages (村) of
// which 351 have a point.
//
// The figures were written by hand from public facts at about 0.01° and
// 2–3 significant digits: district centres are the district government
// seats, populations the 2020 census rounded to the thousand, areas the
// official land areas; neighbourhood centres, logistics parks and carrier
// shares are approximate. Jiangbei's eastern townships along the Yangtze
// (郭家沱, 铁山坪, 鱼嘴, 复盛, 五宝) sit at their points in
// ../shared/geo/chongqing_townships.csv (WGS-84 columns; 鱼嘴, which has
// none there, at its town-centre community 鱼城 in
// chongqing_villages_with_points.csv), with modest weights guessed from
// their size, so that the district's demand spans its outline rather than
// its western fifth. The counties, townships and villages come from
// gazetteer/, a small derivative of ../shared/geo: Vonng/adcode (CC BY 4.0),
// derived from 国家统计局 2016 统计用区划代码, 民政部 and 高德地图 (Amap)
// district data; a test checks it against those files when present.
//
// Each call returns a fresh copy that the caller may modify.
func Chongqing() *Fixture {
	f := &Fixture{
		Name:         "chongqing",
		Districts:    chongqingDistricts(),
		Parks:        chongqingParks(),
		Carriers:     chongqingCarriers(),
		VehicleTypes: vehicleTypes(),
		Roles: VehicleRoles{Parcel: "e_tricycle", Bulky: "van", Cold: "cold_van", Trunk: "light_truck",
			MountainVan: "mini_van", CityTrunk: "trunk_truck", ColdTrunk: "cold_truck"},
	}
	var err error
	if f.Counties, err = embeddedCounties(); err != nil {
		// The derivative is embedded; a failure is a bug caught by
		// TestChongqingValid, never a consequence of input.
		panic(err)
	}
	for i := range f.Districts {
		d := &f.Districts[i]
		d.RadiusMeters = math.Round(math.Sqrt(d.AreaKm2*1e6/math.Pi)/10) * 10
	}
	if err := f.Validate(); err != nil {
		// The fixture is a constant; a failure here is a bug caught by
		// TestChongqingValid, never a consequence of input.
		panic(err)
	}
	return f
}

func pt(lon, lat float64) orb.Point { return orb.Point{lon, lat} }

func chongqingDistricts() []District {
	return []District{
		{ID: "yuzhong", Name: "渝中区", Adcode: "500103", Centre: pt(106.57, 29.56), AreaKm2: 23, Population: 589_000, Ecommerce: 1.3,
			Centres: []Centre{
				{"解放碑 Jiefangbei", pt(106.577, 29.558), 3, 700},
				{"上清寺 Shangqingsi", pt(106.548, 29.561), 2, 700},
				{"大坪 Daping", pt(106.520, 29.542), 2, 800},
			}},
		{ID: "dadukou", Name: "大渡口区", Adcode: "500104", Centre: pt(106.48, 29.49), AreaKm2: 103, Population: 421_000, Ecommerce: 0.9,
			Centres: []Centre{
				{"新山村 Xinshancun", pt(106.482, 29.485), 3, 1300},
				{"跳磴 Tiaodeng", pt(106.440, 29.420), 1, 1500},
			}},
		{ID: "jiangbei", Name: "江北区", Adcode: "500105", Centre: pt(106.57, 29.61), AreaKm2: 221, Population: 926_000, Ecommerce: 1.15,
			Centres: []Centre{
				{"观音桥 Guanyinqiao", pt(106.532, 29.575), 3, 1200},
				{"江北城 Jiangbeicheng", pt(106.578, 29.572), 1, 800},
				{"大石坝 Dashiba", pt(106.532, 29.588), 1, 1000},
				{"五里店 Wulidian", pt(106.565, 29.590), 1, 1200},
				// Eastern townships (see Chongqing).
				{"郭家沱 Guojiatuo", pt(106.677, 29.577), 0.3, 1000},
				{"铁山坪 Tieshanping", pt(106.657, 29.611), 0.2, 1000},
				{"鱼嘴 Yuzui", pt(106.753, 29.617), 0.4, 1500},
				{"复盛 Fusheng", pt(106.791, 29.649), 0.2, 1200},
				{"五宝 Wubao", pt(106.852, 29.631), 0.2, 1200},
			}},
		{ID: "shapingba", Name: "沙坪坝区", Adcode: "500106", Centre: pt(106.45, 29.54), AreaKm2: 396, Population: 1_480_000, Ecommerce: 1.1,
			Centres: []Centre{
				{"三峡广场 Sanxia Square", pt(106.457, 29.556), 3, 1400},
				{"磁器口 Ciqikou", pt(106.450, 29.580), 1, 1000},
				{"大学城 University Town", pt(106.310, 29.600), 2, 2500},
			}},
		{ID: "jiulongpo", Name: "九龙坡区", Adcode: "500107", Centre: pt(106.51, 29.51), AreaKm2: 432, Population: 1_528_000, Ecommerce: 1.05,
			Centres: []Centre{
				{"杨家坪 Yangjiaping", pt(106.510, 29.508), 3, 1300},
				{"石桥铺 Shiqiaopu", pt(106.485, 29.540), 2, 1300},
				{"二郎 Erlang", pt(106.450, 29.510), 1, 1500},
				{"西彭 Xipeng", pt(106.330, 29.340), 1, 2000},
			}},
		{ID: "nanan", Name: "南岸区", Adcode: "500108", Centre: pt(106.64, 29.50), AreaKm2: 263, Population: 1_193_000, Ecommerce: 1.1,
			Centres: []Centre{
				{"南坪 Nanping", pt(106.565, 29.525), 3, 1300},
				{"弹子石 Danzishi", pt(106.590, 29.555), 1, 900},
				{"茶园 Chayuan", pt(106.650, 29.500), 2, 2000},
			}},
		{ID: "beibei", Name: "北碚区", Adcode: "500109", Centre: pt(106.39, 29.81), AreaKm2: 755, Population: 834_000, Ecommerce: 0.85,
			Centres: []Centre{
				{"北碚城区 Beibei town", pt(106.400, 29.815), 3, 1500},
				{"蔡家岗 Caijiagang", pt(106.470, 29.720), 2, 2000},
				{"水土 Shuitu", pt(106.480, 29.770), 1, 2000},
			}},
		{ID: "yubei", Name: "渝北区", Adcode: "500112", Centre: pt(106.63, 29.72), AreaKm2: 1452, Population: 2_191_000, Ecommerce: 1.1,
			Centres: []Centre{
				{"两路 Lianglu", pt(106.630, 29.720), 2, 2000},
				{"新牌坊 Xinpaifang", pt(106.520, 29.610), 3, 1500},
				{"礼嘉 Lijia", pt(106.520, 29.660), 2, 2500},
				{"回兴 Huixing", pt(106.590, 29.660), 1, 1500},
			}},
		{ID: "banan", Name: "巴南区", Adcode: "500113", Centre: pt(106.54, 29.41), AreaKm2: 1825, Population: 1_183_000, Ecommerce: 0.85,
			Centres: []Centre{
				{"鱼洞 Yudong", pt(106.520, 29.385), 2, 2000},
				{"李家沱 Lijiatuo", pt(106.545, 29.470), 2, 1200},
				{"界石 Jieshi", pt(106.650, 29.400), 1, 2000},
			}},
	}
}

func chongqingParks() []Site {
	return []Site{
		{ID: "tuanjiecun", Name: "团结村 Tuanjiecun rail logistics park", District: "shapingba", Location: pt(106.36, 29.61), ColdChain: true},
		{ID: "konggang", Name: "空港 Konggang air cargo park", District: "yubei", Location: pt(106.64, 29.73), ColdChain: true},
		{ID: "nanpeng", Name: "南彭 Nanpeng road logistics park", District: "banan", Location: pt(106.61, 29.37), ColdChain: false},
		{ID: "guoyuan", Name: "果园港 Guoyuan port logistics park", District: "jiangbei", Location: pt(106.75, 29.64), ColdChain: false},
	}
}

func chongqingCarriers() []CarrierProfile {
	return []CarrierProfile{
		{ID: "zto", Name: "ZTO Express 中通快递", Share: 0.24, FreshShare: 0.02, BulkyShare: 0.05},
		{ID: "yto", Name: "YTO Express 圆通速递", Share: 0.18, FreshShare: 0.02, BulkyShare: 0.05},
		{ID: "sf", Name: "SF Express 顺丰速运", Share: 0.12, FreshShare: 0.12, BulkyShare: 0.06},
		{ID: "jd", Name: "JD Logistics 京东物流", Share: 0.14, FreshShare: 0.15, BulkyShare: 0.12},
		{ID: "yunda", Name: "Yunda Express 韵达速递", Share: 0.17, FreshShare: 0.02, BulkyShare: 0.04},
		{ID: "sto", Name: "STO Express 申通快递", Share: 0.12, FreshShare: 0.02, BulkyShare: 0.04},
		{ID: "jt", Name: "J&T Express 极兔速递", Share: 0.11, FreshShare: 0.01, BulkyShare: 0.03},
		{ID: "ems", Name: "China Post EMS 中国邮政", Share: 0.07, FreshShare: 0.03, BulkyShare: 0.05},
		{ID: "deppon", Name: "Deppon Express 德邦快递", Share: 0.03, FreshShare: 0.01, BulkyShare: 0.35},
		{ID: "danniao", Name: "Danniao 丹鸟 (Cainiao)", Share: 0.02, FreshShare: 0.05, BulkyShare: 0.03},
	}
}

// hhmm returns the seconds after midnight of h:m.
func hhmm(h, m int32) int32 { return h*3600 + m*60 }

func vehicleTypes() []fleet.VehicleType {
	return []fleet.VehicleType{
		{ID: "e_tricycle", Name: "electric tricycle", CapacityParcels: 120, CapacityKg: 300, CapacityLitres: 1500,
			SpeedKmh: 15, RangeMeters: 60_000, ShiftStartSeconds: hhmm(8, 0), ShiftEndSeconds: hhmm(21, 0),
			FixedYuan: 80, YuanPerKm: 0.1, YuanPerHour: 30},
		{ID: "van", Name: "light van", CapacityParcels: 300, CapacityKg: 800, CapacityLitres: 4500,
			SpeedKmh: 22, RuralSpeedKmh: 40, RangeMeters: 300_000, ShiftStartSeconds: hhmm(8, 0), ShiftEndSeconds: hhmm(21, 0),
			FixedYuan: 200, YuanPerKm: 0.8, YuanPerHour: 35},
		{ID: "light_truck", Name: "light truck (4.2 m)", CapacityParcels: 700, CapacityKg: 2000, CapacityLitres: 16000,
			SpeedKmh: 22, RuralSpeedKmh: 40, ShiftStartSeconds: hhmm(6, 0), ShiftEndSeconds: hhmm(20, 0),
			FixedYuan: 320, YuanPerKm: 1.3, YuanPerHour: 40},
		{ID: "cold_van", Name: "refrigerated van", CapacityParcels: 150, CapacityKg: 700, CapacityLitres: 3000, ColdChain: true,
			SpeedKmh: 22, RuralSpeedKmh: 40, RangeMeters: 300_000, ShiftStartSeconds: hhmm(7, 0), ShiftEndSeconds: hhmm(21, 0),
			FixedYuan: 350, YuanPerKm: 1.2, YuanPerHour: 40},
		{ID: "mini_van", Name: "small van for mountain roads", CapacityParcels: 150, CapacityKg: 450, CapacityLitres: 2500,
			SpeedKmh: 22, RuralSpeedKmh: 40, RangeMeters: 250_000, ShiftStartSeconds: hhmm(7, 0), ShiftEndSeconds: hhmm(21, 0),
			FixedYuan: 150, YuanPerKm: 0.6, YuanPerHour: 32},
		{ID: "trunk_truck", Name: "trunk truck (9.6 m)", CapacityParcels: 3000, CapacityKg: 12000, CapacityLitres: 55000,
			SpeedKmh: 22, RuralSpeedKmh: 60, ShiftStartSeconds: hhmm(2, 0), ShiftEndSeconds: hhmm(24, 0),
			FixedYuan: 900, YuanPerKm: 3.0, YuanPerHour: 60},
		{ID: "cold_truck", Name: "refrigerated truck (7.6 m)", CapacityParcels: 1000, CapacityKg: 6000, CapacityLitres: 30000, ColdChain: true,
			SpeedKmh: 22, RuralSpeedKmh: 60, ShiftStartSeconds: hhmm(6, 0), ShiftEndSeconds: hhmm(24, 0),
			FixedYuan: 1100, YuanPerKm: 3.6, YuanPerHour: 60},
	}
}
