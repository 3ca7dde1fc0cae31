package ingesttest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Outcome says what a step did to the ledger.
type Outcome string

const (
	// Posted: the step's revision posted events (commissions or
	// corrections).
	Posted Outcome = "posted"
	// Unchanged: the revision calculated the same as what was posted (a
	// duplicate delivery, or an edit that changes no payout).
	Unchanged Outcome = "unchanged"
	// Stale: the revision is older than one already delivered; a newer
	// revision has decided, so nothing was calculated.
	Stale Outcome = "stale"
	// Waiting: a refund for an order no step has delivered yet; it is
	// applied when the order arrives.
	Waiting Outcome = "waiting"
)

// Step is what one delivery under steps/ did.
type Step struct {
	// File is the step's file name, such as "02-shopify-refund.json".
	File string
	// Order is the order the delivery is about, and Revision the
	// revision that was calculated (the order's Version after the
	// delivery).
	Order    normalize.Key
	Revision time.Time
	Outcome  Outcome
	// Events are what the step posted, in order: new commissions and
	// corrections.
	Events []commission.Event
	// Calculation is the latest revision's calculation (nil for a stale
	// step): its breakage and cap explain the events.
	Calculation *commission.Calculation
	// Period is, for a close or preview step, the period's id; Revision
	// is then the close's revision instant.
	Period string
	// Closing is what a close or preview step computed: awards, carries,
	// rank changes and every member's report.
	Closing *commission.Closing
	// Awards are the awards and corrections a close step posted.
	Awards []commission.Award
}

// Scenario is a scenario directory loaded and ready to play.
type Scenario struct {
	Dir     string
	Engine  *commission.Engine
	Options Options
	// Known is the genealogy's knowledge instant every order is locked
	// at on its first delivery.
	Known time.Time
	// Steps are the step files, in the order they are delivered.
	Steps []string

	tree *hierarchy.Genealogy
}

// Options is the content of scenario.json. Every field is optional.
type Options struct {
	// Known is the knowledge instant (RFC 3339) orders are first
	// calculated with; by default the latest Recorded instant of the
	// genealogy log.
	Known string `json:"known,omitempty"`
	// Shopify, WooCommerce and Magento configure the platform decoders.
	Shopify     ShopifyOptions     `json:"shopify,omitzero"`
	WooCommerce WooCommerceOptions `json:"woocommerce,omitzero"`
	Magento     MagentoOptions     `json:"magento,omitzero"`
}

// ShopifyOptions are shopify.Decoder's fields.
type ShopifyOptions struct {
	Store         string   `json:"store,omitempty"`
	RefKeys       []string `json:"ref_keys,omitempty"`
	TaxesIncluded bool     `json:"taxes_included,omitempty"`
}

// WooCommerceOptions are woocommerce.Decoder's fields that apply to a
// whole shop.
type WooCommerceOptions struct {
	Store         string            `json:"store,omitempty"`
	RefKeys       []string          `json:"ref_keys,omitempty"`
	RefFromCoupon bool              `json:"ref_from_coupon,omitempty"`
	ShopCurrency  string            `json:"shop_currency,omitempty"`
	Statuses      map[string]string `json:"statuses,omitempty"`
}

// MagentoOptions are magento.Decoder's fields.
type MagentoOptions struct {
	Store   string   `json:"store,omitempty"`
	RefKeys []string `json:"ref_keys,omitempty"`
}

