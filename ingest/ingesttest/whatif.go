package ingesttest

import (
	"fmt"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/sku"
)

// PlayOn is Play through l, a ledger whose calculator is s.Engine, so that
// the caller keeps what the scenario posted: to reconcile it, or to run a
// what-if (ledger.Ledger.WhatIf) over its history.
func (s *Scenario) PlayOn(l *ledger.Ledger) ([]Step, error) {
	svc := ingest.New(l, s.sources()...)
	var steps []Step
	known := s.Known
	for _, name := range s.Steps {
		var st Step
		var err error
		if k, _ := parseStepName(name); k.close || k.preview {
			var at time.Time
			st, at, err = s.periodStepAt(l, name, k.preview)
			if k.close && err == nil && at.After(known) {
				known = at
			}
		} else {
			st, err = s.step(svc, name, known)
		}
		if err != nil {
			return steps, fmt.Errorf("steps/%s: %w", name, err)
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// Candidate returns an engine over the scenario's genealogy with other
// plan versions and, unless catalog is nil, another catalog: the candidate
// of a what-if.
func (s *Scenario) Candidate(catalog *sku.Catalog, plans ...*commission.Plan) (*commission.Engine, error) {
	tree, _, err := loadGenealogy(s.Dir)
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		if catalog, err = loadCatalog(s.Dir); err != nil {
			return nil, err
		}
	}
	return commission.New(catalog, tree, plans...)
}
