// Package eventraw lets the ledger's memory store keep a commission event
// in a compact form and make it again, exactly: the event's fixed-point
// fields are unexported, and no exported constructor builds an event from
// them. Package commission sets Of and Set when it is initialised, so any
// package that holds a commission.Event can use them.
package eventraw

// Fields are the unexported fields of a commission.Event: its basis
// (BasisV × 10^-BasisScale), rate (10^-9), amount and uncapped amount
// (in units of 10^-Digits).
type Fields struct {
	BasisV, Rate, Amount, Uncapped int64
	BasisScale, Digits             int8
}

// Of returns the Fields of ev, a *commission.Event; Set sets them.
var (
	Of  func(ev any) Fields
	Set func(ev any, f Fields)
)
