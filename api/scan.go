package api

import "bytes"

// arrayLengths counts the elements of the arrays at the given key paths of
// a JSON object, scanning its bytes without decoding them, so that a
// document's declared sizes can be checked before anything is allocated for
// it. A path is dot-separated object keys from the top ("jobs",
// "matrix.durations"); "*" matches any key ("matrices.*.durations"). Arrays
// nested inside arrays are not reached. Malformed JSON gives partial counts;
// the decoder that runs next reports it. Paths that do not occur are absent.
func arrayLengths(body []byte, paths ...string) map[string]int {
	targets := make([][][]byte, len(paths))
	for i, p := range paths {
		targets[i] = bytes.Split([]byte(p), []byte("."))
	}
	out := map[string]int{}
	var stack []scanFrame
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return out // unterminated: the decoder reports it
			}
			if top := len(stack) - 1; top >= 0 && !stack[top].array && stack[top].expectKey {
				stack[top].key, stack[top].expectKey = body[i+1:end], false
			} else {
				markValue(stack)
			}
			i = end
		case '{', '[':
			markValue(stack)
			f := scanFrame{array: c == '[', expectKey: c == '{', target: -1}
			if f.array {
				f.target = matchTarget(stack, targets)
			}
			stack = append(stack, f)
		case '}', ']':
			if len(stack) == 0 {
				return out
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.target >= 0 {
				out[paths[f.target]] = f.count
			}
		case ',':
			if top := len(stack) - 1; top >= 0 {
				stack[top].expectKey = !stack[top].array
				stack[top].inValue = false
			}
		case ' ', '\t', '\n', '\r', ':':
		default:
			markValue(stack)
		}
	}
	return out
}

// scanFrame is one open object or array.
type scanFrame struct {
	array     bool
	expectKey bool   // an object awaiting its next key
	key       []byte // an object's current key
	target    int    // an array's index in targets, or -1
	count     int    // elements seen in a target array
	inValue   bool   // the current element has started
}

// markValue notes the start of a value: a new element of the innermost
// array, counted once however many bytes it spans.
func markValue(stack []scanFrame) {
	top := len(stack) - 1
	if top < 0 || !stack[top].array || stack[top].inValue {
		return
	}
	stack[top].inValue = true
	stack[top].count++
}

// matchTarget returns the index of the target path an array opened under
// stack would have, or -1. Only arrays reached through objects alone match.
func matchTarget(stack []scanFrame, targets [][][]byte) int {
	if len(stack) == 0 || len(stack) > 4 {
		return -1
	}
outer:
	for ti, t := range targets {
		if len(t) != len(stack) {
			continue
		}
		for d, f := range stack {
			if f.array || (string(t[d]) != "*" && !bytes.Equal(t[d], f.key)) {
				continue outer
			}
		}
		return ti
	}
	return -1
}

// stringEnd returns the index of the quote closing the string opened at
// body[i], or -1 when it never closes.
func stringEnd(body []byte, i int) int {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}
