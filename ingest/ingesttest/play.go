package ingesttest

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// Play delivers every step in order, through an ingest.Service over an
// in-memory ledger, and returns what each posted. Every order is locked at
// the scenario's knowledge instant on its first delivery. It stops at the
// first step that fails or is held, returning the steps before it and an
// error naming the step.
func (s *Scenario) Play() ([]Step, error) {
	return s.PlayOn(ledger.New(ledger.NewMemory(), s.Engine))
}

// Play loads the scenario directory dir and plays it; see Scenario.Play.
func Play(dir string) ([]Step, error) {
	s, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return s.Play()
}

// sources are the scenario's decoders, as scenario.json configures them,
// reading steps as a trusted channel: the files were verified, if ever,
// when they arrived.
func (s *Scenario) sources() []ingest.Source {
	o := &s.Options
	woo := woocommerce.Decoder{Store: o.WooCommerce.Store, RefKeys: o.WooCommerce.RefKeys,
		RefFromCoupon: o.WooCommerce.RefFromCoupon, ShopCurrency: o.WooCommerce.ShopCurrency}
	if len(o.WooCommerce.Statuses) > 0 {
		woo.Statuses = make(map[string]normalize.Status, len(o.WooCommerce.Statuses))
		for k, v := range o.WooCommerce.Statuses {
			woo.Statuses[k] = normalize.Status(v)
		}
	}
	return []ingest.Source{
		ingest.Shopify{Decoder: shopify.Decoder{Store: o.Shopify.Store, RefKeys: o.Shopify.RefKeys, TaxesIncluded: o.Shopify.TaxesIncluded}, Trusted: true},
		ingest.WooCommerce{Decoder: woo, Trusted: true},
		ingest.Magento{Decoder: magento.Decoder{Store: o.Magento.Store, RefKeys: o.Magento.RefKeys}, Trusted: true},
		ingest.Canonical{Trusted: true},
	}
}

// step delivers one step file as its name says: its platform's source,
// and the topic of a refund or a credit memo.
func (s *Scenario) step(svc *ingest.Service, name string, known time.Time) (Step, error) {
	kind, err := parseStepName(name)
	if err != nil {
		return Step{}, err
	}
	body, err := os.ReadFile(filepath.Join(s.Dir, "steps", name))
	if err != nil {
		return Step{}, err
	}
	d := ingest.Delivery{Source: ingest.NameCanonical, Body: body}
	if kind.platform != "" {
		d.Source = string(kind.platform)
	}
	switch {
	case !kind.refund:
	case d.Source == ingest.NameShopify:
		d.Topic = "refunds/create"
	case d.Source == ingest.NameMagento:
		d.Topic = "creditmemo"
	default:
		d.Topic = "refund"
	}
	ctx := context.Background()
	res, err := svc.Deliver(ctx, d, known)
	if err != nil {
		return Step{}, err
	}
	if res.Outcome == ingest.Held {
		return Step{}, res.Reason
	}
	step := Step{File: name, Order: res.Order, Outcome: Unchanged}
	if newest, ok, err := svc.Ledger().Order(ctx, res.Order); err != nil {
		return step, err
	} else if ok {
		step.Revision = newest.Version
	}
	switch res.Outcome {
	case ingest.Stale:
		step.Outcome = Stale
		return step, nil
	case ingest.Waiting:
		step.Outcome = Waiting
		return step, nil
	}
	step.Calculation = res.Ledger.Calculation
	for _, e := range res.Ledger.Entries {
		if e.Event != nil {
			step.Events = append(step.Events, *e.Event)
		}
	}
	if len(step.Events) > 0 {
		step.Outcome = Posted
	}
	return step, nil
}
