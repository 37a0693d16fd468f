package coverage

// selectTop reorders items so that items[:k] hold k items of largest score
// (quickselect with three-way partitions, expected linear time).
func selectTop(items []int, score []float64, k int) {
	lo, hi := 0, len(items) // the cut lies in items[lo:hi]
	for hi-lo > 1 {
		a, b, c := score[items[lo]], score[items[(lo+hi)/2]], score[items[hi-1]]
		p := max(min(a, b), min(max(a, b), c))
		// Three-way partition of items[lo:hi]: [greater | equal | less].
		gt, i, lt := lo, lo, hi
		for i < lt {
			switch r := score[items[i]]; {
			case r > p:
				items[gt], items[i] = items[i], items[gt]
				gt++
				i++
			case r < p:
				lt--
				items[i], items[lt] = items[lt], items[i]
			default:
				i++
			}
		}
		switch {
		case k < gt:
			hi = gt
		case k <= lt:
			return
		default:
			lo = lt
		}
	}
}

// fractionalKnapsack sets y (0 ≤ y ≤ 1) to cover need of the weights w at
// least cost Σ ratio·w·y: the items of smallest ratio first, the last one
// in part. It finds the cut by weighted quickselect (three-way partitions
// around a median-of-three pivot, Hoare 1961) in expected linear time
// rather than sorting. items is reordered.
func fractionalKnapsack(items []int, ratio, w []float64, need float64, y []float64) {
	for _, u := range items {
		y[u] = 0
	}
	for len(items) > 0 && need > 0 {
		a, b, c := ratio[items[0]], ratio[items[len(items)/2]], ratio[items[len(items)-1]]
		p := max(min(a, b), min(max(a, b), c)) // median of three
		// Three-way partition: [less | equal | greater].
		lt, i, gt := 0, 0, len(items)
		for i < gt {
			switch r := ratio[items[i]]; {
			case r < p:
				items[lt], items[i] = items[i], items[lt]
				lt++
				i++
			case r > p:
				gt--
				items[i], items[gt] = items[gt], items[i]
			default:
				i++
			}
		}
		wl := 0.0
		for _, u := range items[:lt] {
			wl += w[u]
		}
		if wl >= need {
			items = items[:lt]
			continue
		}
		for _, u := range items[:lt] {
			y[u] = 1
		}
		need -= wl
		for _, u := range items[lt:gt] {
			if need <= 0 {
				break
			}
			y[u] = min(1, need/w[u])
			need -= w[u]
		}
		items = items[gt:]
	}
}
