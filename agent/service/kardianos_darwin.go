//go:build darwin

package service

import (
	"fmt"
	"os"

	"github.com/kardianos/service"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/launchd"
)

func init() { kardianosWrite = writeWithKardianos }

// writeWithKardianos writes the LaunchAgent with kardianos/service's
// Install: its template engine renders launchd.AgentTemplate with its own
// data. Install refuses an existing file, so an upgrade removes the old
// plist first and puts it back if Install fails.
func writeWithKardianos(a launchd.Agent, path string, old []byte) error {
	svc, err := service.New(noProgram{}, &service.Config{
		Name:             a.Label,
		DisplayName:      "idpulse",
		Description:      "Apple ID connectivity monitor (menu bar agent)",
		Executable:       a.Program,
		Arguments:        a.Arguments,
		WorkingDirectory: a.WorkingDirectory,
		EnvVars:          a.Env,
		Option:           service.KeyValue(a.KardianosOptions()),
	})
	if err != nil {
		return fmt.Errorf("launch agent: %w", err)
	}
	if old != nil {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("replace %s: %w", path, err)
		}
	}
	if err := svc.Install(); err != nil {
		if old != nil {
			atomicfile.Write(path, old, 0o644)
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	// kardianos/service derives the path from os/user; so does NewSystem.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("kardianos/service did not write %s: %w", path, err)
	}
	return nil
}

// noProgram: Install never runs the service, it only writes the plist.
type noProgram struct{}

func (noProgram) Start(service.Service) error { return nil }
func (noProgram) Stop(service.Service) error  { return nil }
