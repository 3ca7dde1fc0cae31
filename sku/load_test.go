package sku_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/sku"
)

const (
	skuHeader = "sku_id,effective_from,name,category,class,non_commissionable,pv,qv,cv,components\n"
	keyHeader = "platform,store,kind,key,effective_from,sku_id\n"
	vitcRow   = "VITC,2025-01-01T00:00:00Z,Vitamin C 90,supplements,consumable,,25,25,20,\n"
	keyRow    = "shopify,acme.myshopify.com,sku,VIT-C-90,,VITC\n"
)

func TestLoadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		skus, keys string
		kind       error
		file       string
		line       int
		column     string
		msg        string
	}{
		{"empty skus file", "", keyHeader, sku.ErrMalformed, "skus.csv", 1, "",
			"sku: load skus.csv line 1: sku: malformed catalog: no header row"},
		{"unknown column", "sku_id,effective_from,class,pv,qv,cv,price\n", keyHeader, sku.ErrMalformed, "skus.csv", 1, "price",
			`sku: load skus.csv line 1 column price: sku: malformed catalog: unknown column "price" (columns are sku_id,effective_from,name,category,class,non_commissionable,pv,qv,cv,components)`},
		{"missing column", "sku_id,effective_from,class,pv,qv\n", keyHeader, sku.ErrMalformed, "skus.csv", 1, "cv",
			`sku: load skus.csv line 1 column cv: sku: malformed catalog: column "cv" is missing`},
		{"column twice", "sku_id,effective_from,class,pv,qv,cv,pv\n", keyHeader, sku.ErrMalformed, "skus.csv", 1, "pv",
			`sku: load skus.csv line 1 column pv: sku: malformed catalog: column "pv" appears twice`},
		{"wrong field count", skuHeader + vitcRow + "GUIDE,2025-01-01T00:00:00Z\n", keyHeader, sku.ErrMalformed, "skus.csv", 3, "",
			"sku: load skus.csv line 3: sku: malformed catalog: wrong number of fields"},
		{"bad quote", skuHeader + vitcRow + "\"GUIDE,2025\n", keyHeader, sku.ErrMalformed, "skus.csv", 3, "",
			`sku: load skus.csv line 3: sku: malformed catalog: extraneous or missing " in quoted-field`},
		{"bad decimal", skuHeader + "VITC,2025-01-01T00:00:00Z,,,consumable,,25,1.2.3,20,\n", keyHeader, sku.ErrInvalid, "skus.csv", 2, "qv",
			`sku: load skus.csv line 2 column qv skus[0].qv: sku: invalid catalog value: qv "1.2.3" is not a decimal number`},
		{"float-looking volume is exact", skuHeader + "VITC,2025-01-01T00:00:00Z,,,consumable,,0.1,0.2,-0.3,\n", keyHeader, sku.ErrInvalid, "skus.csv", 2, "cv",
			`sku: load skus.csv line 2 column cv skus[0].cv: sku: invalid catalog value: cv -0.3 is negative`},
		{"missing volume", skuHeader + "VITC,2025-01-01T00:00:00Z,,,consumable,,,25,20,\n", keyHeader, sku.ErrInvalid, "skus.csv", 2, "pv",
			`sku: load skus.csv line 2 column pv skus[0].pv: sku: invalid catalog value: pv is missing`},
		{"bad time", skuHeader + "VITC,01/02/2025,,,consumable,,25,25,20,\n", keyHeader, sku.ErrInvalid, "skus.csv", 2, "effective_from",
			`sku: load skus.csv line 2 column effective_from skus[0].effective_from: sku: invalid catalog value: effective_from "01/02/2025" is not RFC 3339`},
		{"bad flag", skuHeader + "VITC,2025-01-01T00:00:00Z,,,consumable,yes,25,25,20,\n", keyHeader, sku.ErrInvalid, "skus.csv", 2, "non_commissionable",
			`sku: load skus.csv line 2 column non_commissionable skus[0].non_commissionable: sku: invalid catalog value: non_commissionable "yes" is neither true, false nor empty`},
		{"bad component", skuHeader + vitcRow + "KIT,2025-01-01T00:00:00Z,,,starter_kit,,1,1,1,VITC@1\n", keyHeader, sku.ErrMalformed, "skus.csv", 3, "components",
			`sku: load skus.csv line 3 column components skus[1].components[0]: sku: malformed catalog: component "VITC@1" is not SKU*QTY@SHARE`},
		{"bad component qty", skuHeader + vitcRow + "KIT,2025-01-01T00:00:00Z,,,starter_kit,,1,1,1,VITC*x@1\n", keyHeader, sku.ErrInvalid, "skus.csv", 3, "components",
			`sku: load skus.csv line 3 column components skus[1].components[0].qty: sku: invalid catalog value: component "VITC*x@1" quantity "x" is not a whole number`},
		{"shares not 1, with a quoted multi-line name before", skuHeader + "GUIDE,2025-01-01T00:00:00Z,\"Guide,\"\"v2\"\"\",,starter_kit,,0,0,0,\n" + vitcRow +
			"KIT,2025-01-01T00:00:00Z,,,starter_kit,,1,1,1,VITC*1@0.5;GUIDE*1@0.4\n", keyHeader, sku.ErrInvalid, "skus.csv", 4, "components",
			`sku: load skus.csv line 4 column components skus[2].components: sku: invalid catalog value: kit "KIT" shares sum to 0.9, not 1`},
		{"duplicate version names the later line", skuHeader + vitcRow + vitcRow, keyHeader, sku.ErrDuplicate, "skus.csv", 3, "effective_from",
			`sku: load skus.csv line 3 column effective_from skus[1].effective_from: sku: duplicate catalog record: SKU "VITC" already has a version effective 2025-01-01T00:00:00Z (skus[0])`},
		{"unknown SKU in keys", skuHeader + vitcRow, keyHeader + keyRow + "shopify,acme.myshopify.com,sku,VIT-D,,VITD\n", sku.ErrUnknownSKU, "keys.csv", 3, "sku_id",
			`sku: load keys.csv line 3 column sku_id keys[1].sku_id: sku: unknown SKU: key shopify/acme.myshopify.com/sku:VIT-D names SKU "VITD", which the catalog does not define`},
		{"duplicate binding", skuHeader + vitcRow, keyHeader + keyRow + keyRow, sku.ErrDuplicate, "keys.csv", 3, "effective_from",
			`sku: load keys.csv line 3 column effective_from keys[1].effective_from: sku: duplicate catalog record: key shopify/acme.myshopify.com/sku:VIT-C-90 already has a binding effective always (keys[0])`},
		{"bad binding time", skuHeader + vitcRow, keyHeader + "shopify,acme.myshopify.com,sku,VIT-C-90,soon,VITC\n", sku.ErrInvalid, "keys.csv", 2, "effective_from",
			`sku: load keys.csv line 2 column effective_from keys[0].effective_from: sku: invalid catalog value: effective_from "soon" is not RFC 3339`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := sku.LoadCSV([]byte(tc.skus), []byte(tc.keys))
			if c != nil || err == nil {
				t.Fatal("LoadCSV accepted the files")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not %v", err, tc.kind)
			}
			var le *sku.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *sku.LoadError", err)
			}
			if le.File != tc.file || le.Line != tc.line || le.Column != tc.column {
				t.Errorf("at %s line %d column %q, want %s line %d column %q", le.File, le.Line, le.Column, tc.file, tc.line, tc.column)
			}
			if err.Error() != tc.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tc.msg)
			}
		})
	}
}

