// Package minitmpl is the template engine of github.com/kardianos/service
// v1.3.0, so that idpulse renders its service files with exactly the
// substitution kardianos/service performs when it installs them.
//
// ALTERED SOURCE NOTICE (zlib licence, see LICENSE): template.go is
// kardianos/service v1.3.0's template.go with two changes: its package clause
// ("package service" became "package minitmpl") and mustParse, which nothing
// here calls, removed. kardianos/service keeps the engine unexported; this
// file only adds exported entry points. The launchd package's tests fail if
// template.go drifts from the module's copy with those two changes, and they
// render through the module's own engine to prove the outputs are identical.
package minitmpl

// Func is a pipeline function: {{Key | name}}. Every value is a string.
type Func = func(string) (string, error)

// Render parses text and renders it with data (each value a string or a
// []string) and funcs, as kardianos/service's renderTemplate does.
func Render(text string, data map[string]any, funcs map[string]Func) (string, error) {
	fm := make(map[string]tmplFunc, len(funcs))
	for k, f := range funcs {
		fm[k] = f
	}
	return renderTemplate(text, data, fm)
}

// EnvVars is kardianos/service's envVars: one entry per variable, formatted
// by f, sorted by key; nil when vars is empty.
func EnvVars(vars map[string]string, f func(key, value string) string) []string {
	return envVars(vars, f)
}
