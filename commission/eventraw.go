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
	eventraw.AwardOf = func(aw any) eventraw.AwardFields {
		a := aw.(*Award)
		return eventraw.AwardFields{BasisV: a.basisV, Rate: a.rate, Amount: a.amount, BasisScale: a.basisScale, Digits: a.digits}
	}
	eventraw.SetAward = func(aw any, f eventraw.AwardFields) {
		a := aw.(*Award)
		a.basisV, a.rate, a.amount, a.basisScale, a.digits = f.BasisV, f.Rate, f.Amount, f.BasisScale, f.Digits
	}
}
