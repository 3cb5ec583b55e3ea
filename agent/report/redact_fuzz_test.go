package report

import (
	"strings"
	"testing"
)

// plantings put fuzzSecrets in the shapes the redactor must recognise; the
// fuzzer writes the text around them.
var plantings = []string{
	"http://portal.example/login?ssid=CafeNet%20Kx7&client_mac=a4%3A83%3Ae7%3A12%3A34%3A56&email=johnny%40appleseed-family.org&token=Zx81kQpL0w#s=Zx81kQpL0w",
	"/auth?mac=a483e7123456;sid=Zx81kQpL0w",
	"SSID: CafeNet Kx7",
	`{"ssid":"CafeNet Kx7","session":"Zx81kQpL0w"}`,
	"client a483.e712.3456 A4-83-E7-12-34-56 a4:83:e7:12:34:56 4:83:e7:12:34:56",
	"a4%3A83%3Ae7%3A12%3A34%3A56 a4%253A83%253Ae7%253A12%253A34%253A56",
	"mac=a483e7123456 BSSID: A483E7123456",
	"inet6 2001:db8:1:2:a683:e7ff:fe12:3456 prefixlen 64 fe80::a683:e7ff:fe12:3456%en0",
	"2001:db8:1:2:a683:e7ff:fe12:3456",
	"serial: c02xk0abjg5h; Serial Number (system): C02XK0ABJG5H",
	"johnny@appleseed-family.org johnny%40appleseed-family.org",
	"/profile/Johnny%20Appleseed/ Johnny+Appleseed JOHNNY APPLESEED",
	"%2FUsers%2Fjappleseed%2FLibrary /Users/jappleseed/Library jappleseed",
	"token=Zx81kQpL0w Authorization: Bearer Zx81kQpL0w",
}

// fuzzSecrets are what must not be left, lower-cased: whole values and the
// pieces that would still identify (the MAC's hex, the EUI-64 id).
var fuzzSecrets = []string{
	"jappleseed", "johnny", "appleseed", "cafenet", "kx7",
	"a4:83:e7", "4:83:e7:12:34:56", "a4-83-e7", "a483e7123456", "a483.e712", "a4%3a83", "a4%253a83", "e7ff:fe12",
	"c02xk0abjg5h", "zx81kqpl0w",
}

func FuzzRedact(f *testing.F) {
	for i := range plantings {
		f.Add("", "", uint8(i))
	}
	f.Add("serial", "=", uint8(0))
	f.Add("x?a=", "&b#", uint8(3))
	f.Add("\"ssid\":", "\n", uint8(2))
	f.Add("17.253.144.10 appleid.apple.com", ".apple.com", uint8(10))
	f.Add("%2", "%", uint8(12))
	r := Redactor{User: "jappleseed", FullName: "Johnny Appleseed", Home: "/Users/jappleseed", Hostname: "Johnnys-MacBook-Pro.local", Serials: []string{"C02XK0ABJG5H"}}
	c := r.compile()
	f.Fuzz(func(t *testing.T, prefix, suffix string, which uint8) {
		around := strings.ToLower(prefix + " " + suffix)
		for _, s := range fuzzSecrets {
			if strings.Contains(around, s) {
				t.Skip("the fuzzer wrote a secret itself")
			}
		}
		// Blanks keep the planted text apart from the fuzzer's: glued to a
		// longer word a name is no longer that name.
		planted := plantings[int(which)%len(plantings)]
		if which >= 128 {
			planted = strings.Join(plantings, " ")
		}
		in := prefix + " " + planted + " " + suffix
		out := strings.ToLower(c.apply(in))
		for _, s := range fuzzSecrets {
			if strings.Contains(out, s) {
				t.Fatalf("%q survived:\n in: %q\nout: %q", s, in, out)
			}
		}
	})
}
