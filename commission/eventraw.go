package commission

import "github.com/uplinehq/upline/internal/eventraw"

func init() {
	eventraw.Of = func(ev any) eventraw.Fields {
		e := ev.(*Event)
		return eventraw.Fields{BasisV: e.basisV, Rate: e.rate, Amount: e.amount, Uncapped: e.uncapped,
			BasisScale: e.basisScale, Digits: e.digits}
	}
	eventraw.Set = func(ev any, f eventraw.Fields) {
		e := ev.(*Event)
		e.basisV, e.rate, e.amount, e.uncapped, e.basisScale, e.digits = f.BasisV, f.Rate, f.Amount, f.Uncapped, f.BasisScale, f.Digits
	}
}
