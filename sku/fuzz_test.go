package sku_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/sku"
)

// FuzzLoadCSV: any two files either fail to load with a *LoadError, or
// load into a catalog that saves, reloads equal, and saves to the same
// bytes again.
func FuzzLoadCSV(f *testing.F) {
	f.Add(readFile(f, "testdata/skus.csv"), readFile(f, "testdata/keys.csv"))
	f.Add([]byte(skuHeader+vitcRow), []byte(keyHeader+keyRow))
	f.Add([]byte("class,cv,qv,pv,effective_from,sku_id\r\nconsumable,20,25,25,2025-01-01 00:00:00,VITC\r\n"), []byte("sku_id,key,kind,platform\nVITC,A,sku,shopify\n"))
	f.Add([]byte(skuHeader+vitcRow+"KIT,2025-01-01T00:00:00Z,\"K, \"\"1\"\"\",,c,,1e2,0.5,1,VITC*3@1\n"), []byte(keyHeader))
	f.Fuzz(func(t *testing.T, skus, keys []byte) {
		c, err := sku.LoadCSV(skus, keys)
		if err != nil {
			if _, ok := err.(*sku.LoadError); !ok {
				t.Fatalf("error %T is not a *sku.LoadError: %v", err, err)
			}
			return
		}
		s1, k1 := c.SaveCSV()
		c2, err := sku.LoadCSV(s1, k1)
		if err != nil {
			t.Fatalf("saved catalog does not load: %v\n%s\n%s", err, s1, k1)
		}
		if diff := cmp.Diff(c.Data(), c2.Data(), dataOpts); diff != "" {
			t.Fatalf("reloaded catalog differs (-saved +reloaded):\n%s", diff)
		}
		s2, k2 := c2.SaveCSV()
		if string(s1) != string(s2) || string(k1) != string(k2) {
			t.Fatalf("saving again gives other bytes")
		}
		if j := c.SaveJSON(); string(j) != string(c2.SaveJSON()) {
			t.Fatalf("the two catalogs save to different JSON")
		}
	})
}

// FuzzLoadJSON: any body either fails with a *LoadError or loads into a
// catalog that saves, reloads equal, saves to the same bytes, and agrees
// with its CSV form.
func FuzzLoadJSON(f *testing.F) {
	f.Add(readFile(f, "testdata/catalog.json"))
	f.Add(readFile(f, "testdata/golden/catalog.json"))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"skus":[{"sku_id":"A","effective_from":"2025-01-01T00:00:00+05:30","class":"c","pv":1e-3,"qv":"0","cv":"7.10"}],` +
		`"keys":[{"platform":"magento","kind":"variant","key":"9007199254740993","sku_id":"A","effective_from":"2262-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := sku.LoadJSON(body)
		if err != nil {
			if _, ok := err.(*sku.LoadError); !ok {
				t.Fatalf("error %T is not a *sku.LoadError: %v", err, err)
			}
			return
		}
		j1 := c.SaveJSON()
		c2, err := sku.LoadJSON(j1)
		if err != nil {
			t.Fatalf("saved catalog does not load: %v\n%s", err, j1)
		}
		if diff := cmp.Diff(c.Data(), c2.Data(), dataOpts); diff != "" {
			t.Fatalf("reloaded catalog differs (-saved +reloaded):\n%s", diff)
		}
		if j2 := c2.SaveJSON(); string(j1) != string(j2) {
			t.Fatalf("saving again gives other bytes:\n%s\n%s", j1, j2)
		}
		s, k := c.SaveCSV()
		c3, err := sku.LoadCSV(s, k)
		if err != nil {
			t.Fatalf("CSV form does not load: %v\n%s\n%s", err, s, k)
		}
		if diff := cmp.Diff(c.Data(), c3.Data(), dataOpts); diff != "" {
			t.Fatalf("CSV form differs (-json +csv):\n%s", diff)
		}
	})
}
