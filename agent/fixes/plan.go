package fixes

// The shapes most plans share, so that a fix declares what it runs and the
// control flow lives here once: a fixed plan, one plan per system, and the
// first of several Linux tools that is installed.

// planner works out a fix's plan in a context (see Fix.Plan).
type planner func(c Context) (Plan, error)

// always is the same plan in every context.
func always(outcome string, steps ...Step) planner {
	return func(Context) (Plan, error) { return available(outcome, steps...) }
}

// perOS plans with darwin on macOS and linux on Linux; any other system is
// not supported.
func perOS(darwin, linux planner) planner {
	return func(c Context) (Plan, error) {
		switch c.GOOS {
		case "darwin":
			return darwin(c)
		case "linux":
			return linux(c)
		}
		return notSupported(c.GOOS)
	}
}

// tool is one way of carrying a fix out: its steps, when the program at
// path is installed.
type tool struct {
	path    string
	outcome string
	steps   []Step
}

func installed(path, outcome string, steps ...Step) tool {
	return tool{path: path, outcome: outcome, steps: steps}
}

// firstOf plans with the first of tools that is installed; none says why the
// fix is unavailable when none is.
func firstOf(none string, tools ...tool) planner {
	return func(c Context) (Plan, error) {
		for _, t := range tools {
			if c.LookPath(t.path) {
				return available(t.outcome, t.steps...)
			}
		}
		return unavailable(none)
	}
}

// notInstalled is the reason a fix that needs one program is unavailable.
func notInstalled(name, path string) string { return name + " (" + path + ") is not installed" }

// change is a fix that changes the system (the CLI confirms before it runs
// one) without an administrator password.
func change(id, title, explain string, plan planner) Fix {
	return Fix{ID: id, Title: title, Explain: explain, ChangesState: true, plan: plan}
}

// adminChange is a fix that changes the system behind the administrator
// password prompt.
func adminChange(id, title, explain string, plan planner) Fix {
	f := change(id, title, explain, plan)
	f.NeedsAdmin = true
	return f
}
