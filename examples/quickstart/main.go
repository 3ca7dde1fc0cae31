// Command quickstart runs upline's whole pipeline on the in-memory default:
// webhook bodies from Shopify, WooCommerce and Magento and the simple
// referral webhook — a duplicate delivery and a refund among them — go
// through the one delivery path (ingest) to the ledger, which prints what
// each order earned, why one commission is what it is, a statement per
// member and a reconciliation.
//
//	go run ./examples/quickstart
//
// The genealogy, catalog and plan it uses are in data/; the webhook bodies
// in payloads/. The program itself is examples/internal/quickstart, which
// examples/postgres/quickstart runs on PostgreSQL.
package main

import (
	"fmt"
	"os"

	"github.com/uplinehq/upline/examples/internal/quickstart"
	"github.com/uplinehq/upline/ledger"
)

func main() {
	if err := quickstart.Run(os.Stdout, ledger.NewMemory()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}
