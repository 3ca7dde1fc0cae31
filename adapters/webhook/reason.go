package webhook

import (
	"errors"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Why a delivery is held: Record.Reason, what operators list held
// deliveries by (and a metric's label).
const (
	ReasonUnknownSKU    = "unknown_sku"           // the catalog lacks a line's SKU: add it, re-drive
	ReasonSKUNotInForce = "sku_not_in_force"      // the SKU has no version at the order's instant
	ReasonUnattributed  = "unattributed"          // nobody in the genealogy is credited: add the member, re-drive
	ReasonNoPlan        = "no_plan"               // no plan version in force at the order's instant
	ReasonMalformed     = "malformed"             // the body is not the platform's JSON
	ReasonMissing       = "missing"               // a field the order needs is absent
	ReasonInvalid       = "invalid"               // a value is out of range
	ReasonUnreconciled  = "unreconciled"          // the order's parts do not add up to its total
	ReasonRefundExceeds = "refund_exceeds"        // refunds take back more than was sold
	ReasonUnsupported   = "unsupported"           // a payload the decoder does not read
	ReasonConflict      = "conflict"              // two different bodies with one version
	ReasonReplacement   = "ambiguous_replacement" // an order replaced twice
	ReasonCurrency      = "currency_changed"      // the order changed currency: frozen
	ReasonStore         = "store_failed"          // the ledger's store failed: re-drive when it is back
	ReasonOther         = "other"
)

// reasons maps causes to reasons, most specific first.
var reasons = []struct {
	err    error
	reason string
}{
	{sku.ErrUnknownSKU, ReasonUnknownSKU},
	{sku.ErrNotInForce, ReasonSKUNotInForce},
	{commission.ErrUnattributed, ReasonUnattributed},
	{commission.ErrNoPlan, ReasonNoPlan},
	{ledger.ErrAmbiguousReplacement, ReasonReplacement},
	{ledger.ErrCurrencyChanged, ReasonCurrency},
	{ledger.ErrConflict, ReasonConflict},
	{normalize.ErrRefundExceeds, ReasonRefundExceeds},
	{normalize.ErrMalformed, ReasonMalformed},
	{normalize.ErrMissing, ReasonMissing},
	{normalize.ErrUnreconciled, ReasonUnreconciled},
	{normalize.ErrUnsupported, ReasonUnsupported},
	{normalize.ErrInvalid, ReasonInvalid},
}

// ReasonOf returns the reason a delivery held for err is listed under.
func ReasonOf(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	var conflict *ledger.ConflictError
	if errors.As(err, &conflict) {
		return ReasonConflict
	}
	return ReasonOther
}
