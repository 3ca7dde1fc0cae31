// Package webhookd is the webhook server's program, over whichever ledger
// store and inbox its command gives it: examples/webhookd runs it on the
// in-memory ledger and a file (or memory) inbox, examples/postgres/webhookd
// on PostgreSQL for both. Its configuration is the same for both.
package webhookd

import (
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

// Config is the server's configuration file.
type Config struct {
	Listen string `json:"listen"` // webhooks; default ":8080"
	Admin  string `json:"admin"`  // operators; default "127.0.0.1:8081"
	// Inbox is the file inbox's path; empty keeps the inbox in memory
	// (lost with the process).
	Inbox string `json:"inbox"`
	// Data is the folder of genealogy.csv, catalog.json and plan.json.
	Data    string `json:"data"`
	MaxBody int64  `json:"max_body"`
	// RetryEvery is how often deliveries held for a store failure are
	// re-driven; default "30s".
	RetryEvery string `json:"retry_every"`

	Shopify     []Store   `json:"shopify"`
	WooCommerce []Store   `json:"woocommerce"`
	Magento     []Store   `json:"magento"`
	Referral    *Referral `json:"referral"`
}

// Store is one shop and what verifies its webhooks.
type Store struct {
	Store    string `json:"store"`
	Secret   string `json:"secret"`          // Shopify, WooCommerce
	Currency string `json:"currency"`        // WooCommerce: the shop's currency
	KeyFile  string `json:"public_key_file"` // Magento: the PEM public key
}

// Referral enables POST /referral for requests carrying the token.
type Referral struct {
	Store    string `json:"store"`
	Currency string `json:"currency"`
	// Token is required as "Authorization: Bearer <token>": the referral
	// webhook has no signature of its own.
	Token string `json:"token"`
}

// LoadConfig reads the JSON configuration file at path (none when path is
// empty), then the environment, which wins (see examples/webhookd).
func LoadConfig(path string) (Config, error) {
	c := Config{Listen: ":8080", Admin: "127.0.0.1:8081", Data: "examples/quickstart/data", RetryEvery: "30s"}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, err
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return c, fmt.Errorf("%s: %w", path, err)
		}
	}
	for env, dst := range map[string]*string{"WEBHOOKD_LISTEN": &c.Listen, "WEBHOOKD_ADMIN": &c.Admin, "WEBHOOKD_INBOX": &c.Inbox, "WEBHOOKD_DATA": &c.Data} {
		if v, ok := os.LookupEnv(env); ok {
			*dst = v
		}
	}
	for env, dst := range map[string]*[]Store{"WEBHOOKD_SHOPIFY": &c.Shopify, "WEBHOOKD_WOOCOMMERCE": &c.WooCommerce, "WEBHOOKD_MAGENTO": &c.Magento} {
		v := os.Getenv(env)
		if v == "" {
			continue
		}
		*dst = nil
		for _, pair := range strings.Split(v, ",") {
			store, secret, ok := strings.Cut(pair, "=")
			if !ok {
				return c, fmt.Errorf("%s: %q is not store=secret", env, pair)
			}
			s := Store{Store: store, Secret: secret, Currency: "USD"}
			if env == "WEBHOOKD_MAGENTO" {
				s = Store{Store: store, KeyFile: secret}
			}
			*dst = append(*dst, s)
		}
	}
	return c, nil
}

// Sources returns the ingest sources c configures.
func (c *Config) Sources() ([]ingest.Source, error) {
	var out []ingest.Source
	for _, s := range c.Shopify {
		out = append(out, ingest.Shopify{Decoder: shopify.Decoder{Store: s.Store}, Secret: s.Secret})
	}
	for _, s := range c.WooCommerce {
		out = append(out, ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: s.Store, ShopCurrency: s.Currency}, Secret: s.Secret})
	}
	for _, s := range c.Magento {
		key, err := publicKey(s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("magento %s: %w", s.Store, err)
		}
		out = append(out, ingest.Magento{Decoder: magento.Decoder{Store: s.Store}, PublicKey: key})
	}
	if r := c.Referral; r != nil {
		if r.Token == "" {
			return nil, errors.New("referral: a token is required")
		}
		out = append(out, ingest.Referral{Decoder: referral.Decoder{Store: r.Store, Currency: r.Currency}, Trusted: true})
	}
	return out, nil
}

