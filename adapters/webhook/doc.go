// Package webhook is upline's HTTP front door: an http.Handler that takes
// Shopify, WooCommerce, Magento / Adobe Commerce and referral webhooks to
// an ingest.Service, and an Inbox that keeps every authentic delivery
// before it is acknowledged, so that none is lost and a held one can be
// delivered again once its cause is mended.
package webhook
