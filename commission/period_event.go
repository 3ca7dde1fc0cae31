package commission

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/hierarchy"
)

// AppendJSON appends the award's JSON form: snake_case fields id, plan,
// period, rule, beneficiary, source (omitted when none), kind, level,
// paid_level, basis, rate, amount (strings; amount with the currency's
// minor digits), currency, effective, corrects (omitted for an award),
// figures (omitted when none) and calc_snapshot, the beneficiary's
// MemberReport.
func (a *Award) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, a.ID.String()...)
	b = append(b, `","plan":`...)
	b = appendString(b, a.Plan)
	b = append(b, `,"period":`...)
	b = appendString(b, a.Period)
	b = append(b, `,"rule":`...)
	b = appendString(b, a.Rule)
	b = append(b, `,"beneficiary":`...)
	b = appendString(b, a.Beneficiary)
	if a.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, a.Source)
	}
	b = append(b, `,"kind":`...)
	b = appendString(b, a.Kind.String())
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(a.Level), 10)
	b = append(b, `,"paid_level":`...)
	b = strconv.AppendInt(b, int64(a.PaidLevel), 10)
	b = append(b, `,"basis":`...)
	b = appendString(b, a.Basis().String())
	b = append(b, `,"rate":`...)
	b = appendString(b, a.Rate().String())
	b = append(b, `,"amount":`...)
	b = appendString(b, a.Amount().StringFixed(int32(a.digits)))
	b = append(b, `,"currency":`...)
	b = appendString(b, a.Currency)
	b = append(b, `,"effective":`...)
	b = appendTime(b, a.Effective)
	if a.Corrects != (ulid.ULID{}) {
		b = append(b, `,"corrects":"`...)
		b = append(b, a.Corrects.String()...)
		b = append(b, '"')
	}
	if len(a.Figures) > 0 {
		b = append(b, `,"figures":[`...)
		for i, f := range a.Figures {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, f.Name)
			b = append(b, `,"value":`...)
			b = appendString(b, f.Value.String())
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r := a.Snapshot(); r != nil {
		b = append(b, `,"calc_snapshot":`...)
		js, _ := r.MarshalJSON()
		b = append(b, js...)
	}
	return append(b, '}')
}

// MarshalJSON writes the award's JSON form; see AppendJSON.
func (a Award) MarshalJSON() ([]byte, error) { return a.AppendJSON(nil), nil }

// MarshalAwards writes awards as JSON lines, one award per line.
func MarshalAwards(awards []Award) []byte { return jsonLines(awards) }

type wireReport struct {
	Plan struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	} `json:"plan"`
	Period struct {
		ID   string    `json:"id"`
		From time.Time `json:"from"`
		To   time.Time `json:"to"`
	} `json:"period"`
	Known   time.Time `json:"known"`
	Member  string    `json:"member"`
	Volumes struct {
		PV       string `json:"pv"`
		QV       string `json:"qv"`
		CV       string `json:"cv"`
		Own      string `json:"own"`
		GV       string `json:"gv"`
		OGV      string `json:"ogv"`
		Enrolled int    `json:"enrolled"`
		Active   bool   `json:"active"`
	} `json:"volumes"`
	Ranks    wireRanks `json:"ranks"`
	Previous wireRanks `json:"previous"`
	RankName string    `json:"rank_name,omitempty"`
	Legs     []wireLeg `json:"legs"`
	Trace    []wireTry `json:"trace"`
	Next     *wireTry  `json:"next,omitempty"`
}

type wireRanks struct {
	PaidAs  uint16 `json:"paid_as"`
	Highest uint16 `json:"highest"`
}

type wireLeg struct {
	Member  string `json:"member,omitempty"`
	Volume  string `json:"volume"`
	Counted string `json:"counted"`
	Rank    uint16 `json:"rank"`
}

type wireTry struct {
	Rank   uint16          `json:"rank"`
	Name   string          `json:"name,omitempty"`
	Met    bool            `json:"met"`
	Failed []wireShortfall `json:"failed,omitempty"`
}

type wireShortfall struct {
	Requirement string    `json:"requirement"`
	Have        string    `json:"have"`
	Need        string    `json:"need"`
	Rank        uint16    `json:"rank,omitempty"`
	Capped      []wireLeg `json:"capped,omitempty"`
}

