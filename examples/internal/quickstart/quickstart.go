// Package quickstart is the quick start's program, over whichever
// ledger.Store its command gives it: examples/quickstart runs it in
// memory, examples/postgres/quickstart on PostgreSQL, and both print the
// same, byte for byte.
package quickstart

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/examples/quickstart/data"
	"github.com/uplinehq/upline/examples/quickstart/payloads"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

// The webhook secrets, as configured in each shop's admin.
const (
	shopifySecret = "shpss_quickstart_demo_secret"
	wooSecret     = "wc_quickstart_demo_secret"
)

// received is when the deliveries arrive.
var received = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)

// Run runs the quick start on store, which must hold no ledger yet, and
// writes what it shows to w.
func Run(w io.Writer, store ledger.Store) error {
	ctx := context.Background()
	engine, tree, plan, err := load()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== The plan (data/plan.json): rates are shares, 0.10 = 10%%\n%s\n", plan)

	l := ledger.New(store, engine)
	svc := ingest.New(l,
		ingest.Shopify{Decoder: shopify.Decoder{Store: "acme.myshopify.com"}, Secret: shopifySecret},
		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com"}, Secret: wooSecret},
		// A REST body fetched from the installation: nothing to verify.
		ingest.Magento{Decoder: magento.Decoder{Store: "magento.example.com"}, Trusted: true},
		ingest.Referral{Decoder: referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}, Trusted: true},
	)
	const shop, woo = shopify.SignatureHeader, woocommerce.SignatureHeader
	deliveries := []struct{ what, source, topic, file, header, secret string }{
		{"shopify orders/paid", ingest.NameShopify, "orders/paid", "shopify-order-paid.json", shop, shopifySecret},
		{"shopify orders/paid, delivered again", ingest.NameShopify, "orders/paid", "shopify-order-paid.json", shop, shopifySecret},
		{"shopify refunds/create", ingest.NameShopify, "refunds/create", "shopify-refund.json", shop, shopifySecret},
		{"shopify orders/create", ingest.NameShopify, "orders/create", "shopify-order.json", shop, shopifySecret},
		{"shopify orders/create, forged", ingest.NameShopify, "orders/create", "shopify-order.json", shop, "not the secret"},
		{"woocommerce order.updated", ingest.NameWooCommerce, "order.updated", "woocommerce-order.json", woo, wooSecret},
		{"magento order (REST)", ingest.NameMagento, "", "magento-order.json", "", ""},
		{"referral webhook", ingest.NameReferral, "", "referral.json", "", ""},
	}

	fmt.Fprintln(w, "\n== Deliveries: webhook → verified → canonical order → events → ledger")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "delivery\torder\toutcome\tevents\tΣ amount")
	var orders []normalize.Key // in the order first delivered
	credited := map[normalize.Key]string{}
	events := map[normalize.Key][]*commission.Event{} // as posted
	for _, d := range deliveries {
		body, err := payloads.FS.ReadFile(d.file)
		if err != nil {
			return err
		}
		res, err := svc.Deliver(ctx, ingest.Delivery{Source: d.source, Topic: d.topic, Header: sign(body, d.header, d.secret), Body: body}, received)
		if errors.Is(err, normalize.ErrSignature) {
			fmt.Fprintf(tw, "%s\t-\trefused: not signed with the shop's secret\t0\t0.00\n", d.what)
			continue
		}
		if err == nil && res.Outcome == ingest.Held {
			err = res.Reason
		}
		if err != nil {
			return fmt.Errorf("%s: %w", d.file, err)
		}
		if _, ok := events[res.Order]; !ok {
			orders = append(orders, res.Order)
		}
		if c := res.Ledger.Calculation; c != nil && c.Snapshot.Credited.Member != "" {
			credited[res.Order] = c.Snapshot.Credited.Member
		}
		n, sum := 0, decimal.Zero
		for _, e := range res.Ledger.Entries {
			if e.Event != nil {
				n, sum = n+1, sum.Add(e.Amount)
				events[res.Order] = append(events[res.Order], e.Event)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", d.what, res.Order, res.Outcome, n, sum.StringFixed(2))
	}
	tw.Flush()

	bases := planBases()
	var platform []normalize.Order
	for _, k := range orders {
		o, _, err := l.Order(ctx, k)
		if err != nil {
			return err
		}
		platform = append(platform, o)
		who := credited[k]
		if o.DistributorRef != "" && o.DistributorRef != who {
			who += fmt.Sprintf(" (the order names %q, %s's referral code)", o.DistributorRef, credited[k])
		}
		fmt.Fprintf(w, "\n== Order %s: %s, credited to %s\n", k, o.Status, who)
		printLines(w, &o)
		printEvents(w, events[k], bases)
	}

	// One event in full: its calc_snapshot says what the calculation saw,
	// so any cent can be explained.
	e := events[orders[0]][0]
	pretty, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== Why %s earned %s %s on line %s of %s\n%s\n", e.Beneficiary, e.Amount().StringFixed(2), e.Currency, e.LineID, orders[0], pretty)

	if err := closeMonth(ctx, w, l, tree); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== Statements, 2025, of every member with entries")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "member\tcurrency\topening\tearned\tclawed back\tpaid\tclosing\tby rule\t")
	balances, err := l.Balances(ctx, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	for _, b := range balances {
		st, err := l.Statement(ctx, b.Member, b.Currency, ledger.Year(2025))
		if err != nil {
			return err
		}
		byRule := ""
		for _, r := range st.ByRule {
			byRule += fmt.Sprintf(" %s %s", r.Rule, r.Amount.StringFixed(2))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", b.Member, b.Currency, st.Opening.StringFixed(2), st.Earned.StringFixed(2),
			st.ClawedBack.StringFixed(2), st.Paid.StringFixed(2), st.Closing.StringFixed(2), byRule)
	}
	tw.Flush()

	fmt.Fprintln(w, "\n== Reconciliation: the platforms' orders against the ledger")
	rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	return rec.WriteTable(w)
}

// load builds the engine from the genealogy, catalog and plan in data/,
// and returns the genealogy (a period close records its rank changes in
// it) and the plan's text.
func load() (*commission.Engine, *hierarchy.Genealogy, string, error) {
	read := func(name string) []byte {
		b, err := data.FS.ReadFile(name)
		if err != nil {
			panic(err) // embedded at build time
		}
		return b
	}
	tree, err := hierarchy.LoadCSV(read("genealogy.csv"))
	if err != nil {
		return nil, nil, "", err
	}
	catalog, err := sku.LoadJSON(read("catalog.json"))
	if err != nil {
		return nil, nil, "", err
	}
	plan, err := commission.LoadPlan(read("plan.json"))
	if err != nil {
		return nil, nil, "", err
	}
	engine, err := commission.New(catalog, tree, plan)
	return engine, tree, string(read("plan.json")), err
}

// planBases returns what each rule of the plan applies its rates to
// ("cv", "net", ...), to label an event's basis.
func planBases() map[string]string {
	var p struct {
		Rules []struct{ Name, Basis string }
	}
	b, _ := data.FS.ReadFile("plan.json")
	json.Unmarshal(b, &p) // commission.LoadPlan has read it already
	bases := map[string]string{}
	for _, r := range p.Rules {
		bases[r.Name] = r.Basis
	}
	return bases
}

// sign returns the header a platform signs body with: base64 of its
// HMAC-SHA256 under the webhook's secret (Shopify and WooCommerce alike).
func sign(body []byte, header, secret string) http.Header {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	h := http.Header{}
	h.Set(header, base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return h
}

// printLines shows what each line of the canonical order earns commission
// on: its net, and what of it is left after refunds.
func printLines(w io.Writer, o *normalize.Order) {
	digits, _ := normalize.MinorUnits(o.Currency)
	money := func(d decimal.Decimal) string { return d.StringFixed(digits) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "line\tsku\tqty\tgross\tdiscount\ttax\tnet\tnet after refunds\t")
	earns := normalize.Commissionable(o)
	for i, l := range o.Items {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n",
			l.LineID, l.PlatformSKU, l.Qty, money(l.Gross), money(l.Discount), money(l.Tax), money(l.Net), money(earns[i]))
	}
	tw.Flush()
	fmt.Fprintf(w, "Σ net + shipping %s + fees %s + tax %s = total %s %s\n",
		money(o.Shipping), money(o.Fees), money(o.Tax), money(o.Total), o.Currency)
}

// printEvents shows an order's commissions and corrections, in the order
// they were posted.
func printEvents(w io.Writer, events []*commission.Event, bases map[string]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\trule\tline\tbeneficiary\ttree level\tpaid level\tbasis\trate\tamount\teffective")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s %s\t%s\t%s\t%s\n", e.Kind, e.Rule, e.LineID, e.Beneficiary,
			e.Level, e.PaidLevel, bases[e.Rule], e.Basis(), e.Rate(), e.Amount().StringFixed(2), e.Effective.Format(time.DateOnly))
	}
	tw.Flush()
}

