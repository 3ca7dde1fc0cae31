package normalize

import "strings"

// MinorUnits returns the ISO 4217 exponent of a currency: the number of
// digits after the decimal point of its minor unit (JPY 0, USD 2, KWD 3).
// ok is false for a code that is not an active ISO 4217 currency. It is a
// table lookup that does not allocate, cheap enough for hot loops.
func MinorUnits(currency string) (digits int32, ok bool) {
	if len(currency) != 3 {
		return 0, false
	}
	i := currencyIndex(currency)
	if i < 0 || minorTable[i] == 0 {
		return 0, false
	}
	return int32(minorTable[i] - 1), true
}

// currencyIndex maps a code of three upper-case ASCII letters to 0..26³-1,
// and anything else to -1.
func currencyIndex(c string) int {
	i := 0
	for k := 0; k < 3; k++ {
		if c[k] < 'A' || c[k] > 'Z' {
			return -1
		}
		i = i*26 + int(c[k]-'A')
	}
	return i
}

// minorTable holds, for every three-letter code, 0 when it is not an active
// ISO 4217 currency and its exponent + 1 when it is. It is built once from
// the lists below and never changes.
var minorTable = func() *[26 * 26 * 26]uint8 {
	var t [26 * 26 * 26]uint8
	for _, code := range strings.Fields(twoDigit) {
		t[currencyIndex(code)] = 2 + 1
	}
	for code, d := range nonTwoDigit {
		t[currencyIndex(code)] = uint8(d) + 1
	}
	return &t
}()

// nonTwoDigit lists the active ISO 4217 currencies whose minor unit is not
// a hundredth (ISO 4217 list one, 2024 edition).
var nonTwoDigit = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// twoDigit holds every other active ISO 4217 code.
const twoDigit = " AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND" +
	" BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC" +
	" CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP" +
	" GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW" +
	" KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR" +
	" MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN" +
	" QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN" +
	" SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED" +
	" VES WST XCD XCG YER ZAR ZMW ZWG ZWL "