func TestLoadCSVLenient(t *testing.T) {
	// A byte-order mark, CRLF line ends, columns in another order and the
	// optional ones left out are all fine.
	skus := "\xef\xbb\xbfclass,cv,qv,pv,effective_from,sku_id\r\nconsumable,20,25,25,2025-01-01 00:00:00,VITC\r\n"
	keys := "sku_id,key,kind,platform\r\nVITC,VIT-C-90,sku,shopify\r\n"
	c, err := sku.LoadCSV([]byte(skus), []byte(keys))
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Lookup(shopifyKey(sku.KindSKU, "VIT-C-90"), ts("2025-02-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "VITC" || !v.CV.Equal(dec("20")) || !v.EffectiveFrom.Equal(ts("2025-01-01T00:00:00Z")) {
		t.Errorf("Lookup = %+v", v)
	}
}

func TestLoadJSONErrors(t *testing.T) {
	const vitc = `{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"consumable","pv":"25","qv":"25","cv":"20"}`
	for _, tc := range []struct {
		name   string
		body   string
		kind   error
		path   string
		offset int64
		msg    string
	}{
		{"not an object", `[]`, sku.ErrMalformed, "", -1,
			"sku: load json: sku: malformed catalog: the catalog is not a JSON object"},
		{"syntax", `{"skus": [` + vitc + `,]}`, sku.ErrMalformed, "", 120,
			"sku: load json at byte 120: sku: malformed catalog: invalid character ']' looking for beginning of value"},
		{"trailing data", `{"skus": []} {}`, sku.ErrMalformed, "", 12,
			"sku: load json at byte 12: sku: malformed catalog: data after the JSON value"},
		{"unknown top-level field", `{"products": []}`, sku.ErrMalformed, "products", 1,
			`sku: load json products at byte 1: sku: malformed catalog: unknown field "products"`},
		{"unknown field in a record", `{"skus": [` + vitc + `, {"sku_id": "X", "price": "1"}]}`, sku.ErrMalformed, "skus[1].price", -1,
			`sku: load json skus[1].price: sku: malformed catalog: unknown field "price"`},
		{"invalid UTF-8", "{\"skus\": [{\"sku_id\": \"VITC\xff\"}]}", sku.ErrMalformed, "skus[0].sku_id", 26,
			"sku: load json skus[0].sku_id at byte 26: sku: malformed catalog: invalid UTF-8 (byte 0xff) in a string"},
		{"duplicate key", `{"skus": [{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":"25","qv":"1","cv":"1","pv":"0.01"}]}`,
			sku.ErrMalformed, "skus[0].pv", 107,
			`sku: load json skus[0].pv at byte 107: sku: malformed catalog: duplicate key "pv"`},
		{"case-variant key", `{"skus": [{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"c","PV":"25","qv":"1","cv":"1"}]}`,
			sku.ErrMalformed, "skus[0].PV", -1,
			`sku: load json skus[0].PV: sku: malformed catalog: key "PV" is not "pv": keys must match exactly, case included`},
		{"wrong type", `{"skus": [{"sku_id": 12}]}`, sku.ErrMalformed, "skus[0].sku_id", -1,
			"sku: load json skus[0].sku_id: sku: malformed catalog: got JSON number, want a string"},
		{"skus not an array", `{"skus": {}}`, sku.ErrMalformed, "skus", 10,
			"sku: load json skus at byte 10: sku: malformed catalog: got JSON object, want an array"},
		{"bool volume", `{"skus": [{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":true,"qv":"1","cv":"1"}]}`, sku.ErrMalformed, "skus[0].pv", -1,
			"sku: load json skus[0].pv: sku: malformed catalog: pv is JSON true, want a number or a numeric string"},
		{"missing volume", `{"skus": [{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":"1","cv":"1"}]}`, sku.ErrInvalid, "skus[0].qv", -1,
			"sku: load json skus[0].qv: sku: invalid catalog value: qv is missing"},
		{"big number stays exact", `{"skus": [{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":9007199254740993,"qv":"1","cv":"1"}]}`, sku.ErrInvalid, "skus[0].pv", -1,
			"sku: load json skus[0].pv: sku: invalid catalog value: pv 9007199254740993 is 10^15 or more"},
		{"fractional qty", `{"skus": [` + vitc + `, {"sku_id":"KIT","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":"1","qv":"1","cv":"1","components":[{"sku_id":"VITC","qty":1.5,"share":"1"}]}]}`,
			sku.ErrInvalid, "skus[1].components[0].qty", -1,
			"sku: load json skus[1].components[0].qty: sku: invalid catalog value: quantity per kit 1.5 is not a whole number from 1 to 1000000"},
		{"shares", `{"skus": [` + vitc + `, {"sku_id":"KIT","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":"1","qv":"1","cv":"1","components":[{"sku_id":"VITC","qty":1,"share":"0.999999999999"}]}]}`,
			sku.ErrInvalid, "skus[1].components", -1,
			`sku: load json skus[1].components: sku: invalid catalog value: kit "KIT" shares sum to 0.999999999999, not 1`},
		{"unknown component", `{"skus": [` + vitc + `, {"sku_id":"KIT","effective_from":"2025-01-01T00:00:00Z","class":"c","pv":"1","qv":"1","cv":"1","components":[{"sku_id":"VITD","qty":1,"share":"1"}]}]}`,
			sku.ErrUnknownSKU, "skus[1].components[0].sku_id", -1,
			`sku: load json skus[1].components[0].sku_id: sku: unknown SKU: kit "KIT" names component "VITD", which the catalog does not define`},
		{"bad key time", `{"skus": [` + vitc + `], "keys": [{"platform":"shopify","kind":"sku","key":"A","sku_id":"VITC","effective_from":"yesterday"}]}`,
			sku.ErrInvalid, "keys[0].effective_from", -1,
			`sku: load json keys[0].effective_from: sku: invalid catalog value: effective_from "yesterday" is not RFC 3339`},
		{"duplicate key", `{"skus": [` + vitc + `], "keys": [{"platform":"shopify","kind":"sku","key":"A","sku_id":"VITC"},{"platform":"shopify","kind":"sku","key":"A","sku_id":"VITC"}]}`,
			sku.ErrDuplicate, "keys[1].effective_from", -1,
			`sku: load json keys[1].effective_from: sku: duplicate catalog record: key shopify/*/sku:A already has a binding effective always (keys[0])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := sku.LoadJSON([]byte(tc.body))
			if c != nil || err == nil {
				t.Fatal("LoadJSON accepted the body")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not %v", err, tc.kind)
			}
			var le *sku.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *sku.LoadError", err)
			}
			if le.File != "json" || le.Path != tc.path || le.Offset != tc.offset {
				t.Errorf("at %s %q offset %d, want json %q offset %d", le.File, le.Path, le.Offset, tc.path, tc.offset)
			}
			if err.Error() != tc.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tc.msg)
			}
		})
	}
}

func TestLoadJSONEmpty(t *testing.T) {
	for _, body := range []string{`{}`, ` {"skus": [], "keys": null} `} {
		c, err := sku.LoadJSON([]byte(body))
		if err != nil {
			t.Fatalf("LoadJSON(%s): %v", body, err)
		}
		if n, k := c.Len(); n != 0 || k != 0 {
			t.Errorf("LoadJSON(%s) holds %d SKUs and %d keys", body, n, k)
		}
		if got := string(c.SaveJSON()); !strings.Contains(got, `"skus": []`) {
			t.Errorf("SaveJSON of an empty catalog = %s", got)
		}
	}
}
