package netmon

import (
	"testing"

	"golang.org/x/net/route"
	"golang.org/x/sys/unix"
)

func TestAnyInterestingDarwin(t *testing.T) {
	tests := []struct {
		name string
		msgs []route.Message
		want bool
	}{
		{"default route added", []route.Message{&route.RouteMessage{Type: unix.RTM_ADD, Flags: unix.RTF_UP | unix.RTF_GATEWAY}}, true},
		{"route deleted", []route.Message{&route.RouteMessage{Type: unix.RTM_DELETE}}, true},
		{"route changed", []route.Message{&route.RouteMessage{Type: unix.RTM_CHANGE}}, true},
		{"interface state", []route.Message{&route.InterfaceMessage{Type: unix.RTM_IFINFO}}, true},
		{"address added", []route.Message{&route.InterfaceAddrMessage{Type: unix.RTM_NEWADDR}}, true},
		{"address deleted", []route.Message{&route.InterfaceAddrMessage{Type: unix.RTM_DELADDR}}, true},
		{"miss", []route.Message{&route.RouteMessage{Type: unix.RTM_MISS}}, false},
		{"someone's lookup", []route.Message{&route.RouteMessage{Type: unix.RTM_GET}}, false},
		{"ARP entry", []route.Message{&route.RouteMessage{Type: unix.RTM_ADD, Flags: unix.RTF_HOST | unix.RTF_LLINFO}}, false},
		{"cloned host route", []route.Message{&route.RouteMessage{Type: unix.RTM_DELETE, Flags: unix.RTF_HOST | unix.RTF_WASCLONED}}, false},
		{"multicast membership", []route.Message{&route.InterfaceMulticastAddrMessage{Type: unix.RTM_NEWMADDR}}, false},
		{"noise then a change", []route.Message{&route.RouteMessage{Type: unix.RTM_MISS}, &route.InterfaceMessage{Type: unix.RTM_IFINFO}}, true},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := anyInteresting(tt.msgs); got != tt.want {
				t.Errorf("anyInteresting = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInterestingDarwinUnparseable(t *testing.T) {
	if !interesting([]byte{0, 0, 5, 1, 0, 0}) { // length 0: ParseRIB fails
		t.Error("an unparseable message must count as a change")
	}
}
