package commissiontest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// orderState is what the ledger holds for one order: its latest revision,
// the lock of its first calculation and every event posted for it.
type orderState struct {
	order  normalize.Order
	lock   commission.Lock
	posted []commission.Event
}

// player delivers a scenario's steps in order, as an append-only ledger
// would post them.
type player struct {
	s      *Scenario
	orders map[normalize.Key]*orderState
	// wooOrders are WooCommerce orders in delivery order: a refund
	// object does not always name its order.
	wooOrders []normalize.Key
}

// Play delivers every step in order and returns what each posted.
// It stops at the first step that fails, returning the steps before it
// and an error naming the step.
func (s *Scenario) Play() ([]Step, error) {
	p := &player{s: s, orders: map[normalize.Key]*orderState{}}
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
	return p.revise(name, o, true)
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
		r, err = magento.Decoder{Store: opt.Magento.Store, RefKeys: opt.Magento.RefKeys}.DecodeCreditMemo(body)
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
	st, ok := p.orders[key]
	if !ok {
		return Step{}, fmt.Errorf("refund %s is for order %s, which no earlier step delivered", r.RefundID, key)
	}
	o, err := st.order.ApplyRefund(r)
	if err != nil {
		return Step{}, err
	}
	return p.revise(name, o, false)
}

// wooRefund applies a WooCommerce refund object to the WooCommerce order
// it names (order_id, parent_id or its _links), or, when it names none, to
// the one WooCommerce order delivered.
func (p *player) wooRefund(name string, body []byte) (Step, error) {
	d := p.woo()
	var target *orderState
	for _, k := range p.wooOrders {
		st := p.orders[k]
		if st == nil {
			continue
		}
		d.Currency = st.order.Currency
		r, err := d.DecodeRefund(body)
		if err == nil && r.OrderID == k.OrderID {
			target = st
			break
		}
	}
	if target == nil && len(p.orders) > 0 && len(uniqueKeys(p.wooOrders)) == 1 {
		target = p.orders[p.wooOrders[0]]
	}
	if target == nil {
		return Step{}, fmt.Errorf("the WooCommerce refund names no order an earlier step delivered")
	}
	d.Currency = ""
	o, err := d.ApplyRefund(target.order, body)
	if err != nil {
		return Step{}, err
	}
	return p.revise(name, o, false)
}

func uniqueKeys(ks []normalize.Key) map[normalize.Key]bool {
	m := make(map[normalize.Key]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// revise makes o the order's latest revision, unless a newer one was
// delivered, calculates it with the order's lock and posts the corrections.
// A delivered order revision keeps the refunds applied to the order before
// it that it does not list with their lines itself.
func (p *player) revise(name string, o normalize.Order, delivered bool) (Step, error) {
	key := o.Key()
	step := Step{File: name, Order: key, Revision: o.Version}
	st, seen := p.orders[key]
	if seen && o.Version.Before(st.order.Version) {
		step.Outcome = Stale
		step.Revision = st.order.Version
		return step, nil
	}
	if seen && delivered {
		for _, r := range st.order.Refunds {
			if len(r.Items) == 0 {
				continue
			}
			var err error
			if o, err = o.ApplyRefund(r); err != nil {
				return step, fmt.Errorf("keeping refund %s on the new revision: %w", r.RefundID, err)
			}
		}
		step.Revision = o.Version
	}
	lock := commission.Lock{Known: p.s.Known}
	if seen {
		lock = st.lock
	}
	calc, err := p.s.Engine.Calculate(&o, lock)
	if err != nil {
		return step, err
	}
	step.Calculation = calc
	var posted []commission.Event
	if seen {
		posted = st.posted
	}
	step.Events = commission.Corrections(posted, calc.Events, o.Version)
	if seen && len(step.Events) > 0 && o.Version.Equal(st.order.Version) && delivered {
		return step, fmt.Errorf("revision %s of order %s was delivered before and now calculates differently", o.Version.Format("2006-01-02T15:04:05.999999999Z07:00"), key)
	}
	step.Outcome = Unchanged
	if len(step.Events) > 0 {
		step.Outcome = Posted
	}
	if !seen {
		st = &orderState{lock: calc.Lock}
		p.orders[key] = st
	}
	st.order = o
	st.posted = append(st.posted, step.Events...)
	return step, nil
}