func legsJSON(ls []LegReport) []wireLeg {
	out := make([]wireLeg, len(ls))
	for i, l := range ls {
		out[i] = wireLeg{Member: l.Member, Volume: l.Volume.String(), Counted: l.Counted.String(), Rank: uint16(l.Rank)}
	}
	return out
}

func tryJSON(t *RankTry) wireTry {
	w := wireTry{Rank: uint16(t.Rank), Name: t.Name, Met: t.Met}
	for _, f := range t.Failed {
		w.Failed = append(w.Failed, wireShortfall{Requirement: f.Requirement, Have: f.Have.String(), Need: f.Need.String(), Rank: uint16(f.Rank), Capped: legsJSON(f.Capped)})
	}
	return w
}

// MarshalJSON writes the report: the calc_snapshot of the member's
// awards. The bytes are computed once.
func (r *MemberReport) MarshalJSON() ([]byte, error) {
	r.once.Do(func() {
		var w wireReport
		w.Plan.ID, w.Plan.Version = r.PlanID, r.PlanVersion
		w.Period.ID, w.Period.From, w.Period.To = r.Period.ID, r.Period.From.UTC(), r.Period.To.UTC()
		w.Known, w.Member = r.Known.UTC(), r.Member
		v := &w.Volumes
		v.PV, v.QV, v.CV, v.Own, v.GV, v.OGV = r.Volumes.PV.String(), r.Volumes.QV.String(), r.Volumes.CV.String(),
			r.Volumes.Own.String(), r.Volumes.GV.String(), r.Volumes.OGV.String()
		v.Enrolled, v.Active = r.Volumes.Enrolled, r.Volumes.Active
		w.Ranks = wireRanks{uint16(r.Ranks.PaidAs), uint16(r.Ranks.Highest)}
		w.Previous = wireRanks{uint16(r.Previous.PaidAs), uint16(r.Previous.Highest)}
		w.RankName = r.RankName
		w.Legs = legsJSON(r.Legs)
		w.Trace = make([]wireTry, len(r.Trace))
		for i := range r.Trace {
			w.Trace[i] = tryJSON(&r.Trace[i])
		}
		if r.Next != nil {
			t := tryJSON(r.Next)
			w.Next = &t
		}
		r.json, r.err = json.Marshal(&w)
	})
	return r.json, r.err
}

type wireAward struct {
	ID          string          `json:"id"`
	Plan        string          `json:"plan"`
	Period      string          `json:"period"`
	Rule        string          `json:"rule"`
	Beneficiary string          `json:"beneficiary"`
	Source      string          `json:"source"`
	Kind        string          `json:"kind"`
	Level       int             `json:"level"`
	PaidLevel   int             `json:"paid_level"`
	Basis       string          `json:"basis"`
	Rate        string          `json:"rate"`
	Amount      string          `json:"amount"`
	Currency    string          `json:"currency"`
	Effective   string          `json:"effective"`
	Corrects    string          `json:"corrects"`
	Figures     []wireFigure    `json:"figures"`
	Snapshot    json.RawMessage `json:"calc_snapshot"`
}

