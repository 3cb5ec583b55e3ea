package report

import (
	"errors"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline"
)

// Recent is how many fix attempts and verdict changes a report lists.
const Recent = 30

// ReadState fills in's Attempts, Transitions, Timeline and Incidents from
// the agent's state folder (agent/paths.StateDir), reading the timeline
// back to Window(f) before in.Generated. Each part that cannot be read is left empty and its
// error returned joined with the others': the report is still worth
// having without it.
func (in *Input) ReadState(stateDir string, f Format) error {
	var errs []error
	var err error
	in.Attempts, err = history.Attempts(stateDir).Recent(Recent)
	errs = append(errs, err)
	in.Transitions, err = history.Transitions(stateDir).Recent(Recent)
	errs = append(errs, err)
	in.Timeline, _, err = timeline.Store{Dir: timeline.In(stateDir)}.Read(in.Generated.Add(-Window(f)))
	errs = append(errs, err)
	// The fixes tried during an incident come from the whole attempts log,
	// as `idpulse history` attributes them, not only the Recent listed.
	all, err := history.Attempts(stateDir).Recent(history.Keep)
	errs = append(errs, err)
	in.Incidents = incidents.Group(in.Timeline, all, in.Generated)
	return errors.Join(errs...)
}
