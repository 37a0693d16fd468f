package coverage

// maxHeap is a binary max-heap of (key, index), ties broken by lower index
// so that every run picks the same sites.
type maxHeap struct {
	key []float64
	idx []int
}

func (h *maxHeap) len() int     { return len(h.key) }
func (h *maxHeap) top() float64 { return h.key[0] }
func (h *maxHeap) less(a, b int) bool { // a before b
	return h.key[a] > h.key[b] || h.key[a] == h.key[b] && h.idx[a] < h.idx[b]
}
func (h *maxHeap) swapAt(a, b int) {
	h.key[a], h.key[b] = h.key[b], h.key[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
}

func (h *maxHeap) push(key float64, j int) {
	h.key = append(h.key, key)
	h.idx = append(h.idx, j)
	for i := len(h.key) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.swapAt(i, p)
		i = p
	}
}

func (h *maxHeap) pop() (float64, int) {
	key, j := h.key[0], h.idx[0]
	n := len(h.key) - 1
	h.swapAt(0, n)
	h.key, h.idx = h.key[:n], h.idx[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h.swapAt(i, m)
		i = m
	}
	return key, j
}
