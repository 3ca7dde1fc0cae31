package commission

// periodBuiltin are the built-in period rule types of a plan's
// "period"."rules", one line each: the type's name, its reader and the
// fields its JSON object accepts besides "type" and "name". Each rule's
// reader and ApplyPeriod live in a file of its own (period_<type>.go).
var periodBuiltin = map[string]periodRuleType{}
