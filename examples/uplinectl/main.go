// Command uplinectl is for the people who operate upline: it checks the
// files a compensation plan runs on, replays a folder of webhook bodies
// into a ledger, prints the ledger's statements and reconciliation, and
// shows what a candidate plan or catalog would have paid on that history.
//
//	uplinectl validate -plan plan.json -catalog catalog.json -genealogy genealogy.csv
//	uplinectl replay   -plan plan.json -catalog catalog.json -genealogy genealogy.csv -webhooks DIR
//	uplinectl report   ... -webhooks DIR -period 2025-08
//	uplinectl whatif   ... -webhooks DIR -period 2025-08 -candidate plan-v2.json [-candidate-catalog catalog-v2.json] [-json]
//
// -plan may be given once per version of the plan. The catalog is JSON
// (sku.LoadJSON); the genealogy a CSV or JSON change log (hierarchy.LoadCSV,
// hierarchy.LoadJSON), by its extension.
//
// The ledger is in memory: replay, report and whatif each replay the
// folder first. Its bodies are delivered in file-name order through
// package ingest as a trusted channel (they were verified, if ever, when
// they arrived), each read as its name says:
//
//	<seq>-[<platform>-]<kind>[-<note>].json
//
// platform is shopify, woocommerce, magento or referral (absent: the
// canonical JSON form), kind is order, refund or, for Magento, creditmemo
// — the layout of ingest/ingesttest's scenario steps. Every delivery is
// posted at the knowledge instant (-known, by default the latest instant
// the genealogy log records).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: uplinectl validate|replay|report|whatif [flags]
run "uplinectl COMMAND -h" for a command's flags`

