package commission

// periodBuiltin are the built-in period rule types of a plan's
// "period"."rules", one line each: the type's name, its reader and the
// fields its JSON object accepts besides "type" and "name". Each rule's
// reader and ApplyPeriod live in a file of its own (period_<type>.go).
var periodBuiltin = map[string]periodRuleType{
	"unilevel_volume": {readPeriodUnilevel, []string{"basis", "rates", "rates_by_rank", "qualify", "compression", "active_volume_only"}},
	"differential":    {readPeriodDifferential, []string{"basis", "rates_by_rank", "qualify", "include_self", "breakaway"}},
	"matching":        {readPeriodMatching, []string{"rates", "rates_by_rank", "qualify", "compression"}},
	"pool":            {readPeriodPool, []string{"basis", "share", "shares_by_rank", "qualify"}},
	"binary":          {readPeriodBinary, []string{"basis", "rates_by_rank", "cycle", "cap_by_rank", "max_carry", "qualify", "unqualified"}},
}
