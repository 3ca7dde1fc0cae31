package shopify

import (
	"net/url"
	"strings"

	"github.com/uplinehq/upline/normalize"
)

// ref finds the distributor reference: note_attributes first (what a
// referral app or the cart wrote on purpose), then the query parameters of
// landing_site (the first page the buyer opened, which a referral link
// names).
func (d Decoder) ref(b *orderBody) string {
	keys := d.RefKeys
	if keys == nil {
		keys = normalize.DefaultRefKeys()
	}
	if len(b.NoteAttributes) > 0 {
		attrs := make([]normalize.Attr, len(b.NoteAttributes))
		for i, a := range b.NoteAttributes {
			attrs[i] = normalize.Attr{Name: a.Name, Value: a.Value}
		}
		if ref := normalize.FindRef(keys, attrs); ref != "" {
			return ref
		}
	}
	return normalize.FindRef(keys, queryAttrs(b.LandingSite))
}

// queryAttrs reads the query parameters of a landing_site, which may be a
// path ("/?ref=ABC"), a full URL, a hash route ("/#/shop?ref=ABC") or
// text no URL parser accepts. Parameters keep their order; one that does
// not unescape is kept as sent rather than dropped.
func queryAttrs(site string) []normalize.Attr {
	_, query, ok := strings.Cut(site, "?")
	if !ok {
		return nil
	}
	query, _, _ = strings.Cut(query, "#")
	var attrs []normalize.Attr
	for part := range strings.SplitSeq(query, "&") {
		name, value, _ := strings.Cut(part, "=")
		name, value = unescape(name), unescape(value)
		if strings.TrimSpace(name) != "" {
			attrs = append(attrs, normalize.Attr{Name: name, Value: value})
		}
	}
	return attrs
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