type wireFigure struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// UnmarshalJSON reads the JSON AppendJSON writes, calc_snapshot included,
// for stores that keep awards as JSON. Errors name the field.
func (a *Award) UnmarshalJSON(b []byte) error {
	var w wireAward
	if err := strict(b, &w); err != nil {
		return eventErr("", err.Error())
	}
	out := Award{Plan: w.Plan, Period: w.Period, Rule: w.Rule, Beneficiary: w.Beneficiary, Source: w.Source,
		Level: w.Level, PaidLevel: w.PaidLevel}
	var err error
	if out.ID, err = ulid.ParseStrict(w.ID); err != nil {
		return eventErr("id", err.Error())
	}
	if out.Kind, err = parseKind(w.Kind); err != nil {
		return err
	}
	digits, err := currencyDigits(w.Currency)
	if err != nil {
		return err
	}
	out.Currency, out.digits = w.Currency, int8(digits)
	var ok bool
	basis, err := readFixed(w.Basis, "basis")
	if err != nil {
		return err
	}
	out.basisV, out.basisScale = basis.v, basis.scale
	r, err := readFixed(w.Rate, "rate")
	if err != nil {
		return err
	}
	if out.rate, ok = rescale(r, rateDigits); !ok || r.v < 0 {
		return eventErr("rate", "want at most 9 decimal places, not negative")
	}
	amt, err := readFixed(w.Amount, "amount")
	if err != nil {
		return err
	}
	if out.amount, ok = rescale(amt, digits); !ok || int32(amt.scale) != digits {
		return eventErr("amount", "want exactly the currency's "+itoa(int(digits))+" decimal places")
	}
	if out.Effective, err = time.Parse(time.RFC3339Nano, w.Effective); err != nil {
		return eventErr("effective", err.Error())
	}
	out.Effective = out.Effective.UTC()
	if w.Corrects != "" {
		if out.Corrects, err = ulid.ParseStrict(w.Corrects); err != nil {
			return eventErr("corrects", err.Error())
		}
	}
	for i, f := range w.Figures {
		v, err := decimal.NewFromString(f.Value)
		if err != nil {
			return eventErr("figures["+itoa(i)+"].value", err.Error())
		}
		out.Figures = append(out.Figures, Figure{Name: f.Name, Value: v})
	}
	if len(w.Snapshot) > 0 {
		rep := &MemberReport{}
		if err := rep.UnmarshalJSON(w.Snapshot); err != nil {
			return err
		}
		out = out.WithSnapshot(rep)
	}
	*a = out
	return nil
}

// UnmarshalJSON reads the JSON MarshalJSON writes.
func (r *MemberReport) UnmarshalJSON(b []byte) error {
	var w wireReport
	if err := strict(b, &w); err != nil {
		return eventErr("calc_snapshot", err.Error())
	}
	var err error
	dec := func(s, path string) decimal.Decimal {
		d, derr := decimal.NewFromString(s)
		if derr != nil && err == nil {
			err = eventErr("calc_snapshot."+path, derr.Error())
		}
		return d
	}
	legs := func(ws []wireLeg, path string) []LegReport {
		var out []LegReport
		for _, l := range ws {
			out = append(out, LegReport{Member: l.Member, Volume: dec(l.Volume, path), Counted: dec(l.Counted, path), Rank: hierarchy.Rank(l.Rank)})
		}
		return out
	}
	try := func(t *wireTry) RankTry {
		out := RankTry{Rank: hierarchy.Rank(t.Rank), Name: t.Name, Met: t.Met}
		for _, f := range t.Failed {
			out.Failed = append(out.Failed, Shortfall{Requirement: f.Requirement, Have: dec(f.Have, "trace"), Need: dec(f.Need, "trace"),
				Rank: hierarchy.Rank(f.Rank), Capped: legs(f.Capped, "trace")})
		}
		return out
	}
	out := MemberReport{PlanID: w.Plan.ID, PlanVersion: w.Plan.Version, Period: Period{ID: w.Period.ID, From: w.Period.From, To: w.Period.To},
		Known: w.Known, Member: w.Member, RankName: w.RankName,
		Ranks:    hierarchy.Ranks{PaidAs: hierarchy.Rank(w.Ranks.PaidAs), Highest: hierarchy.Rank(w.Ranks.Highest)},
		Previous: hierarchy.Ranks{PaidAs: hierarchy.Rank(w.Previous.PaidAs), Highest: hierarchy.Rank(w.Previous.Highest)}}
	v := &w.Volumes
	out.Volumes = Volumes{PV: dec(v.PV, "volumes.pv"), QV: dec(v.QV, "volumes.qv"), CV: dec(v.CV, "volumes.cv"), Own: dec(v.Own, "volumes.own"),
		GV: dec(v.GV, "volumes.gv"), OGV: dec(v.OGV, "volumes.ogv"), Enrolled: v.Enrolled, Active: v.Active}
	out.Legs = legs(w.Legs, "legs")
	for i := range w.Trace {
		out.Trace = append(out.Trace, try(&w.Trace[i]))
	}
	if w.Next != nil {
		t := try(w.Next)
		out.Next = &t
	}
	if err != nil {
		return err
	}
	r.PlanID, r.PlanVersion, r.Period, r.Known, r.Member = out.PlanID, out.PlanVersion, out.Period, out.Known, out.Member
	r.Volumes, r.Ranks, r.Previous, r.RankName, r.Legs, r.Trace, r.Next = out.Volumes, out.Ranks, out.Previous, out.RankName, out.Legs, out.Trace, out.Next
	return nil
}
