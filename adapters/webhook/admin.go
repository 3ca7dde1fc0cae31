package webhook

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Admin returns the operator's handler, to serve on an address only
// operators reach (it authenticates nobody):
//
//	GET  /held?reason=R        held deliveries (all, or those held for R), oldest first, without bodies
//	GET  /held/{id}            one delivery, with its body and headers
//	POST /held/{id}/redrive    re-drive one delivery: its record after
//	POST /held/redrive?reason=R  re-drive every delivery held for R (all when R is empty)
//
// A re-drive posts at most once: the ledger recognises what it posted.
func (h *Handler) Admin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /held", func(w http.ResponseWriter, r *http.Request) {
		recs, err := h.inbox.Held(r.Context(), r.URL.Query().Get("reason"))
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, withoutBodies(recs))
	})
	mux.HandleFunc("GET /held/{id}", func(w http.ResponseWriter, r *http.Request) {
		rec, ok, err := h.inbox.Get(r.Context(), r.PathValue("id"))
		switch {
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		case !ok:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": ErrNotFound.Error()})
		default:
			writeJSON(w, http.StatusOK, rec)
		}
	})
	mux.HandleFunc("POST /held/{id}/redrive", func(w http.ResponseWriter, r *http.Request) {
		rec, err := h.Redrive(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, ErrNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		default:
			rec.Body = nil
			writeJSON(w, http.StatusOK, rec)
		}
	})
	mux.HandleFunc("POST /held/redrive", func(w http.ResponseWriter, r *http.Request) {
		recs, err := h.RedriveHeld(r.Context(), r.URL.Query().Get("reason"))
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": err.Error(), "redriven": withoutBodies(recs)})
			return
		}
		writeJSON(w, http.StatusOK, withoutBodies(recs))
	})
	return mux
}

func withoutBodies(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Body = nil
		out[i] = r
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
