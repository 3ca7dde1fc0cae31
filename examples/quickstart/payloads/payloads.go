// Package payloads holds the webhook bodies the quick start delivers, as
// Shopify, WooCommerce, Magento and the referral webhook send them.
package payloads

import "embed"

// FS holds the bodies, one JSON file each.
//
//go:embed *.json
var FS embed.FS