func publicKey(path string) (*rsa.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA public key")
	}
	return rk, nil
}

// Engine loads the genealogy, catalog and plan from dir.
func Engine(dir string) (*commission.Engine, error) {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	g, err := read("genealogy.csv")
	if err != nil {
		return nil, err
	}
	tree, err := hierarchy.LoadCSV(g)
	if err != nil {
		return nil, err
	}
	cb, err := read("catalog.json")
	if err != nil {
		return nil, err
	}
	cat, err := sku.LoadJSON(cb)
	if err != nil {
		return nil, err
	}
	pb, err := read("plan.json")
	if err != nil {
		return nil, err
	}
	plan, err := commission.LoadPlan(pb)
	if err != nil {
		return nil, err
	}
	return commission.New(cat, tree, plan)
}

// Backend is where the server keeps its ledger and its inbox.
type Backend struct {
	Ledger ledger.Store
	Inbox  webhook.Inbox
	// Replay rebuilds the ledger from the inbox before the server reports
	// ready: for a ledger in memory, which died with the last process.
	Replay bool
}

// Run serves cfg over b until SIGINT or SIGTERM, then finishes the
// deliveries under way and returns.
func Run(cfg Config, b Backend, log *slog.Logger) error {
	sources, err := cfg.Sources()
	if err != nil {
		return err
	}
	e, err := Engine(cfg.Data)
	if err != nil {
		return err
	}
	retry, err := time.ParseDuration(cfg.RetryEvery)
	if err != nil {
		return fmt.Errorf("retry_every: %w", err)
	}
	store := b.Ledger
	h := webhook.New(ingest.New(ledger.New(store, e), sources...), b.Inbox, webhook.Options{MaxBody: cfg.MaxBody, Logger: log})

	var ready atomic.Bool
	health := func(mux *http.ServeMux) {
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
			if !ready.Load() {
				http.Error(w, "not ready", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ready")
		})
	}
	public := http.NewServeMux()
	health(public)
	public.Handle("/", referralAuth(cfg.Referral, h))
	admin := http.NewServeMux()
	health(admin)
	admin.Handle("/held", h.Admin())
	admin.Handle("/held/", h.Admin())
	admin.HandleFunc("GET /balances", func(w http.ResponseWriter, r *http.Request) {
		bs, err := ledger.New(store, nil).Balances(r.Context(), time.Now().AddDate(100, 0, 0))
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		out := map[string]string{}
		for _, b := range bs {
			out[b.Member+" "+b.Currency] = b.Amount.String()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})

	pubL, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	admL, err := net.Listen("tcp", cfg.Admin)
	if err != nil {
		return err
	}
	pubSrv := &http.Server{Handler: public, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	admSrv := &http.Server{Handler: admin, ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, 2)
	go func() { errs <- pubSrv.Serve(pubL) }()
	go func() { errs <- admSrv.Serve(admL) }()
	log.Info("webhookd listening", "listen", pubL.Addr().String(), "admin", admL.Addr().String(), "inbox", cfg.Inbox)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n := 0
	if b.Replay {
		// The ledger lives in memory: rebuild it from the inbox before
		// taking deliveries as ready.
		if n, err = h.Replay(ctx); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	ready.Store(true)
	log.Info("webhookd ready", "replayed", n)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	tick := time.NewTicker(retry)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			ready.Store(false)
			log.Info("webhookd stopping: finishing deliveries under way")
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := errors.Join(pubSrv.Shutdown(sctx), admSrv.Shutdown(sctx))
			log.Info("webhookd stopped")
			return err
		case err := <-errs:
			return err
		case <-hup:
			e, err := Engine(cfg.Data)
			if err != nil {
				log.Error("reload: keeping the running data", "err", err)
				continue
			}
			h.SetService(ingest.New(ledger.New(store, e), sources...))
			recs, err := h.RedriveHeld(ctx, "")
			log.Info("reloaded", "redriven", len(recs), "err", err)
		case <-tick.C:
			if _, err := h.RedriveHeld(ctx, webhook.ReasonStore); err != nil {
				log.Error("re-drive of store failures", "err", err)
			}
		}
	}
}

// referralAuth lets /referral through only with the configured token.
func referralAuth(r *Referral, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/referral" && (r == nil ||
			subtle.ConstantTimeCompare([]byte(req.Header.Get("Authorization")), []byte("Bearer "+r.Token)) != 1) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, req)
	})
}
