package netenv

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestParseSwVers(t *testing.T) {
	tests := []struct {
		name     string
		file, in string
		want     SystemInfo
	}{
		{"Sonoma", "sw_vers_macos14.4.1.txt", "", SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224"}},
		{"Ventura with Rapid Security Response", "sw_vers_macos13.3.1-rsr-a.txt", "", SystemInfo{OS: "macOS", Version: "13.3.1", Extra: "(a)", Build: "22E772610a"}},
		{"Catalina is Mac OS X", "sw_vers_macosx10.15.7.txt", "", SystemInfo{OS: "Mac OS X", Version: "10.15.7", Build: "19H2"}},
		{"pasted with spaces", "", "ProductName:    macOS\nProductVersion: 12.7.4\nBuildVersion:   21H1123\n", SystemInfo{OS: "macOS", Version: "12.7.4", Build: "21H1123"}},
		{"no ProductName", "", "ProductVersion:\t15.0\n", SystemInfo{OS: "macOS", Version: "15.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			if tt.file != "" {
				in = readTestdata(t, tt.file)
			}
			got, err := ParseSwVers(in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "ProductName:\tmacOS\n", "sw_vers: command not found\n"} {
		if got, err := ParseSwVers([]byte(bad)); err == nil || !strings.Contains(err.Error(), "no ProductVersion") {
			t.Errorf("ParseSwVers(%q) = %+v, %v; want a no-ProductVersion error", bad, got, err)
		}
	}
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name     string
		file, in string
		want     SystemInfo
	}{
		{"real Debian 12", "os-release_debian12.txt", "", SystemInfo{OS: "Debian GNU/Linux", Version: "12"}},
		{"single quotes, no VERSION_ID", "", "NAME='Debian GNU/Linux'\nVERSION='trixie/sid'\n", SystemInfo{OS: "Debian GNU/Linux", Version: "trixie/sid"}},
		{"escapes in double quotes", "", `NAME="Say \"hi\" \$HOME \\ OS"` + "\nVERSION_ID=1\n", SystemInfo{OS: `Say "hi" $HOME \ OS`, Version: "1"}},
		{"PRETTY_NAME when NAME is missing", "", "PRETTY_NAME=\"Fedora Linux 40\"\nVERSION_ID=40\n", SystemInfo{OS: "Fedora Linux 40", Version: "40"}},
		{"spec default", "", "VERSION_ID=1\n", SystemInfo{OS: "Linux", Version: "1"}},
		{"comments and junk lines", "", "# comment\njunk\nID=alpine\nVERSION_ID=3.20.0\n", SystemInfo{OS: "alpine", Version: "3.20.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			if tt.file != "" {
				in = readTestdata(t, tt.file)
			}
			got, err := ParseOSRelease(in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := ParseOSRelease([]byte("# only a comment\n")); err == nil {
		t.Error("want error for a file without KEY=value lines")
	}
}

func TestReadSystemInfoDarwin(t *testing.T) {
	const (
		swVers = "/usr/bin/sw_vers"
		model  = "/usr/sbin/sysctl -n hw.model"
		kernel = "/usr/sbin/sysctl -n kern.osrelease"
	)
	sonoma := string(readTestdata(t, "sw_vers_macos14.4.1.txt"))
	tests := []struct {
		name    string
		replies map[string]fakeReply
		want    SystemInfo
		wantErr string
	}{
		{
			name:    "all commands answer",
			replies: map[string]fakeReply{swVers: {out: sonoma}, model: {out: "MacBookPro18,3\n"}, kernel: {out: "23.4.0\n"}},
			want:    SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224", Model: "MacBookPro18,3", Kernel: "23.4.0", Arch: runtime.GOARCH},
		},
		{
			name:    "sysctl failures leave model and kernel empty",
			replies: map[string]fakeReply{swVers: {out: sonoma}, model: {err: errors.New("exit status 1")}},
			want:    SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224", Arch: runtime.GOARCH},
		},
		{
			name:    "sw_vers fails",
			replies: map[string]fakeReply{swVers: {err: errors.New("exit status 1")}},
			want:    SystemInfo{OS: "macOS", Arch: runtime.GOARCH},
			wantErr: "read system info: exit status 1",
		},
		{
			name:    "sw_vers prints nonsense",
			replies: map[string]fakeReply{swVers: {out: "?"}},
			want:    SystemInfo{OS: "macOS", Arch: runtime.GOARCH},
			wantErr: "read system info: parse sw_vers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSystemInfo(context.Background(), &fakeRunner{replies: tt.replies}, "darwin")
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.Contains(errString(err), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
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
				"/etc/os-release":                          debian,
				"/sys/devices/virtual/dmi/id/product_name": "ThinkPad X1 Carbon Gen 11\n",
				"/proc/sys/kernel/osrelease":               "6.1.0-18-amd64\n",
			},
			want: SystemInfo{OS: "Debian GNU/Linux", Version: "12", Model: "ThinkPad X1 Carbon Gen 11", Kernel: "6.1.0-18-amd64", Arch: runtime.GOARCH},
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
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.Contains(errString(err), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
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
	if err == nil || !strings.Contains(err.Error(), `not supported on "plan9"`) {
		t.Errorf("error %v, want not supported", err)
	}
	if want := (SystemInfo{OS: "plan9", Arch: runtime.GOARCH}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
