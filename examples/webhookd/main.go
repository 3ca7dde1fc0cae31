// Command webhookd is upline's webhook server: Shopify, WooCommerce,
// Magento / Adobe Commerce and referral webhooks in, commissions posted to
// a ledger, every authentic delivery kept in an inbox first.
//
//	go run ./examples/webhookd -config examples/webhookd/webhookd.example.json
//
// It serves the webhooks on "listen" and, on "admin" (keep it private),
// the operator's endpoints (package webhook's Admin), GET /balances, and
// /healthz and /readyz (on both). The ledger is the in-memory default: on
// start the server replays the inbox into it, so with a file inbox
// ("inbox": a path) a restart — even after SIGKILL — rebuilds what every
// acknowledged delivery posted. SIGHUP reloads the genealogy, catalog and
// plan from "data" and re-drives every held delivery; SIGINT and SIGTERM
// stop taking requests, finish those under way, and close the inbox.
//
// Configuration comes from the JSON file -config names (or
// WEBHOOKD_CONFIG), and then from the environment, which wins:
//
//	WEBHOOKD_LISTEN, WEBHOOKD_ADMIN, WEBHOOKD_INBOX, WEBHOOKD_DATA
//	WEBHOOKD_SHOPIFY       store=secret[,store=secret...]
//	WEBHOOKD_WOOCOMMERCE   store=secret[,...] (the shop's currency: USD unless the file says)
//	WEBHOOKD_MAGENTO       store=public-key.pem[,...]
//
// The server itself is examples/internal/webhookd; examples/postgres/webhookd
// runs it with the ledger and the inbox on PostgreSQL.
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/examples/internal/webhookd"
	"github.com/uplinehq/upline/ledger"
)

func main() {
	path := flag.String("config", os.Getenv("WEBHOOKD_CONFIG"), "JSON configuration file")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(*path, log); err != nil {
		log.Error("webhookd stopped", "err", err)
		os.Exit(1)
	}
}

func run(path string, log *slog.Logger) error {
	cfg, err := webhookd.LoadConfig(path)
	if err != nil {
		return err
	}
	var inbox webhook.Inbox = webhook.NewMemory()
	if cfg.Inbox != "" {
		f, err := webhook.OpenFile(cfg.Inbox)
		if err != nil {
			return err
		}
		defer f.Close()
		inbox = f
	}
	return webhookd.Run(cfg, webhookd.Backend{Ledger: ledger.NewMemory(), Inbox: inbox, Replay: true}, log)
}
