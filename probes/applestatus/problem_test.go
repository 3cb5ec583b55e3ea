package applestatus

import "testing"

func TestProblem(t *testing.T) {
	tests := []struct {
		typ, status string
		want        bool
	}{
		{TypeOutage, StatusOngoing, true},
		{TypeIssue, StatusOngoing, true},
		{TypePerformance, StatusOngoing, true},
		{"Something New", StatusOngoing, true}, // as Service.Status: an issue
		{"outage", "Ongoing", true},            // case is not meaning
		{TypeMaintenance, StatusOngoing, false},
		{"maintenance", "ONGOING", false},
		{TypeMaintenance, StatusUpcoming, false},
		{TypeOutage, StatusUpcoming, false},
		{TypeOutage, StatusResolved, false},
		{TypeIssue, StatusCompleted, false},
		{TypeOutage, "", false},
	}
	for _, tt := range tests {
		e := &Event{Type: tt.typ, Status: tt.status}
		if got := e.Problem(); got != tt.want {
			t.Errorf("Event{Type: %q, Status: %q}.Problem() = %v, want %v", tt.typ, tt.status, got, tt.want)
		}
		if got := Problem(tt.typ, tt.status); got != tt.want {
			t.Errorf("Problem(%q, %q) = %v, want %v", tt.typ, tt.status, got, tt.want)
		}
	}
}
