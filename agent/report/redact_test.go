package report

import (
	"context"
	"errors"
	"os/user"
	"slices"
	"testing"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/netenv"
)

var johnny = Redactor{
	User:     "jappleseed",
	FullName: "Johnny Appleseed",
	Home:     "/Users/jappleseed",
	Hostname: "Johnnys-MacBook-Pro.local",
}

// redactCase is one text through a Redactor.
type redactCase struct {
	name string
	r    Redactor
	in   string
	want string
}

func testRedact(t *testing.T, tests []redactCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorString(t *testing.T) {
	testRedact(t, []redactCase{
		// Home directory.
		{"home path", johnny, "open /Users/jappleseed/Library/hosts: permission denied", "open ~/Library/hosts: permission denied"},
		{"home alone", johnny, "HOME=/Users/jappleseed", "HOME=~"},
		{"home any case", johnny, "/users/JAppleseed/x", "~/x"},
		{"home at sentence end", johnny, "in /Users/jappleseed.", "in ~."},
		{"home inside a longer path", johnny, "/System/Volumes/Data/Users/jappleseed/a", "/System/Volumes/Data~/a"},
		{"another user's home keeps the prefix", johnny, "/Users/jappleseed2/x", "/Users/jappleseed2/x"},
		{"home with trailing slash configured", Redactor{Home: "/home/ana/"}, "/home/ana/.config", "~/.config"},
		{"root directory as home is ignored", Redactor{Home: "/"}, "/etc/hosts", "/etc/hosts"},

		// User name.
		{"user word", johnny, "proxy http://jappleseed:xxxxx@proxy.corp.example:8080", "proxy http://<user>:xxxxx@proxy.corp.example:8080"},
		{"user any case", johnny, "JAPPLESEED's VPN", "<user>'s VPN"},
		{"user in an email", johnny, "jappleseed@icloud.com", "<user>@icloud.com"},
		{"user inside a longer word survives", johnny, "jappleseeds", "jappleseeds"},
		{"full name", johnny, "Johnny Appleseed's VPN", "<user>'s VPN"},
		{"short user names are left alone", Redactor{User: "jo"}, "jo jo", "jo jo"},
		{"system accounts are left alone", Redactor{User: "root"}, "verified by a root that is not one Apple uses", "verified by a root that is not one Apple uses"},
		{"user joined by underscore is another word", Redactor{User: "dns"}, "dns_filtered, dns probe", "dns_filtered, <user> probe"},

		// Computer.
		{"hostname", johnny, "scutil: LocalHostName Johnnys-MacBook-Pro.local", "scutil: LocalHostName <computer>"},
		{"short hostname", johnny, "Johnnys-MacBook-Pro is offline", "<computer> is offline"},
		{"short hostname in another domain", johnny, "Johnnys-MacBook-Pro.fritz.box", "<computer>.fritz.box"},
		{"hostname any case", johnny, "johnnys-macbook-pro.LOCAL", "<computer>"},
		{"computer name", johnny, "Johnny's MacBook Pro and Johnny’s MacBook Pro", "<computer> and <computer>"},
		{"bonjour conflict name", johnny, "Johnnys-MacBook-Pro-2.local", "<computer>"},
		{"other .local names", Redactor{}, "Annas-iPhone.local answered", "<computer> answered"},
		{"MacBook style without a hostname", Redactor{}, "Annas-MacBook-Air, Bobs-MBP and Caro-iMac-3", "<computer>, <computer> and <computer>"},
		{".local continued is a longer name", Redactor{}, "x.local.example.com", "x.local.example.com"},
		{"search domain local stays", Redactor{}, "search local", "search local"},
		{"localhost is not a computer name", Redactor{Hostname: "localhost"}, "localhost:8080", "localhost:8080"},

		// Serials.
		{"serial after the word", Redactor{}, "Serial Number (system): C02XK0ABJG5H", "Serial Number (system): <serial>"},
		{"ioreg serial", Redactor{}, `"IOPlatformSerialNumber" = "C02XK0ABJG5H"`, `"IOPlatformSerialNumber" = "<serial>"`},
		{"new 10-character serial", Redactor{}, "serial: H4KT9X2WQ1", "serial: <serial>"},
		{"listed serial anywhere", Redactor{Serials: []string{"C02XK0ABJG5H"}}, "device C02XK0ABJG5H, c02xk0abjg5h", "device <serial>, <serial>"},
		{"serial-like without context survives", Redactor{}, "build 23E224, event C02XK0ABJG5H", "build 23E224, event C02XK0ABJG5H"},
		{"too long after serial survives", Redactor{}, "serial ABCDEFGHIJKLMN", "serial ABCDEFGHIJKLMN"},

		// MAC addresses.
		{"mac colon", Redactor{}, "arp: a4:83:e7:12:34:56 incomplete", "arp: <mac> incomplete"},
		{"mac dash upper", Redactor{}, "ether A4-83-E7-12-34-56.", "ether <mac>."},
		{"mac without leading zeros", Redactor{}, "at 4:83:e7:2:34:6 on en0", "at <mac> on en0"},
		{"ipv6 is not a mac", Redactor{}, "2001:db8:1:2:3:4:5:6 fe80::1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6 fe80::1:2:3:4:5:6"},
		{"times are not macs", Redactor{}, "12:34:56", "12:34:56"},

		// What support needs.
		{"apple names survive a user called apple", Redactor{User: "apple", Hostname: "apple.local"},
			"appleid.apple.com:443 (17.253.144.10:443) idmsa.apple.com 1-courier.push.apple.com apple",
			"appleid.apple.com:443 (17.253.144.10:443) idmsa.apple.com 1-courier.push.apple.com <computer>"},
		{"ip survives a numeric host name", Redactor{Hostname: "144.10"}, "17.253.144.10", "17.253.144.10"},
		{"codes and models survive", johnny, "dns_filtered flush-dns MacBookPro18,3 23E224 nxdomain",
			"dns_filtered flush-dns MacBookPro18,3 23E224 nxdomain"},
		{"empty", johnny, "", ""},
		{"multibyte text around matches", johnny, "→ jappleseed ✓", "→ <user> ✓"},
	})
}

func TestSystemRedactor(t *testing.T) {
	cur := func() (*user.User, error) {
		return &user.User{Username: `CORP\jappleseed`, Name: "Johnny Appleseed", HomeDir: "/Users/jappleseed"}, nil
	}
	fail := func() (*user.User, error) { return nil, errors.New("no user") }
	host := func() (string, error) { return "Johnnys-MacBook-Pro.local", nil }
	home := func(h string) func() (string, error) { return func() (string, error) { return h, nil } }
	tests := []struct {
		name string
		cur  func() (*user.User, error)
		home func() (string, error)
		want Redactor
	}{
		{"user and host", cur, home(""), Redactor{User: "jappleseed", FullName: "Johnny Appleseed", Home: "/Users/jappleseed", Hostname: "Johnnys-MacBook-Pro.local"}},
		{"$HOME wins", cur, home("/Volumes/Home/jappleseed"), Redactor{User: "jappleseed", FullName: "Johnny Appleseed", Home: "/Volumes/Home/jappleseed", Hostname: "Johnnys-MacBook-Pro.local"}},
		{"no user", fail, home("/home/x"), Redactor{Home: "/home/x", Hostname: "Johnnys-MacBook-Pro.local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := systemRedactor(tt.cur, tt.home, host)
			if got.User != tt.want.User || got.FullName != tt.want.FullName || got.Home != tt.want.Home || got.Hostname != tt.want.Hostname {
				t.Errorf("= %+v, want %+v", got, tt.want)
			}
		})
	}
	// The real one must not fail on this machine.
	_ = SystemRedactor().String("x")
}

// Planted secrets in the shapes captive portals, resolvers and ifconfig
// print them.
func TestRedactorNetwork(t *testing.T) {
	testRedact(t, []redactCase{
		// URL queries and fragments.
		{"captive redirect", Redactor{},
			"redirected to http://portal.example/login?ssid=Home%20Net&client_mac=a4%3A83%3Ae7%3A12%3A34%3A56&email=j%40x.org&token=Zx81kQ",
			"redirected to http://portal.example/login?ssid=<redacted>&client_mac=<redacted>&email=<redacted>&token=<redacted>"},
		{"query on an Apple host", Redactor{}, "https://captive.apple.com/hotspot-detect.html?sid=abc.apple.com&x=",
			"https://captive.apple.com/hotspot-detect.html?sid=<redacted>&x="},
		{"relative redirect", Redactor{}, "Location: /auth?mac=a483e7123456;v=1 (302)", "Location: /auth?mac=<redacted>&v=<redacted> (302)"},
		{"fragment", Redactor{}, "https://portal.example/#/session/8f3kz91", "https://portal.example/#<redacted>"},
		{"query and fragment", Redactor{}, "https://p.example/a?u=1#tok", "https://p.example/a?u=<redacted>#<redacted>"},
		{"a question in prose is not a query", Redactor{}, "why? a=b", "why? a=b"},

		// MAC addresses.
		{"mac cisco dots", Redactor{}, "client a483.e712.3456 joined", "client <mac> joined"},
		{"mac url-encoded", Redactor{}, "path/a4%3A83%3Ae7%3A12%3A34%3A56/x", "path/<mac>/x"},
		{"mac double-encoded", Redactor{}, "a4%253A83%253Ae7%253A12%253A34%253A56", "<mac>"},
		{"mac bare hex labelled", Redactor{}, "client_mac=A483E7123456, BSSID: a483e7123456", "client_mac=<mac>, BSSID: <mac>"},
		{"bare hex unlabelled survives", Redactor{}, "event a483e7123456", "event a483e7123456"},

		// IPv6 interface ids made from the MAC.
		{"eui-64 global", Redactor{}, "en0 inet6 2001:db8:1:2:a683:e7ff:fe12:3456 prefixlen 64", "en0 inet6 2001:db8:1:2::<mac> prefixlen 64"},
		{"eui-64 link-local with zone", Redactor{}, "fe80::a683:e7ff:fe12:3456%en0", "fe80::ff:fe00:0%en0"},
		{"eui-64 link-local in text", Redactor{}, "from fe80::a683:e7ff:fe12:3456%en0.", "from fe80::<mac>%en0."},
		{"eui-64 alone stays an address", Redactor{}, "2001:db8:1:2:a683:e7ff:fe12:3456", "2001:db8:1:2:0:ff:fe00:0"},
		{"privacy addresses survive", Redactor{}, "2001:db8:1:2:5d1c:9a2b:3c4d:6e7f 2001:db8::1", "2001:db8:1:2:5d1c:9a2b:3c4d:6e7f 2001:db8::1"},

		// SSIDs.
		{"ssid colon", Redactor{}, "SSID: Appleseed Family 5G\nBSSID x", "SSID: <ssid>\nBSSID x"},
		{"ssid equals", Redactor{}, "ssid=CafeNet, channel 6", "ssid=<ssid>, channel 6"},
		{"ssid json", Redactor{}, `{"ssid":"Johnny's Wi-Fi","rssi":-60}`, `{"ssid":"<ssid>","rssi":-60}`},
		{"wi-fi network", Redactor{}, "Wi-Fi network: Appleseed.", "Wi-Fi network: <ssid>."},

		// E-mail addresses.
		{"email", Redactor{}, "signed in as johnny@appleseed-family.org today", "signed in as <email> today"},
		{"icloud email keeps the domain", Redactor{}, "anna.b+x@icloud.com", "<user>@icloud.com"},
		{"encoded email", Redactor{}, "user=johnny%40example.com", "user=<email>"},
		{"apple-looking domain is still personal", Redactor{}, "ceo@apple.com.evil.example", "<email>"},
		{"proxy password is not an email", Redactor{}, "http://u:xxxxx@proxy.corp.example:8080", "http://u:xxxxx@proxy.corp.example:8080"},

		// Tokens.
		{"token in text", Redactor{}, "token=8f3KZ91qL0x expired", "token=<redacted> expired"},
		{"session json", Redactor{}, `{"session": "Qm9vZ2xlZ29vMTIz"}`, `{"session": "<redacted>"}`},
		{"api key", Redactor{}, "X-Api-Key: 4ab9c2e0d1f3", "X-Api-Key: <redacted>"},
		{"bearer", Redactor{}, "Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", "Authorization: Bearer <redacted>"},
		{"error codes survive", Redactor{}, "error code=NSURLErrorTimedOut, auth: PasswordRequired", "error code=NSURLErrorTimedOut, auth: PasswordRequired"},
		{"words after a label survive", Redactor{}, "session expired; key-exchange failed; sid: unknown", "session expired; key-exchange failed; sid: unknown"},

		// User names in URL-encoded text.
		{"full name with %20", johnny, "name=x /profile/Johnny%20Appleseed/edit", "name=x /profile/<user>/edit"},
		{"full name with +", johnny, "greeting Johnny+Appleseed!", "greeting <user>!"},
		{"encoded home", johnny, "file:%2FUsers%2Fjappleseed%2FLibrary", "file:~%2FLibrary"},
		{"user after an escape", johnny, "%2Fhome%2Fjappleseed", "%2Fhome%2F<user>"},

		// Serials in any case.
		{"lower-case serial after the word", Redactor{}, "serial: c02xk0abjg5h", "serial: <serial>"},
		{"mixed-case serial", Redactor{}, "Serial Number: h4Kt9x2wq1", "Serial Number: <serial>"},
		{"a word after serial survives", Redactor{}, "serial connection established", "serial connection established"},
	})
}

func TestRedactorWithSystem(t *testing.T) {
	sys := probes.Results{{ID: probes.IDSystem, Status: probes.StatusOK,
		Evidence: &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: "macOS", Serial: "C02XK0ABJG5H"}}}}
	tests := []struct {
		name  string
		goos  string
		rs    probes.Results
		idF   commandtest.Reply
		base  Redactor
		want  Redactor
		calls []string
	}{
		{"macOS: serial and full name", "darwin", sys, commandtest.OK("Johnny Appleseed\n"), Redactor{User: "jappleseed"},
			Redactor{User: "jappleseed", FullName: "Johnny Appleseed", Serials: []string{"C02XK0ABJG5H"}}, []string{"/usr/bin/id -F"}},
		{"macOS: id fails, the passwd name stays", "darwin", nil, commandtest.Fail("/usr/bin/id", 1, "id: no such user"), Redactor{FullName: "J A"},
			Redactor{FullName: "J A"}, []string{"/usr/bin/id -F"}},
		{"listed serial is not repeated", "darwin", sys, commandtest.OK(""), Redactor{Serials: []string{"C02XK0ABJG5H"}},
			Redactor{Serials: []string{"C02XK0ABJG5H"}}, []string{"/usr/bin/id -F"}},
		{"Linux: the GECOS name from os/user, no exec", "linux", sys, commandtest.Reply{}, Redactor{FullName: "Ana Lima"},
			Redactor{FullName: "Ana Lima", Serials: []string{"C02XK0ABJG5H"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := commandtest.Strict(t)
			if tt.calls != nil {
				run.On("/usr/bin/id -F", tt.idF)
			}
			got := tt.base.WithSystem(context.Background(), run, tt.goos, tt.rs)
			if got.FullName != tt.want.FullName || !slices.Equal(got.Serials, tt.want.Serials) || got.User != tt.want.User {
				t.Errorf("= %+v, want %+v", got, tt.want)
			}
			run.AssertCalls(t, tt.calls...)
		})
	}
}
