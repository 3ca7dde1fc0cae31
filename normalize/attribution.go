package normalize

import "strings"

// DefaultRefKeys returns the attribute names decoders read a distributor
// reference from when the caller names none, most specific first: stores
// and referral apps use all of them. Each decoder's options take a list of
// its own instead.
func DefaultRefKeys() []string {
	return []string{"distributor_ref", "distributor", "referrer", "ref"}
}

// Attr is one name/value pair a store attached to an order: a Shopify note
// attribute or landing-page query parameter, a WooCommerce meta_data entry,
// a Magento extension attribute.
type Attr struct {
	Name  string
	Value string
}

// FindRef returns the value of the attribute whose name is the earliest of
// keys, comparing names without regard to case or surrounding space and
// skipping empty values; among attributes of the same name the first wins.
// It returns "" when none matches.
func FindRef(keys []string, attrs []Attr) string {
	for _, k := range keys {
		k = strings.TrimSpace(k)
		for _, a := range attrs {
			if v := strings.TrimSpace(a.Value); v != "" && strings.EqualFold(strings.TrimSpace(a.Name), k) {
				return v
			}
		}
	}
	return ""
}
