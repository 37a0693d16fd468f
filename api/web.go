package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/lastmile-dev/lastmile/internal/cqgeo"
	"github.com/lastmile-dev/lastmile/internal/web"
)

// webAssets is where the app's static files are served; index.html links
// them from there.
const webAssets = "/app/"

// registerWeb serves the browser workspace: index.html at / and its assets
// under /app/, all public (the app asks for a key before it calls the API).
// The base map and the caller's identity are API routes.
func (s *Server) registerWeb() {
	index := web.Index(webAssets, s.cfg.Tiles)
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(index)
	})
	files := http.StripPrefix(webAssets, http.FileServerFS(web.Assets()))
	s.mux.Handle("GET "+webAssets, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))

	boundaries := boundariesDoc()
	s.route("GET /v1/geo/boundaries", public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/geo+json")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, err := w.Write(boundaries)
		return err
	})
	s.route("GET /v1/whoami", anyKey, s.whoami)
}

// boundariesDoc is the embedded municipality base map with its attribution
// as a foreign member (RFC 7946 §6.1).
func boundariesDoc() []byte {
	b := cqgeo.MunicipalityGeoJSON()
	const head = `{"type":"FeatureCollection",`
	if !bytes.HasPrefix(b, []byte(head)) {
		return b
	}
	attr, _ := json.Marshal(cqgeo.MunicipalityAttribution)
	out := append([]byte(head+`"attribution":`), attr...)
	out = append(out, ',')
	return append(out, b[len(head):]...)
}

// whoami answers the caller's role and courier id, so that the web app
// opens the view the key may use.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"name": p.Name, "role": string(p.Role), "courier_id": p.CourierID})
	return nil
}
