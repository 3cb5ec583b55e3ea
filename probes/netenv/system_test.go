package netenv

import (
	"context"
	"errors"
	"io/fs"
	"runtime"
	"testing"

	"github.com/idpulse/idpulse/probes/command/commandtest"
)

func TestParseSwVers(t *testing.T) {
	testParse(t, ParseSwVers, []parseCase[SystemInfo]{
		{name: "Sonoma", file: "sw_vers_macos14.4.1.txt", want: SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224"}},
		{name: "Ventura with Rapid Security Response", file: "sw_vers_macos13.3.1-rsr-a.txt", want: SystemInfo{OS: "macOS", Version: "13.3.1", Extra: "(a)", Build: "22E772610a"}},
		{name: "Catalina is Mac OS X", file: "sw_vers_macosx10.15.7.txt", want: SystemInfo{OS: "Mac OS X", Version: "10.15.7", Build: "19H2"}},
		{name: "pasted with spaces", in: "ProductName:    macOS\nProductVersion: 12.7.4\nBuildVersion:   21H1123\n", want: SystemInfo{OS: "macOS", Version: "12.7.4", Build: "21H1123"}},
		{name: "no ProductName", in: "ProductVersion:\t15.0\n", want: SystemInfo{OS: "macOS", Version: "15.0"}},
		{name: "empty", in: "", wantErr: "no ProductVersion"},
		{name: "ProductName only", in: "ProductName:\tmacOS\n", wantErr: "no ProductVersion"},
		{name: "command not found", in: "sw_vers: command not found\n", wantErr: "no ProductVersion"},
	})
}

func TestParseOSRelease(t *testing.T) {
	testParse(t, ParseOSRelease, []parseCase[SystemInfo]{
		{name: "real Debian 12", file: "os-release_debian12.txt", want: SystemInfo{OS: "Debian GNU/Linux", Version: "12"}},
		{name: "single quotes, no VERSION_ID", in: "NAME='Debian GNU/Linux'\nVERSION='trixie/sid'\n", want: SystemInfo{OS: "Debian GNU/Linux", Version: "trixie/sid"}},
		{name: "escapes in double quotes", in: `NAME="Say \"hi\" \$HOME \\ OS"` + "\nVERSION_ID=1\n", want: SystemInfo{OS: `Say "hi" $HOME \ OS`, Version: "1"}},
		{name: "PRETTY_NAME when NAME is missing", in: "PRETTY_NAME=\"Fedora Linux 40\"\nVERSION_ID=40\n", want: SystemInfo{OS: "Fedora Linux 40", Version: "40"}},
		{name: "spec default", in: "VERSION_ID=1\n", want: SystemInfo{OS: "Linux", Version: "1"}},
		{name: "comments and junk lines", in: "# comment\njunk\nID=alpine\nVERSION_ID=3.20.0\n", want: SystemInfo{OS: "alpine", Version: "3.20.0"}},
		{name: "only a comment", in: "# only a comment\n", wantErr: "no KEY=value lines"},
	})
}

func TestReadSystemInfoDarwin(t *testing.T) {
	const (
		swVers = "/usr/bin/sw_vers"
		model  = "/usr/sbin/sysctl -n hw.model"
		kernel = "/usr/sbin/sysctl -n kern.osrelease"
		ioreg  = "/usr/sbin/ioreg -rd1 -c IOPlatformExpertDevice"
	)
	sonoma := string(readTestdata(t, "sw_vers_macos14.4.1.txt"))
	tests := []struct {
		name    string
		replies map[string]commandtest.Reply
		want    SystemInfo
		wantErr string
	}{
		{
			name: "all commands answer",
			replies: map[string]commandtest.Reply{swVers: commandtest.OK(sonoma), model: commandtest.OK("MacBookPro18,3\n"), kernel: commandtest.OK("23.4.0\n"),
				ioreg: commandtest.OK(string(readTestdata(t, "ioreg_platform_expert.txt")))},
			want: SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224", Model: "MacBookPro18,3", Kernel: "23.4.0", Arch: runtime.GOARCH, Serial: "C02XK0ABJG5H"},
		},
		{
			name:    "sysctl failures leave model and kernel empty",
			replies: map[string]commandtest.Reply{swVers: commandtest.OK(sonoma), model: {Err: errors.New("exit status 1")}},
			want:    SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224", Arch: runtime.GOARCH},
		},
		{
			name:    "sw_vers fails",
			replies: map[string]commandtest.Reply{swVers: {Err: errors.New("exit status 1")}},
			want:    SystemInfo{OS: "macOS", Arch: runtime.GOARCH},
			wantErr: "read system info: exit status 1",
		},
		{
			name:    "sw_vers prints nonsense",
			replies: map[string]commandtest.Reply{swVers: commandtest.OK("?")},
			want:    SystemInfo{OS: "macOS", Arch: runtime.GOARCH},
			wantErr: "read system info: parse sw_vers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSystemInfo(context.Background(), replay(tt.replies), "darwin")
			wantResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

// ReadSwVers runs sw_vers alone (the currency probe needs nothing else).
func TestReadSwVers(t *testing.T) {
	const swVers = "/usr/bin/sw_vers"
	sonoma := string(readTestdata(t, "sw_vers_macos14.4.1.txt"))
	for _, tt := range []struct {
		name    string
		replies map[string]commandtest.Reply
		want    SystemInfo
		wantErr string
	}{
		{"answers", map[string]commandtest.Reply{swVers: commandtest.OK(sonoma)}, SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224"}, ""},
		{"fails", map[string]commandtest.Reply{swVers: {Err: errors.New("exit status 1")}}, SystemInfo{}, "read macOS version: exit status 1"},
		{"nonsense", map[string]commandtest.Reply{swVers: commandtest.OK("?")}, SystemInfo{}, "read macOS version: parse sw_vers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSwVers(context.Background(), replay(tt.replies))
			wantResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func fakeFS(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

func TestReadSystemInfoLinux(t *testing.T) {
	debian := string(readTestdata(t, "os-release_debian12.txt"))
	tests := []struct {
		name    string
		files   map[string]string
		want    SystemInfo
		wantErr string
	}{
		{
			name: "everything present",
			files: map[string]string{
				"/etc/os-release":                            debian,
				"/sys/devices/virtual/dmi/id/product_name":   "ThinkPad X1 Carbon Gen 11\n",
				"/proc/sys/kernel/osrelease":                 "6.1.0-18-amd64\n",
				"/sys/devices/virtual/dmi/id/product_serial": "PF3XK0AB\n",
			},
			want: SystemInfo{OS: "Debian GNU/Linux", Version: "12", Model: "ThinkPad X1 Carbon Gen 11", Kernel: "6.1.0-18-amd64", Arch: runtime.GOARCH, Serial: "PF3XK0AB"},
		},
		{
			name: "firmware placeholder is no serial",
			files: map[string]string{
				"/etc/os-release": debian,
				"/sys/devices/virtual/dmi/id/product_serial": "To Be Filled By O.E.M.\n",
			},
			want: SystemInfo{OS: "Debian GNU/Linux", Version: "12", Arch: runtime.GOARCH},
		},
		{
			name:  "falls back to /usr/lib/os-release; no DMI in a VM or container",
			files: map[string]string{"/usr/lib/os-release": debian},
			want:  SystemInfo{OS: "Debian GNU/Linux", Version: "12", Arch: runtime.GOARCH},
		},
		{
			name:    "no os-release",
			files:   map[string]string{},
			want:    SystemInfo{OS: "Linux", Arch: runtime.GOARCH},
			wantErr: "read system info: open /usr/lib/os-release",
		},
		{
			name:    "empty os-release",
			files:   map[string]string{"/etc/os-release": ""},
			want:    SystemInfo{OS: "Linux", Arch: runtime.GOARCH},
			wantErr: "read system info: parse os-release",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readSystemInfoLinux(fakeFS(tt.files))
			wantResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestReadSystemInfoHostAndUnsupported(t *testing.T) {
	if runtime.GOOS == "linux" {
		got, err := ReadSystemInfo(context.Background(), nil, "linux")
		if err != nil {
			t.Fatal(err)
		}
		if got.OS == "" || got.Arch != runtime.GOARCH {
			t.Errorf("host system info incomplete: %+v", got)
		}
	}
	got, err := ReadSystemInfo(context.Background(), nil, "plan9")
	wantResult(t, got, err, SystemInfo{OS: "plan9", Arch: runtime.GOARCH}, `not supported on "plan9"`)
}

func TestParseIORegSerial(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"platform expert", string(readTestdata(t, "ioreg_platform_expert.txt")), "C02XK0ABJG5H"},
		{"new 10-character serial", `  "IOPlatformSerialNumber" = "H4KT9X2WQ1"` + "\n", "H4KT9X2WQ1"},
		{"virtual machine placeholder", `  "IOPlatformSerialNumber" = "0"` + "\n", ""},
		{"absent", `  "model" = <"MacBookPro18,3">` + "\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseIORegSerial([]byte(tt.in)); got != tt.want {
				t.Errorf("= %q, want %q", got, tt.want)
			}
		})
	}
}
