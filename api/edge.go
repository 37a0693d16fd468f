package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Checks made at the edge, before a handler decodes anything: text that no
// store can keep (NUL, invalid UTF-8), path ids outside the id charset, and
// oversized headers. They give a 4xx problem naming the field, so that a
// database never sees what it would refuse with a 500.

// MaxIDBytes bounds an id in a path or a body (facility, courier, job ids).
const MaxIDBytes = 128

// maxHeaderBytes is the header size the API accepts; larger requests get a
// 431 problem. The http.Server's own limit is set higher (see HTTPServer) so
// that this check, not net/http's plain-text reply, answers them.
const maxHeaderBytes = 64 << 10

// checkID reports why s is not a valid id: empty, too long, invalid UTF-8,
// or holding a control character, '/' or '\'. Letters of any script are
// allowed (ids may be Chinese place names).
func checkID(s string) error {
	switch {
	case s == "":
		return errors.New("empty id")
	case len(s) > MaxIDBytes:
		return fmt.Errorf("id longer than %d bytes", MaxIDBytes)
	case !utf8.ValidString(s):
		return errors.New("id is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '/' || r == '\\' || r == utf8.RuneError {
			return fmt.Errorf("id holds %q, which ids may not contain", r)
		}
	}
	return nil
}

// checkPathID refuses a request whose {id} path value is not a valid id.
func checkPathID(r *http.Request) error {
	if !strings.Contains(r.Pattern, "{id}") {
		return nil
	}
	if err := checkID(r.PathValue("id")); err != nil {
		return badParam("id", "path id: %v", err)
	}
	return nil
}

// checkText refuses a JSON body that is not valid UTF-8 or that holds a NUL
// character (\u0000) in any string, naming the JSON path of the first such
// string. encoding/json would quietly replace invalid UTF-8 with U+FFFD, and
// PostgreSQL refuses NUL in text with an error the client would see as 500.
func checkText(body []byte) error {
	if !utf8.Valid(body) {
		off := invalidUTF8Offset(body)
		return badParam("body", "invalid UTF-8 at byte %d", off)
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	path, err := firstNULPath(body)
	if err != nil {
		return jsonProblem(err)
	}
	if path == "" {
		return nil // the sequence was an escaped backslash followed by "u0000"
	}
	return badParam(path, "the NUL character (\\u0000) is not allowed in text")
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// firstNULPath walks the JSON tokens of body and returns the path of the
// first key or string value holding NUL, or "" when there is none.
func firstNULPath(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []pathElem
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, pathElem{array: t == '['})
				continue
			}
			stack = stack[:len(stack)-1]
			advance(stack)
		case string:
			if top := len(stack) - 1; top >= 0 && !stack[top].array && !stack[top].keyed {
				stack[top].key, stack[top].keyed = t, true
				if strings.ContainsRune(t, 0) {
					return renderPath(stack), nil
				}
				continue
			}
			if strings.ContainsRune(t, 0) {
				return renderPath(stack), nil
			}
			advance(stack)
		default:
			advance(stack)
		}
	}
}

// pathElem is one level of a JSON path: an object key or an array index.
type pathElem struct {
	array bool
	index int // elements of the array read so far: the current one's index
	key   string
	keyed bool // the object's current key is read, its value not yet
}

// advance records that the current value of the innermost container is
// complete.
func advance(stack []pathElem) {
	if len(stack) == 0 {
		return
	}
	top := &stack[len(stack)-1]
	if top.array {
		top.index++
		return
	}
	top.keyed = false
}

func renderPath(stack []pathElem) string {
	var b strings.Builder
	for _, e := range stack {
		if e.array {
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// headerBytes is the size of r's header block as the client sent it,
// approximately: names, values and the separators.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for name, vals := range r.Header {
		for _, v := range vals {
			n += len(name) + len(v) + 4
		}
	}
	return n
}

// limitHeaders answers a request whose headers exceed maxHeaderBytes with a
// 431 problem.
func (s *Server) limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := headerBytes(r); n > maxHeaderBytes {
			writeProblem(w, r, &problemDetails{Type: problemTypeBase + "headers-too-large", Title: "Request header fields too large",
				Status: http.StatusRequestHeaderFieldsTooLarge, Detail: fmt.Sprintf("the headers are %d bytes; the limit is %d", n, maxHeaderBytes)})
			return
		}
		next.ServeHTTP(w, r)
	})
}
