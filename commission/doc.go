// Package commission applies a compensation plan to canonical orders and
// returns immutable, self-explaining commission events — and, when an order
// is edited, refunded or cancelled, exactly the corrections to post.
//
// Load a plan with LoadPlan, build an Engine with New over a sku.Catalog and
// a hierarchy.Genealogy, and start with Engine.Calculate:
//
//	plan, err := commission.LoadPlan(planJSON)
//	engine, err := commission.New(catalog, genealogy, plan)
//	calc, err := engine.Calculate(&order, commission.Lock{Known: recordedUpTo})
//	// post calc.Events; keep calc.Lock (it is also in every event's calc_snapshot)
//
// Later revisions of the same order (an edit, a refund, a cancellation) are
// calculated with the same lock, and Revise turns what was posted and what
// is desired now into what to post. It needs the newest revision already
// posted for the order (a revision that changed nothing posts no event, so
// only the caller can know it) and refuses an older one with ErrStale:
//
//	lock, _ := commission.LockFrom(posted)
//	again, err := engine.Calculate(&revised, lock)
//	corr, err := commission.Revise(posted, again.Events, revised.Version, newestPosted)
//	if errors.Is(err, commission.ErrStale) { /* a newer revision decided */ }
//	post(corr); newestPosted = revised.Version
//
// Corrections is the same without the newest revision, for callers that
// check staleness themselves, as the ledger does.
//
// To calculate many orders in a row, Engine.CalculateInto reuses one
// Calculation's memory (Calculate allocates ~10 KB for ~30 events, and
// costs about three times as much), and Engine.CalculateEach runs a
// batch that way while it reads the next orders' genealogy ahead, so that
// on a genealogy larger than the processor's caches their memory reads
// happen while the orders before them compute: the fastest way through a
// batch on one core.
//
// Everything is deterministic: no clock, no randomness, no I/O. The same
// order, genealogy knowledge, catalog and plan give byte-identical events.
//
// # Who an order is credited to
//
// customer_ref is looked up as a member id, distributor_ref first as a
// referral code (Snapshot.Resolve) and then as a member id (Snapshot.Lookup),
// all in the genealogy at the order's OrderTS:
//
//   - a customer who is a retail customer: the order is credited to its
//     sponsor, the distributor who owns it, who also earns retail profit;
//   - a customer who is a distributor: the order is a personal purchase,
//     credited to the customer;
//   - otherwise the distributor distributor_ref names.
//
// No credited distributor (or a distributor_ref naming a retail customer)
// fails with ErrUnattributed naming the order, so it is held, never silently
// dropped — unless the order earns nothing anyway (pending, cancelled,
// voided or refunded: only paid value earns): then Calculate returns an
// empty Calculation, so a cancelled order nobody can be credited with is
// not reported as held, and a revision that cancels an order reverses what
// it paid. Levels count from the credited distributor: level 1 is its
// sponsor, level 2 its sponsor's sponsor. The credited distributor itself is
// level 0 and earns only retail profit.
//
// # Plans
//
// A plan is data. Its JSON form:
//
//	{"id": "acme-unilevel", "version": 3, "effective_from": "2025-01-01T00:00:00Z",
//	 "currency_rounding": "half_up",
//	 "max_payout_share": "0.45",
//	 "ranks": {"1": "Associate", "2": "Director"},
//	 "rules": [
//	   {"type": "unilevel", "name": "unilevel", "basis": "cv",
//	    "rates": {"*": ["0.10", "0.05", "0.05"], "starter_kit": ["0.20", "0.05"]},
//	    "rates_by_rank": {"2": {"*": ["0.10", "0.06", "0.06", "0.04"]}},
//	    "depth_by_rank": {"0": 1, "1": 3, "2": 10},
//	    "qualify": {"statuses": ["active"], "min_rank": 1},
//	    "compression": true, "unpaid": "breakage"},
//	   {"type": "rank_differential", "name": "override", "basis": "net",
//	    "rates_by_rank": {"2": "0.02", "3": "0.04"}, "qualify": {"statuses": ["active"]}},
//	   {"type": "retail_profit", "name": "retail", "basis": "net", "rates": {"*": "0.20"}},
//	   {"type": "fast_start", "name": "fast_start", "basis": "net", "days": 30,
//	    "rates": ["0.25", "0.05"]}]}
//
// id, version (1 or more), effective_from and rules are required. An engine
// holds the versions of one plan; an order is calculated with the latest
// version whose effective_from is at or before its OrderTS. currency_rounding
// is "half_up" (the default) or "half_even". ranks only names ranks for
// people.
//
// max_payout_share caps what one order pays in total, as a share of its
// commissionable net: a decimal string above 0 and at most 1. A plan that
// names none is capped at "1": an order never pays out more than its own
// net. That default is the one cap no correct order-time plan exceeds, so
// it changes no correct payout, while it bounds the mistakes that pay many
// times an order (percentages written as whole numbers, a misplaced
// decimal point); a lower cap is a business decision only the plan's
// author can make, and Lint shows when the default is what bounds a plan.
// "none" says the plan has no cap per order, deliberately (a plan capped
// at period close, say).
//
// Rates are decimal strings from 0 to 1 (100% of the basis) with at most 9
// places. A rate written as a JSON number is refused with the string to
// write instead — [10, 5, 2] is far more often 10%, 5%, 2% than ten times
// the basis, and only its author knows which. A rule whose rates must
// exceed 1 (a rate per point of volume, say) says so with
// "allow_rates_above_one": true, and may then go up to 1000. Tables keyed by rank
// ("rates_by_rank", "depth_by_rank") give a member the entry of the highest
// rank at or below its paid-as rank; none means rate 0 or depth 0. Tables
// keyed by commission class give a line the entry of its class, else "*",
// else nothing. Every rule has a "basis": "net" (the line's commissionable
// net after refunds, sku.Mapped.Net) or a volume "pv", "qv", "cv" (counted
// as currency units), and an optional "qualify": statuses (default
// ["active"]) and min_rank (paid-as rank, default 0), at the order's
// OrderTS. Unknown fields, keys given twice, keys that differ from a
// field only in case and text that is not valid UTF-8 are refused; errors
// name the JSON path, such as rules[1].rates.*[2]. A key within an edit or
// two of a field its object accepts (the rule's type decides which) is
// named as a misspelling of it, also when that field is required:
// rules[0].rate: unknown field; did you mean "rates"?
//
// Lint(plan) reports a plan's worst case on one order — every level paid
// at its highest rate over the ranks that reach it, every rule stacked, on
// a line of the class that pays most — beside its cap, with the
// arithmetic (LintReport.String), so a designer sees when the cap, not the
// rates, decides what an order pays.
//
// # Rules
//
// unilevel pays rates[class][p-1] to the member paid as paid level p. A member
// qualifies for paid level p when it passes qualify and p is within its
// depth_by_rank (no table: any depth). With compression, the walk goes up the
// chain and each qualifying member takes the next paid level; the others are
// skipped and consume none; paid levels left when the chain ends are
// breakage. Without compression the paid level is the tree level; a level
// whose member does not qualify is breakage ("unpaid": "breakage", the
// default) or, with "unpaid": "rollup", goes to the next qualifying member
// above (qualifying for that level) as an extra event with its own slot:
// level = the unpaid level, paid_level = the receiver's tree level, rate = the
// receiver's rate for the unpaid level. Rollup needs compression off. A
// member's rate table is rates_by_rank's entry for its rank, else rates.
//
// rank_differential walks up from level 1; a qualifying member whose rank's
// rate exceeds the highest rate already paid below it earns the difference
// (the event's rate), and paid_level counts the members paid. It stops at the
// top rate. With "include_self": true it starts at level 0: the credited
// distributor, when it qualifies, earns its own rank's rate on its own order
// (level 0, paid level 0) and the uplines only what exceeds it, as Amway's
// performance bonus pays on one's own volume. With "start_level": N (1 to
// 1000; default 1) it pays no one below level N, and "below_start" says
// what those members do, required with N above 1: "deduct" — a qualifying
// member's rate still counts as paid, so the members from level N up earn
// only what exceeds it (another rule pays the levels below, as Be
// Infinity's unilevel differential from level 2 leaves level 1 to a direct
// sales bonus) — or "ignore" — they are passed over as if absent (as
// Purium's infinity bonus, past level 8, is not stopped by a Green Diamond
// closer than that). include_self and a start_level above 1 exclude each
// other.
//
// retail_profit pays the credited distributor rates[class] on an order
// placed by its retail customer (level 0, paid level 0), when it qualifies.
//
// fast_start pays rates[L-1] to the member at level L (no compression; an
// unqualified level is breakage) when the credited distributor's enrollment
// took effect less than days × 24 h before the order's OrderTS, as the
// genealogy was known at the lock. Instead of rates, "rates_by_rank" gives
// each rank its own list, {"1": ["0.15", "0.03"], "2": ["0.30", "0.05"]}:
// the member at level L earns entry L of its own paid-as rank's list (as
// Unicity pays a Jr. Manager enroller 15% and a Manager 30%); a rank with
// no list, or a shorter one, earns nothing there and is no breakage, and
// past the top of the chain there is no rank, so no breakage either. A
// rule has rates or rates_by_rank, not both.
//
// Non-commissionable lines never earn. Kit lines earn per component, by the
// component's class; the component's SKU id is part of the slot.
//
// # Money
//
// Each event's amount is basis × rate computed exactly (in integer fixed
// point: rates in 10^-9, bases in up to 18 significant digits) and rounded
// once, to the currency's minor unit, with the plan's rounding. An amount that
// rounds to zero makes no event. The cap is max_payout_share × Σ line net,
// rounded down to the minor unit; when an order's events exceed it, each is
// scaled down with normalize.Allocate (weights = the amounts, in event
// order, largest remainder, ties to the earlier event) so that they sum to
// the cap exactly; events scaled to zero are dropped. A capped calculation
// explains itself: each of its events records uncapped_amount (basis ×
// rate, rounded: what it would have paid; Event.Uncapped), and its
// calc_snapshot records "cap": the plan's share, the order's basis for the
// cap (Σ line net), the cap amount and the uncapped total
// (CalcSnapshot.Cap). Corrections carry no uncapped_amount. A cap
// re-applied after a partial refund may move money between slots; every
// slot still ends at exactly what the revision pays.
//
// # Events
//
// An Event's slot is (order key, line id, component, rule, beneficiary,
// level). Commissions have id = ULID(time = OrderTS, entropy = 10 bytes of
// a hash of the slot); corrections add the revision's Version to the hash
// and take its time. The hash is built from MurmurHash3's 64-bit
// finaliser: the order key once per order, each line, rule and
// beneficiary once, then one step per event, exactly as id.go documents;
// ids are deterministic and distinct for distinct slots (but with
// probability about 2^-64 per pair of an order's events).
//
// Events are ordered by line (and component, in the catalog's order), rule
// order in the plan, level, then beneficiary id.
// Their JSON (AppendJSON, MarshalEvents) has snake_case fields: id, order
// {platform, store, order_id}, line_id, component (omitted when none),
// beneficiary, rule, kind ("commission" | "correction"), level, paid_level,
// basis, rate, amount (strings; amount with the currency's minor digits),
// uncapped_amount (only in a capped calculation), currency, effective
// (RFC 3339 UTC), corrects (omitted for commissions) and calc_snapshot: the
// plan id and version, the knowledge instant, the instant read (OrderTS),
// the revision, the credited distributor and retail customer, the upline
// chain as far as the rules read it with statuses and ranks, each line's
// SKU version, and the cap when it bound. The snapshot is shared by the events of
// a calculation and encoded once.
//
// # Lifecycle and locking
//
// The first calculation fixes the Lock — the genealogy's knowledge instant,
// plan id and version — and every later revision must pass the same Lock, so
// later genealogy corrections and plan versions never change what an order
// already paid unless an operator deliberately recalculates. hierarchy.Snapshot
// does not report its knowledge instant, so the caller supplies it (the
// recording instant up to which its genealogy is loaded).
//
// # Custom rules
//
// A Rule has a Name and an Apply(*Context) error; it reads the order, lines,
// credited distributor and upline through the Context and pays with
// Context.Pay, which goes through the same rounding, cap, slots, ids and
// snapshot as the built-in rules; Context.Break reports breakage (what a
// level would have paid a member who does not qualify, or past the top of
// the chain) exactly as they do. Append one to a Plan with Plan.Add, or let a
// plan's JSON use it with LoadPlan(body, WithRuleType("my_bonus", factory)).
// There is no global registry.
package commission