// Load reads a scenario directory: its plan or plans, genealogy, catalog,
// options and the names of its steps. See the package documentation for
// the layout.
func Load(dir string) (*Scenario, error) {
	s := &Scenario{Dir: dir}
	if b, err := os.ReadFile(filepath.Join(dir, "scenario.json")); err == nil {
		if err := strictjson.Decode(b, &s.Options); err != nil {
			return nil, fmt.Errorf("scenario.json: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}

	plans, err := loadPlans(dir)
	if err != nil {
		return nil, err
	}
	tree, lastRecorded, err := loadGenealogy(dir)
	if err != nil {
		return nil, err
	}
	catalog, err := loadCatalog(dir)
	if err != nil {
		return nil, err
	}
	s.tree = tree
	if s.Engine, err = commission.New(catalog, tree, plans...); err != nil {
		return nil, err
	}

	s.Known = lastRecorded
	if s.Options.Known != "" {
		if s.Known, err = time.Parse(time.RFC3339Nano, s.Options.Known); err != nil {
			return nil, fmt.Errorf("scenario.json: known: %w", err)
		}
	}
	if s.Known.IsZero() {
		return nil, errors.New("no knowledge instant: the genealogy records nothing and scenario.json names no \"known\"")
	}

	entries, err := os.ReadDir(filepath.Join(dir, "steps"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := parseStepName(e.Name()); err != nil {
			return nil, err
		}
		s.Steps = append(s.Steps, e.Name())
	}
	slices.Sort(s.Steps)
	if len(s.Steps) == 0 {
		return nil, fmt.Errorf("%s: no steps", filepath.Join(dir, "steps"))
	}
	return s, nil
}

func loadPlans(dir string) ([]*commission.Plan, error) {
	files := []string{filepath.Join(dir, "plan.json")}
	if _, err := os.Stat(files[0]); errors.Is(err, os.ErrNotExist) {
		files, err = filepath.Glob(filepath.Join(dir, "plans", "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no plan.json and no plans/*.json", dir)
		}
		slices.Sort(files)
	}
	var plans []*commission.Plan
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p, err := commission.LoadPlan(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", relTo(dir, f), err)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// loadGenealogy builds the genealogy from genealogy.csv or genealogy.json
// and returns the latest instant its log records.
func loadGenealogy(dir string) (*hierarchy.Genealogy, time.Time, error) {
	type form struct {
		name   string
		decode func([]byte) ([]hierarchy.Change, error)
		load   func([]byte) (*hierarchy.Genealogy, error)
	}
	for _, f := range []form{
		{"genealogy.csv", hierarchy.DecodeCSV, hierarchy.LoadCSV},
		{"genealogy.json", hierarchy.DecodeJSON, hierarchy.LoadJSON},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		changes, err := f.decode(b)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("%s: %w", f.name, err)
		}
		tree, err := f.load(b)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("%s: %w", f.name, err)
		}
		var last time.Time
		for _, c := range changes {
			if c.Recorded.After(last) {
				last = c.Recorded
			}
		}
		return tree, last, nil
	}
	return nil, time.Time{}, fmt.Errorf("%s: no genealogy.csv or genealogy.json", dir)
}

func loadCatalog(dir string) (*sku.Catalog, error) {
	b, err := os.ReadFile(filepath.Join(dir, "catalog.json"))
	if err == nil {
		c, err := sku.LoadJSON(b)
		if err != nil {
			return nil, fmt.Errorf("catalog.json: %w", err)
		}
		return c, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	skus, err := os.ReadFile(filepath.Join(dir, "skus.csv"))
	if err != nil {
		return nil, fmt.Errorf("%s: no catalog.json, and skus.csv: %w", dir, err)
	}
	keys, err := os.ReadFile(filepath.Join(dir, "keys.csv"))
	if err != nil {
		return nil, err
	}
	return sku.LoadCSV(skus, keys)
}

// stepKind is what a step file's name says it holds.
type stepKind struct {
	platform normalize.Platform // "" for the canonical form
	refund   bool
	// close and preview are period steps.
	close, preview bool
}

// parseStepName reads "<seq>-[<platform>-]<kind>[-<note>].json", where
// platform is shopify, woocommerce or magento, kind is order, refund or
// creditmemo.
func parseStepName(name string) (stepKind, error) {
	bad := func(why string) (stepKind, error) {
		return stepKind{}, fmt.Errorf("steps/%s: %s; a step is named <seq>-[shopify-|woocommerce-|magento-]<order|refund|creditmemo>[-<note>].json or <seq>-<close|preview>[-<note>].json", name, why)
	}
	base, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return bad("not a .json file")
	}
	words := strings.Split(base, "-")
	if len(words) < 2 || words[0] == "" {
		return bad("no sequence and kind")
	}
	words = words[1:]
	var k stepKind
	switch p := normalize.Platform(words[0]); p {
	case normalize.Shopify, normalize.WooCommerce, normalize.Magento:
		k.platform = p
		words = words[1:]
	}
	if len(words) == 0 {
		return bad("no kind")
	}
	switch words[0] {
	case "close", "preview":
		if k.platform != "" {
			return bad("a period step names no platform")
		}
		k.close, k.preview = words[0] == "close", words[0] == "preview"
	case "order":
	case "refund":
		k.refund = true
		if k.platform == normalize.Magento {
			return bad("a Magento refund is a creditmemo")
		}
	case "creditmemo":
		if k.platform != normalize.Magento {
			return bad("creditmemo is Magento's")
		}
		k.refund = true
	default:
		return bad(fmt.Sprintf("unknown kind %q", words[0]))
	}
	return k, nil
}

func relTo(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil {
		return r
	}
	return path
}
