// Command quickstart runs upline's whole pipeline on the in-memory default:
// webhook bodies from Shopify, WooCommerce and Magento and the simple
// referral webhook — including a duplicate delivery and a refund — become
// canonical orders, mapped lines, commission events and ledger entries,
// ending in a statement per member and a reconciliation summary.
//
//	go run ./examples/quickstart
//
// The genealogy, catalog and plan it uses are in data/; the webhook bodies
// in payloads/.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

//go:embed data payloads
var files embed.FS

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// The shop's webhook secret, as configured in Shopify's admin.
const shopifySecret = "shpss_quickstart_demo_secret"

// A delivery is one webhook body as it arrives, and how to read it.
type delivery struct {
	what string
	file string
	// read turns the body into the order revision to post, given the
	// orders seen so far (a refund applies to its order).
	read func(body []byte, seen map[normalize.Key]normalize.Order) (normalize.Order, error)
}

func run(w io.Writer) error {
	ctx := context.Background()
	engine, members, err := loadEngine()
	if err != nil {
		return err
	}
	l := ledger.New(ledger.NewMemory(), engine)

	shop := shopify.Decoder{Store: "acme.myshopify.com"}
	deliveries := []delivery{
		{"shopify orders/paid", "shopify-order-paid.json", decoded(shop.DecodeOrder)},
		{"shopify orders/paid (delivered again)", "shopify-order-paid.json", decoded(shop.DecodeOrder)},
		{"shopify refunds/create", "shopify-refund.json", func(body []byte, seen map[normalize.Key]normalize.Order) (normalize.Order, error) {
			r, err := shop.DecodeRefund(body)
			if err != nil {
				return normalize.Order{}, err
			}
			// Apply it to the order the ledger holds: its newest revision
			// with every refund delivered before.
			o, ok, err := l.Order(ctx, normalize.Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID})
			if err != nil || !ok {
				return normalize.Order{}, fmt.Errorf("refund %s: its order was never posted (%v)", r.RefundID, err)
			}
			return o.ApplyRefund(r)
		}},
		{"shopify orders/create (signed)", "shopify-order.json", func(body []byte, _ map[normalize.Key]normalize.Order) (normalize.Order, error) {
			// A webhook is trusted only after its signature checks out.
			if err := shopify.Verify(body, sign(body, shopifySecret), shopifySecret); err != nil {
				return normalize.Order{}, err
			}
			return shop.DecodeOrder(body)
		}},
		{"woocommerce order.updated", "woocommerce-order.json", decoded(woocommerce.Decoder{Store: "shop.example.com"}.DecodeOrder)},
		{"magento order", "magento-order.json", decoded(magento.Decoder{Store: "magento.example.com"}.DecodeOrder)},
		{"referral webhook", "referral.json", func(body []byte, _ map[normalize.Key]normalize.Order) (normalize.Order, error) {
			received := time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)
			return referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}.DecodeOrder(body, received)
		}},
	}

	seen := map[normalize.Key]normalize.Order{}
	var order []normalize.Key // first-seen order, for stable output
	fmt.Fprintln(w, "== Deliveries: webhook → canonical order → events → ledger")
	for _, d := range deliveries {
		body, err := files.ReadFile("payloads/" + d.file)
		if err != nil {
			return err
		}
		o, err := d.read(body, seen)
		if err != nil {
			return fmt.Errorf("%s: %w", d.file, err)
		}
		if _, ok := seen[o.Key()]; !ok {
			order = append(order, o.Key())
		}
		res, err := l.Post(ctx, &o, o.Version)
		if err != nil {
			return fmt.Errorf("%s: %w", d.file, err)
		}
		// Keep what the ledger holds, never a body older than it.
		if seen[o.Key()], _, err = l.Order(ctx, o.Key()); err != nil {
			return err
		}
		sum := decimal.Zero
		events := 0
		for _, e := range res.Entries {
			if e.Event != nil {
				sum = sum.Add(e.Amount)
				events++
			}
		}
		fmt.Fprintf(w, "%-40s %-32s %-10s %2d events  Σ %s %s\n", d.what, o.Key(), res.Outcome, events, sum.StringFixed(2), o.Currency)
	}

	for _, k := range order {
		o := seen[k]
		fmt.Fprintf(w, "\n== Order %s (%s, credited by %q)\n", k, o.Status, o.DistributorRef)
		printLines(w, &o)
		printEvents(w, l, k)
	}

	if err := explainOne(w, l, order[0]); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== Statements, 2025 (USD)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "member\topening\tearned\tclawed back\tpaid\tclosing\tby rule\t")
	for _, m := range members {
		st, err := l.Statement(ctx, m, "USD", ledger.Year(2025))
		if err != nil {
			return err
		}
		byRule := ""
		for _, r := range st.ByRule {
			byRule += fmt.Sprintf(" %s %s", r.Rule, r.Amount.StringFixed(2))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", m, st.Opening.StringFixed(2), st.Earned.StringFixed(2),
			st.ClawedBack.StringFixed(2), st.Paid.StringFixed(2), st.Closing.StringFixed(2), byRule)
	}
	tw.Flush()

	fmt.Fprintln(w, "\n== Reconciliation: the platforms' orders against the ledger")
	var platform []normalize.Order
	for _, k := range order {
		platform = append(platform, seen[k])
	}
	rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	return rec.WriteTable(w)
}