// run runs the command args name and returns the exit status: 0, 1 when
// a file or a delivery is refused, 2 for a wrong command line.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet("uplinectl "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Func("plan", "a plan version's JSON file (repeat for each version)", func(s string) error { o.plans = append(o.plans, s); return nil })
	fs.StringVar(&o.catalog, "catalog", "", "the catalog's JSON file")
	fs.StringVar(&o.genealogy, "genealogy", "", "the genealogy's change log, .csv or .json")
	if cmd != "validate" {
		fs.StringVar(&o.webhooks, "webhooks", "", "the folder of webhook bodies to replay")
		fs.StringVar(&o.known, "known", "", "the knowledge instant orders are posted at (RFC 3339); by default the genealogy's latest")
		fs.StringVar(&o.shopifyStore, "shopify-store", "", "the Shopify store's domain, for bodies that do not name it")
		fs.StringVar(&o.wooStore, "woocommerce-store", "", "the WooCommerce site, for bodies that do not name it")
		fs.StringVar(&o.magentoStore, "magento-store", "", "the Magento store, for bodies that do not name it")
	}
	if cmd == "report" || cmd == "whatif" {
		fs.StringVar(&o.period, "period", "", "the period: a month (2025-08) or a year (2025)")
	}
	if cmd == "whatif" {
		fs.Func("candidate", "a candidate plan version's JSON file (repeat for each version); by default the plan", func(s string) error {
			o.candidates = append(o.candidates, s)
			return nil
		})
		fs.StringVar(&o.candidateCatalog, "candidate-catalog", "", "a candidate catalog's JSON file; by default the catalog")
		fs.BoolVar(&o.json, "json", false, "print the comparison as JSON")
	}
	switch cmd {
	case "validate", "replay", "report", "whatif":
	default:
		fmt.Fprintf(stderr, "uplinectl: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "uplinectl %s: unexpected arguments %q\n", cmd, fs.Args())
		return 2
	}
	var err error
	switch cmd {
	case "validate":
		err = validate(&o, stdout)
	case "replay":
		_, err = replay(&o, stdout)
	case "report":
		err = report(&o, stdout)
	case "whatif":
		err = whatIf(&o, stdout)
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "uplinectl %s: %v\n", cmd, err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "uplinectl %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

type options struct {
	plans, candidates                    []string
	catalog, candidateCatalog, genealogy string
	webhooks, known, period              string
	shopifyStore, wooStore, magentoStore string
	json                                 bool
}

// world is what the files describe.
type world struct {
	plans   []*commission.Plan
	catalog *sku.Catalog
	tree    *hierarchy.Genealogy
	// latest is the latest instant the genealogy log records.
	latest time.Time
}

// validate loads every file given, printing each file's verdict and each
// plan's lint report; it fails when any file is refused.
func validate(o *options, out io.Writer) error {
	if len(o.plans) == 0 && o.catalog == "" && o.genealogy == "" {
		return fmt.Errorf("%w: name a -plan, a -catalog or a -genealogy", errUsage)
	}
	failed := 0
	verdict := func(kind, path, ok string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(out, "%s %s: %v\n", kind, path, err)
			return
		}
		fmt.Fprintf(out, "%s %s: ok, %s\n", kind, path, ok)
	}
	for _, path := range o.plans {
		p, err := loadPlan(path)
		if err != nil {
			verdict("plan", path, "", err)
			continue
		}
		verdict("plan", path, fmt.Sprintf("%s version %d, %d rules", p.ID, p.Version, len(p.Rules)), nil)
		fmt.Fprintf(out, "%s\n", indent(commission.Lint(p).String()))
	}
	if o.catalog != "" {
		_, err := loadCatalog(o.catalog)
		verdict("catalog", o.catalog, "loads", err)
	}
	if o.genealogy != "" {
		g, _, err := loadGenealogy(o.genealogy)
		what := ""
		if err == nil {
			what = fmt.Sprintf("%d members, %d changes", g.Len(), g.Changes())
		}
		verdict("genealogy", o.genealogy, what, err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of the files refused", failed)
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func loadPlan(path string) (*commission.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return commission.LoadPlan(b)
}

func loadCatalog(path string) (*sku.Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return sku.LoadJSON(b)
}

func loadGenealogy(path string) (*hierarchy.Genealogy, time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	decode, load := hierarchy.DecodeCSV, hierarchy.LoadCSV
	if strings.EqualFold(filepath.Ext(path), ".json") {
		decode, load = hierarchy.DecodeJSON, hierarchy.LoadJSON
	}
	g, err := load(b)
	if err != nil {
		return nil, time.Time{}, err
	}
	changes, err := decode(b)
	if err != nil {
		return nil, time.Time{}, err
	}
	var latest time.Time
	for _, c := range changes {
		if c.Recorded.After(latest) {
			latest = c.Recorded
		}
	}
	return g, latest, nil
}

// load loads the plan, catalog and genealogy every command but validate
// needs.
func load(o *options) (*world, error) {
	if len(o.plans) == 0 || o.catalog == "" || o.genealogy == "" || o.webhooks == "" {
		return nil, fmt.Errorf("%w: -plan, -catalog, -genealogy and -webhooks are required", errUsage)
	}
	w := &world{}
	for _, path := range o.plans {
		p, err := loadPlan(path)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", path, err)
		}
		w.plans = append(w.plans, p)
	}
	var err error
	if w.catalog, err = loadCatalog(o.catalog); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", o.catalog, err)
	}
	if w.tree, w.latest, err = loadGenealogy(o.genealogy); err != nil {
		return nil, fmt.Errorf("genealogy %s: %w", o.genealogy, err)
	}
	return w, nil
}

// replayed is a ledger a folder of bodies was replayed into.
type replayed struct {
	world  *world
	ledger *ledger.Ledger
	// orders are the order bodies delivered, as the platforms sent them:
	// what a reconciliation compares the ledger with.
	orders []normalize.Order
	at     time.Time
}

// replay delivers every body of the folder to a ledger over a memory
// store, printing each delivery's outcome; a held delivery is printed
// with its reason and fails the replay once every body is delivered.
func replay(o *options, out io.Writer) (*replayed, error) {
	w, err := load(o)
	if err != nil {
		return nil, err
	}
	engine, err := commission.New(w.catalog, w.tree, w.plans...)
	if err != nil {
		return nil, err
	}
	r := &replayed{world: w, ledger: ledger.New(ledger.NewMemory(), engine), at: w.latest}
	if o.known != "" {
		if r.at, err = time.Parse(time.RFC3339Nano, o.known); err != nil {
			return nil, fmt.Errorf("%w: -known: %v", errUsage, err)
		}
	}
	if r.at.IsZero() {
		return nil, fmt.Errorf("%w: the genealogy records no instant: give -known", errUsage)
	}
	sources := map[string]ingest.Source{
		ingest.NameShopify:     ingest.Shopify{Decoder: shopify.Decoder{Store: o.shopifyStore}, Trusted: true},
		ingest.NameWooCommerce: ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: o.wooStore}, Trusted: true},
		ingest.NameMagento:     ingest.Magento{Decoder: magento.Decoder{Store: o.magentoStore}, Trusted: true},
		ingest.NameReferral:    ingest.Referral{Trusted: true},
		ingest.NameCanonical:   ingest.Canonical{Trusted: true},
	}
	var list []ingest.Source
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		list = append(list, sources[name])
	}
	svc := ingest.New(r.ledger, list...)
	entries, err := os.ReadDir(o.webhooks)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	held := 0
	fmt.Fprintf(out, "replay %s at %s\n", o.webhooks, r.at.UTC().Format(time.RFC3339))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		d, err := delivery(o.webhooks, name)
		if err != nil {
			return nil, err
		}
		if p, err := sources[d.Source].Open(&d, r.at); err == nil && p.Kind == ingest.KindOrder {
			r.orders = append(r.orders, p.Order)
		}
		res, err := svc.Deliver(ctx, d, r.at)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line := fmt.Sprintf("  %-40s %-9s %s", name, res.Outcome, res.Order)
		switch {
		case res.Outcome == ingest.Held:
			held++
			line += ": " + res.Reason.Error()
		case len(res.Ledger.Entries) > 0:
			line += fmt.Sprintf(", %d entries", len(res.Ledger.Entries))
		}
		fmt.Fprintln(out, line)
	}
	if held > 0 {
		return r, fmt.Errorf("%d deliveries held", held)
	}
	return r, nil
}

