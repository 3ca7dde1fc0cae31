// Package eventraw lets the ledger's memory store keep a commission event
// or period award in a compact form and make it again, exactly: their
// fixed-point fields are unexported, and no exported constructor builds
// one from them. Package commission sets Of, Set, AwardOf and SetAward
// when it is initialised, so any package that holds a commission.Event or
// commission.Award can use them.
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

// AwardFields are the unexported fields of a commission.Award: its basis
// (BasisV × 10^-BasisScale), rate (10^-9) and amount (in units of
// 10^-Digits).
type AwardFields struct {
	BasisV, Rate, Amount int64
	BasisScale, Digits   int8
}

// AwardOf returns the AwardFields of a, a *commission.Award; SetAward
// sets them.
var (
	AwardOf  func(a any) AwardFields
	SetAward func(a any, f AwardFields)
)