func decoded(decode func([]byte) (normalize.Order, error)) func([]byte, map[normalize.Key]normalize.Order) (normalize.Order, error) {
	return func(body []byte, _ map[normalize.Key]normalize.Order) (normalize.Order, error) { return decode(body) }
}

// loadEngine builds the engine from the genealogy, catalog and plan in
// data/, and returns the genealogy's member ids, sorted.
func loadEngine() (*commission.Engine, []string, error) {
	read := func(name string) []byte {
		b, err := files.ReadFile("data/" + name)
		if err != nil {
			panic(err) // embedded at build time
		}
		return b
	}
	tree, err := hierarchy.LoadCSV(read("genealogy.csv"))
	if err != nil {
		return nil, nil, err
	}
	catalog, err := sku.LoadJSON(read("catalog.json"))
	if err != nil {
		return nil, nil, err
	}
	plan, err := commission.LoadPlan(read("plan.json"))
	if err != nil {
		return nil, nil, err
	}
	engine, err := commission.New(catalog, tree, plan)
	if err != nil {
		return nil, nil, err
	}
	var members []string
	for m := hierarchy.Member(0); int(m) < tree.Len(); m++ {
		members = append(members, tree.ID(m))
	}
	sort.Strings(members)
	return engine, members, nil
}

// sign computes the X-Shopify-Hmac-Sha256 header Shopify would send.
func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// printLines shows what each line of the canonical order earns commission
// on: its net, and what of it is left after refunds.
func printLines(w io.Writer, o *normalize.Order) {
	digits, _ := normalize.MinorUnits(o.Currency)
	money := func(d decimal.Decimal) string { return d.StringFixed(digits) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "line\tsku\tvariant\tqty\tgross\tdiscount\ttax\tnet\tearns now\t")
	earns := normalize.Commissionable(o)
	for i, l := range o.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n",
			l.LineID, l.PlatformSKU, l.VariantID, l.Qty, money(l.Gross), money(l.Discount), money(l.Tax), money(l.Net), money(earns[i]))
	}
	tw.Flush()
	fmt.Fprintf(w, "Σ net + shipping %s + fees %s + tax %s = total %s %s\n",
		money(o.Shipping), money(o.Fees), money(o.Tax), money(o.Total), o.Currency)
}

// printEvents shows every event the ledger holds for an order, in the
// order they were posted.
func printEvents(w io.Writer, l *ledger.Ledger, k normalize.Key) {
	entries, _, err := l.Store().Stream(context.Background(), ledger.OrderStream(k))
	if err != nil {
		fmt.Fprintln(w, "events:", err)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\trule\tline\tbeneficiary\tlevel\tpaid\tbasis\trate\tamount\teffective")
	for _, en := range entries {
		e := en.Event
		if e == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", e.Kind, e.Rule, e.LineID, e.Beneficiary,
			e.Level, e.PaidLevel, e.Basis(), e.Rate(), e.Amount().StringFixed(2), e.Effective.Format(time.DateOnly))
	}
	tw.Flush()
}

// explainOne prints one event in full: its calc_snapshot says what the
// calculation saw, so any cent can be explained.
func explainOne(w io.Writer, l *ledger.Ledger, k normalize.Key) error {
	entries, _, err := l.Store().Stream(context.Background(), ledger.OrderStream(k))
	if err != nil {
		return err
	}
	for _, en := range entries {
		if en.Event == nil {
			continue
		}
		raw, err := json.Marshal(en.Event)
		if err != nil {
			return err
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, raw, "", "  "); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n== Why %s earned %s %s on line %s of %s\n%s\n",
			en.Event.Beneficiary, en.Event.Amount().StringFixed(2), en.Event.Currency, en.Event.LineID, k, pretty.String())
		return nil
	}
	return nil
}