// closeMonth closes March 2025, the month of most of the orders, once
// they have been delivered: every member's volumes and the rank it
// qualified for, with what the next rank lacks; the ranks become genealogy
// rank changes from April on.
func closeMonth(ctx context.Context, w io.Writer, l *ledger.Ledger, tree *hierarchy.Genealogy) error {
	at := received.Add(24 * time.Hour)
	res, err := l.Close(ctx, "2025-03", at)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== Period close %s (%s – %s), at %s: %s\n", res.Period.ID, res.Period.From.Format(time.DateOnly),
		res.Period.To.Format(time.DateOnly), at.Format(time.DateOnly), res.Outcome)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "member\tPV\tGV\tlegs (counted/volume)\trank\tthe ranks above: what failed")
	members := res.Closing.Members()
	slices.Sort(members)
	for _, m := range members {
		r, _ := res.Closing.Report(m)
		var legs []string
		for _, leg := range r.Legs {
			legs = append(legs, fmt.Sprintf("%s %s/%s", leg.Member, leg.Counted, leg.Volume))
		}
		rank := fmt.Sprint(r.Ranks.PaidAs)
		if r.RankName != "" {
			rank += " " + r.RankName
		}
		var above []string
		for _, t := range r.Trace {
			if !t.Met {
				above = append(above, t.String())
			}
		}
		next := "-"
		if len(above) > 0 {
			next = strings.Join(above, " | ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m, r.Volumes.PV, r.Volumes.GV, strings.Join(legs, ", "), rank, next)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "bonus	member	from	level	basis	rate	amount	")
	for _, a := range res.Closing.Awards {
		from := a.Source
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(tw, "%s	%s	%s	%d	%s	%s	%s %s	\n", a.Rule, a.Beneficiary, from, a.PaidLevel, a.Basis(), a.Rate(), a.Amount().StringFixed(2), a.Currency)
	}
	tw.Flush()
	for _, c := range res.RankChanges {
		if err := tree.Apply(c); err != nil {
			return err
		}
		fmt.Fprintf(w, "rank change: %s paid as %d, highest %d, from %s\n", c.Member, c.PaidAs, c.Highest, c.Effective.Format(time.DateOnly))
	}
	again, err := l.Close(ctx, "2025-03", at.Add(24*time.Hour))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "closing again a day later: %s, %d entries, %d rank changes\n", again.Outcome, len(again.Entries), len(again.RankChanges))
	return nil
}