// delivery reads the body of file name in dir as its name says.
func delivery(dir, name string) (ingest.Delivery, error) {
	body, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ingest.Delivery{}, err
	}
	parts := strings.Split(strings.TrimSuffix(name, ".json"), "-")
	if len(parts) < 2 {
		return ingest.Delivery{}, fmt.Errorf("%s: want <seq>-[<platform>-]<kind>[-<note>].json", name)
	}
	d := ingest.Delivery{Source: ingest.NameCanonical, Body: body}
	kind := parts[1]
	switch parts[1] {
	case ingest.NameShopify, ingest.NameWooCommerce, ingest.NameMagento, ingest.NameReferral, ingest.NameCanonical:
		if len(parts) < 3 {
			return ingest.Delivery{}, fmt.Errorf("%s: no kind after the platform", name)
		}
		d.Source, kind = parts[1], parts[2]
	}
	switch {
	case kind == "order":
	case kind == "refund" && d.Source == ingest.NameShopify:
		d.Topic = "refunds/create"
	case kind == "creditmemo" && d.Source == ingest.NameMagento:
		d.Topic = "creditmemo"
	case kind == "refund":
		d.Topic = "refund"
	default:
		return ingest.Delivery{}, fmt.Errorf("%s: kind %q is not order, refund or (Magento) creditmemo", name, kind)
	}
	return d, nil
}

func period(s string) (ledger.Period, error) {
	if t, err := time.Parse("2006-01", s); err == nil {
		return ledger.Month(t.Year(), t.Month()), nil
	}
	if t, err := time.Parse("2006", s); err == nil {
		return ledger.Year(t.Year()), nil
	}
	return ledger.Period{}, fmt.Errorf("%w: -period %q is not a month (2025-08) or a year (2025)", errUsage, s)
}

// report replays, then prints the statement of every member with entries
// in the period and the reconciliation of the bodies replayed with what
// the ledger posted.
func report(o *options, out io.Writer) error {
	p, err := period(o.period)
	if err != nil {
		return err
	}
	r, err := replay(o, out)
	if err != nil {
		return err
	}
	ctx := context.Background()
	totals, err := r.ledger.Totals(ctx, p, nil)
	if err != nil {
		return err
	}
	for _, t := range totals {
		if t.Currency == "" {
			continue
		}
		s, err := r.ledger.Statement(ctx, t.Member, t.Currency, p)
		if err != nil {
			return err
		}
		fmt.Fprintln(out)
		if err := s.WriteTable(out); err != nil {
			return err
		}
	}
	rec, err := r.ledger.Reconcile(ctx, p, r.orders, r.at)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	return rec.WriteTable(out)
}

// whatIf replays, then compares what the candidate would have paid on the
// period's orders with what the ledger posted.
func whatIf(o *options, out io.Writer) error {
	p, err := period(o.period)
	if err != nil {
		return err
	}
	if len(o.candidates) == 0 && o.candidateCatalog == "" {
		return fmt.Errorf("%w: name a -candidate plan or a -candidate-catalog", errUsage)
	}
	log := out
	if o.json {
		log = io.Discard
	}
	r, err := replay(o, log)
	if err != nil {
		return err
	}
	plans, catalog := r.world.plans, r.world.catalog
	if len(o.candidates) > 0 {
		plans = nil
		for _, path := range o.candidates {
			p, err := loadPlan(path)
			if err != nil {
				return fmt.Errorf("candidate plan %s: %w", path, err)
			}
			plans = append(plans, p)
		}
	}
	if o.candidateCatalog != "" {
		if catalog, err = loadCatalog(o.candidateCatalog); err != nil {
			return fmt.Errorf("candidate catalog %s: %w", o.candidateCatalog, err)
		}
	}
	candidate, err := commission.New(catalog, r.world.tree, plans...)
	if err != nil {
		return err
	}
	c, err := r.ledger.WhatIf(context.Background(), p, candidate)
	if err != nil {
		return err
	}
	if o.json {
		b, err := c.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	fmt.Fprintln(out)
	return c.WriteTable(out)
}
