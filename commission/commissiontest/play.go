package commissiontest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// player delivers a scenario's steps in order to an in-memory ledger,
// which decides what each posts.
type player struct {
	s      *Scenario
	ledger *ledger.Ledger
	// wooOrders are WooCommerce orders in delivery order: a refund
	// object does not always name its order.
	wooOrders []normalize.Key
}

// Play delivers every step in order and returns what each posted.
// It stops at the first step that fails, returning the steps before it
// and an error naming the step.
func (s *Scenario) Play() ([]Step, error) {
	p := &player{s: s, ledger: ledger.New(ledger.NewMemory(), s.Engine)}
	var steps []Step
	for _, name := range s.Steps {
		st, err := p.step(name)
		if err != nil {
			return steps, fmt.Errorf("steps/%s: %w", name, err)
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// Play loads the scenario directory dir and plays it; see Scenario.Play.
func Play(dir string) ([]Step, error) {
	s, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return s.Play()
}

func (p *player) step(name string) (Step, error) {
	kind, err := parseStepName(name)
	if err != nil {
		return Step{}, err
	}
	body, err := os.ReadFile(filepath.Join(p.s.Dir, "steps", name))
	if err != nil {
		return Step{}, err
	}
	if kind.refund {
		return p.refund(name, kind.platform, body)
	}
	o, err := p.decodeOrder(kind.platform, body)
	if err != nil {
		return Step{}, err
	}
	return p.post(name, o)
}

func (p *player) decodeOrder(platform normalize.Platform, body []byte) (normalize.Order, error) {
	opt := &p.s.Options
	switch platform {
	case normalize.Shopify:
		return shopify.Decoder{Store: opt.Shopify.Store, RefKeys: opt.Shopify.RefKeys, TaxesIncluded: opt.Shopify.TaxesIncluded}.DecodeOrder(body)
	case normalize.WooCommerce:
		o, err := p.woo().DecodeOrder(body)
		if err == nil {
			p.wooOrders = append(p.wooOrders, o.Key())
		}
		return o, err
	case normalize.Magento:
		return magento.Decoder{Store: opt.Magento.Store, RefKeys: opt.Magento.RefKeys}.DecodeOrder(body)
	}
	return normalize.DecodeJSON(body)
}

func (p *player) woo() woocommerce.Decoder {
	w := p.s.Options.WooCommerce
	d := woocommerce.Decoder{Store: w.Store, RefKeys: w.RefKeys, RefFromCoupon: w.RefFromCoupon, ShopCurrency: w.ShopCurrency}
	if len(w.Statuses) > 0 {
		d.Statuses = make(map[string]normalize.Status, len(w.Statuses))
		for k, v := range w.Statuses {
			d.Statuses[k] = normalize.Status(v)
		}
	}
	return d
}

// refund applies a refund delivery to the order it names, already
// delivered, and posts the difference.
func (p *player) refund(name string, platform normalize.Platform, body []byte) (Step, error) {
	opt := &p.s.Options
	var (
		r   normalize.Refund
		err error
	)
	switch platform {
	case normalize.Shopify:
		r, err = shopify.Decoder{Store: opt.Shopify.Store, RefKeys: opt.Shopify.RefKeys, TaxesIncluded: opt.Shopify.TaxesIncluded}.DecodeRefund(body)
	case normalize.WooCommerce:
		return p.wooRefund(name, body)
	case normalize.Magento:
		r, err = magento.Decoder{Store: opt.Magento.Store, RefKeys: opt.Magento.RefKeys}.DecodeRefund(body)
		if err == nil {
			// A credit memo names its order's entity id, not the store.
			r.Platform, r.Store = normalize.Magento, opt.Magento.Store
		}
	default:
		r, err = normalize.DecodeRefundJSON(body)
	}
	if err != nil {
		return Step{}, err
	}
	key := normalize.Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID}
	held, err := p.held(key)
	if err != nil {
		return Step{}, fmt.Errorf("refund %s is for order %s, which no earlier step delivered", r.RefundID, key)
	}
	o, err := held.ApplyRefund(r)
	if err != nil {
		return Step{}, err
	}
	return p.post(name, o)
}

// held returns the order the ledger holds for key: its newest revision with
// every refund delivered for it.
func (p *player) held(key normalize.Key) (normalize.Order, error) {
	o, ok, err := p.ledger.Order(context.Background(), key)
	if err != nil {
		return normalize.Order{}, err
	}
	if !ok {
		return normalize.Order{}, fmt.Errorf("no earlier step delivered order %s", key)
	}
	return o, nil
}

// wooRefund applies a WooCommerce refund object to the WooCommerce order
// it names (order_id, parent_id or its _links), or, when it names none, to
// the one WooCommerce order delivered.
func (p *player) wooRefund(name string, body []byte) (Step, error) {
	d := p.woo()
	var target *normalize.Order
	for _, k := range p.wooOrders {
		o, ok, err := p.ledger.Order(context.Background(), k)
		if err != nil {
			return Step{}, err
		}
		if !ok {
			continue
		}
		d.Currency = o.Currency
		r, err := d.DecodeRefund(body)
		if err == nil && r.OrderID == k.OrderID {
			target = &o
			break
		}
	}
	if target == nil && len(uniqueKeys(p.wooOrders)) == 1 {
		if o, err := p.held(p.wooOrders[0]); err == nil {
			target = &o
		}
	}
	if target == nil {
		return Step{}, fmt.Errorf("the WooCommerce refund names no order an earlier step delivered")
	}
	d.Currency = ""
	o, err := d.ApplyRefund(*target, body)
	if err != nil {
		return Step{}, err
	}
	return p.post(name, o)
}

func uniqueKeys(ks []normalize.Key) map[normalize.Key]bool {
	m := make(map[normalize.Key]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// post posts o to the ledger at the scenario's knowledge instant (so an
// order's first post locks it there) and reports what was appended.
func (p *player) post(name string, o normalize.Order) (Step, error) {
	ctx := context.Background()
	key := o.Key()
	res, err := p.ledger.Post(ctx, &o, p.s.Known)
	var held *ledger.HeldError
	var conflict *ledger.ConflictError
	switch {
	case errors.As(err, &held):
		return Step{}, held.Err
	case errors.As(err, &conflict):
		return Step{}, fmt.Errorf("revision %s of order %s was delivered before and now calculates differently: %w",
			o.Version.UTC().Format(time.RFC3339Nano), key, err)
	case err != nil:
		return Step{}, err
	}
	step := Step{File: name, Order: key, Outcome: Unchanged}
	if newest, ok, err := p.ledger.Order(ctx, key); err != nil {
		return step, err
	} else if ok {
		step.Revision = newest.Version
	}
	if res.Outcome == ledger.Stale {
		step.Outcome = Stale
		return step, nil
	}
	step.Calculation = res.Calculation
	for _, e := range res.Entries {
		if e.Event != nil {
			step.Events = append(step.Events, *e.Event)
		}
	}
	if len(step.Events) > 0 {
		step.Outcome = Posted
	}
	return step, nil
}
