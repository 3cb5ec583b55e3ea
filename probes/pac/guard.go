package pac

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Guards on the built-ins. goja interrupts a script only between JavaScript
// instructions, so one built-in call that builds a huge string or array, or
// walks a huge sparse array, would run to the end (or to an out-of-memory
// crash) however early the limit tripped. Each guarded built-in estimates
// what its call will allocate from its inputs, charges that against the
// evaluation's budget (MaxAlloc) and refuses the call, stopping the script,
// when the budget is spent. See Limits for the list.

// Bytes charged per element of a new array (a goja Value is an interface:
// 16 bytes) and per element of a split or match result (the value and the
// string header).
const (
	bytesPerElem  = 16
	bytesPerPiece = 32
	// goja allocates about 200 bytes per match of a global regular
	// expression (measured: 1e5 matches of /x/g, 20 MiB) before it builds
	// anything from them.
	bytesPerMatch = 256
)

// unused is removed from the global object: no PAC needs them, and each can
// allocate without bound in one call (new ArrayBuffer(1e10), JSON.stringify of
// a wide tree) or hide calls from the guards (Reflect.apply, Proxy).
var unused = []string{
	"ArrayBuffer", "SharedArrayBuffer", "DataView",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
	"JSON", "Proxy", "Reflect", "Atomics", "WebAssembly",
}

// A guard sees a call before the built-in does: it charges the budget (or
// refuses), and returns the this and arguments to call the built-in with, so
// it can hand over values it has already converted to strings instead of
// converting twice (a script's toString runs once, as without the guard).
type guard func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value)

// restrict removes the unused globals and guards the built-ins.
func (e *eval) restrict() {
	vm := e.vm
	global := vm.GlobalObject()
	for _, name := range unused {
		_ = global.Delete(name)
	}
	proto := func(ctor string) *goja.Object { return vm.Get(ctor).ToObject(vm).Get("prototype").ToObject(vm) }
	strProto, arrProto, reProto := proto("String"), proto("Array"), proto("RegExp")
	arrayCtor := vm.Get("Array").ToObject(vm)
	fnProto := proto("Function")
	// Captured before the script runs, so the script can't replace it.
	e.ownDescriptor, _ = goja.AssertFunction(vm.Get("Object").ToObject(vm).Get("getOwnPropertyDescriptor"))

	// Strings: the result size follows from the inputs.
	e.wrap(strProto, "repeat", e.stringGuard("String.prototype.repeat", func(s goja.String, args []goja.Value) float64 {
		return float64(s.Length()) * number(args, 0) * 2
	}))
	padCost := func(s goja.String, args []goja.Value) float64 { return number(args, 0) * 2 }
	e.wrap(strProto, "padStart", e.stringGuard("String.prototype.padStart", padCost))
	e.wrap(strProto, "padEnd", e.stringGuard("String.prototype.padEnd", padCost))
	e.wrap(strProto, "concat", e.concatGuard())
	e.wrap(strProto, "replace", e.replaceGuard(false))
	e.wrap(strProto, "replaceAll", e.replaceGuard(true))
	e.wrap(strProto, "split", e.stringGuard("String.prototype.split", splitCost))
	e.wrap(strProto, "match", e.stringGuard("String.prototype.match", matchCost))
	e.wrapSym(strProto, goja.SymIterator, e.stringGuard("spreading a string", func(s goja.String, _ []goja.Value) float64 {
		// Spreading a string ([...s]) materialises it in one instruction.
		return float64(s.Length()) * bytesPerPiece
	}))
	// The same operations reached through the RegExp protocol, where the
	// string is the first argument.
	e.wrapSym(reProto, goja.SymReplace, e.regexpGuard(e.replaceGuard(false)))
	e.wrapSym(reProto, goja.SymSplit, e.regexpGuard(e.stringGuard("RegExp.prototype[Symbol.split]", splitCost)))
	e.wrapSym(reProto, goja.SymMatch, e.regexpGuard(e.stringGuard("RegExp.prototype[Symbol.match]", matchCost)))

	// Arrays: copying methods are charged for their length, scanning ones
	// refuse a length no real array has (a sparse `a.length = 4e9`).
	// flat and flatMap go: their output is the product of nested lengths,
	// which no look at the inputs bounds, and no PAC predates them.
	_ = arrProto.Delete("flat")
	_ = arrProto.Delete("flatMap")
	for _, m := range []string{"slice", "splice", "map", "filter", "fill",
		"toReversed", "toSorted", "toSpliced", "with", "copyWithin"} {
		e.wrap(arrProto, m, e.arrayGuard(m, true))
	}
	for _, m := range []string{"indexOf", "lastIndexOf", "includes", "every", "some", "forEach",
		"find", "findIndex", "findLast", "findLastIndex", "reduce", "reduceRight", "reverse",
		"sort", "shift", "unshift", "keys", "values", "entries"} {
		e.wrap(arrProto, m, e.arrayGuard(m, false))
	}
	e.wrapSym(arrProto, goja.SymIterator, e.arrayGuard("[Symbol.iterator]", false))
	e.wrap(arrProto, "concat", e.arrayConcatGuard())
	join := vm.ToValue(e.join)
	_ = arrProto.DefineDataProperty("join", join, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = arrProto.DefineDataProperty("toLocaleString", join, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	e.wrap(arrayCtor, "from", func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		e.chargeElems("Array.from", e.guardedLength("Array.from", arg(args, 0)), bytesPerElem)
		return this, args
	})
	e.wrap(fnProto, "apply", func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		e.chargeElems("Function.prototype.apply", e.guardedLength("Function.prototype.apply", arg(args, 1)), bytesPerElem)
		return this, args
	})
}

// wrap replaces obj[name] by a function that runs g and then the original.
func (e *eval) wrap(obj *goja.Object, name string, g guard) {
	if fn := e.wrapped(obj.Get(name), g); fn != nil {
		_ = obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

func (e *eval) wrapSym(obj *goja.Object, sym *goja.Symbol, g guard) {
	if fn := e.wrapped(obj.GetSymbol(sym), g); fn != nil {
		_ = obj.DefineDataPropertySymbol(sym, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

func (e *eval) wrapped(v goja.Value, g guard) goja.Value {
	orig, ok := goja.AssertFunction(v)
	if !ok {
		return nil // not in this goja version
	}
	return e.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		this, args := g(call.This, call.Arguments)
		out, err := orig(this, args...)
		if err != nil {
			panic(err) // rethrown as it was: an exception, or an interrupt
		}
		return out
	})
}

// charge spends n bytes of the budget; past the budget it stops the script.
func (e *eval) charge(what string, n float64) {
	if n <= 0 || math.IsNaN(n) {
		return
	}
	if n > float64(e.budget) {
		n = float64(e.budget) + 1
	}
	e.charged += int64(n)
	if e.charged > e.budget {
		e.refuse(fmt.Errorf("%w: %s would take the built-ins' allocations over %d MiB", ErrMemory, what, e.budget>>20))
	}
}

// chargeElems checks an array length first (a scan of more elements than the
// budget could hold is refused) and charges per element when per > 0.
func (e *eval) chargeElems(what string, n int64, per float64) {
	if n > e.budget/bytesPerElem {
		e.refuse(fmt.Errorf("%w: %s on %d elements", ErrMemory, what, n))
	}
	e.charge(what, float64(n)*per)
}

// refuse stops the script from inside a built-in: the interrupt is
// uncatchable, so no try/catch in the script can swallow it, and it unwinds
// any built-in that called this one.
func (e *eval) refuse(err error) {
	e.stopWith(err)
	panic(&goja.InterruptedError{})
}

// stringGuard converts this to a string (as the built-in would) and charges
// cost(this, args).
func (e *eval) stringGuard(name string, cost func(goja.String, []goja.Value) float64) guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		s, ok := e.toString(this)
		if !ok {
			return this, args // null or undefined: the built-in throws
		}
		e.charge(name, cost(s, args))
		return s, args
	}
}

// regexpGuard adapts a string guard to RegExp.prototype[Symbol.*], whose
// string is the first argument.
func (e *eval) regexpGuard(g guard) guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		str := arg(args, 0)
		rest := []goja.Value{this}
		if len(args) > 1 {
			rest = append(rest, args[1:]...)
		}
		s, rest := g(str, rest)
		return rest[0], append([]goja.Value{s}, rest[1:]...)
	}
}

func (e *eval) toString(v goja.Value) (goja.String, bool) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, false
	}
	if s, ok := v.(goja.String); ok {
		return s, true
	}
	s, ok := v.ToString().(goja.String)
	return s, ok
}

func (e *eval) concatGuard() guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		s, ok := e.toString(this)
		if !ok {
			return this, args
		}
		total := float64(s.Length())
		conv := make([]goja.Value, len(args))
		for i, a := range args {
			as, _ := e.toString(a)
			if as == nil {
				as, _ = e.toString(e.vm.ToValue(a.String()))
			}
			conv[i], total = as, total+float64(as.Length())
		}
		e.charge("String.prototype.concat", total*2)
		return s, conv
	}
}

// replaceGuard bounds replace and replaceAll. The output is the input plus,
// per match, the replacement with its $ patterns expanded. Matches don't
// overlap, so $& and $n add at most the input's length over all matches;
// $` and $' add up to the input's length per match.
func (e *eval) replaceGuard(all bool) guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		s, ok := e.toString(this)
		if !ok {
			return this, args
		}
		n := float64(s.Length())
		pattern, repl := arg(args, 0), arg(args, 1)
		matches, matching := 1.0, 0.0
		if p, ok := pattern.(*goja.Object); ok && p.ClassName() == "RegExp" {
			if strings.Contains(p.Get("flags").String(), "g") {
				matches = n + 1
				matching = matches * bytesPerMatch
			}
		} else if all {
			ps, _ := e.toString(pattern)
			matches = n/math.Max(1, float64(lengthOfString(ps))) + 1
		}
		if fn, ok := goja.AssertFunction(repl); ok {
			// A replacer function's results are charged as they come back.
			wrapped := e.vm.ToValue(func(call goja.FunctionCall) goja.Value {
				out, err := fn(call.This, call.Arguments...)
				if err != nil {
					panic(err)
				}
				os, _ := e.toString(out)
				if os == nil {
					os, _ = e.toString(e.vm.ToValue(out.String()))
				}
				e.charge("a replace callback", float64(os.Length())*2)
				return os
			})
			e.charge("String.prototype.replace", matching)
			return s, replaceArg(args, 1, wrapped)
		}
		rs, ok := e.toString(repl)
		if !ok {
			rs, _ = e.toString(e.vm.ToValue(repl.String()))
		}
		r := rs.String()
		cost := n + matches*float64(rs.Length())
		if d := float64(strings.Count(r, "$")); d > 0 {
			if strings.Contains(r, "$`") || strings.Contains(r, "$'") {
				cost += d * n * matches
			} else {
				cost += d * n
			}
		}
		e.charge("String.prototype.replace", cost*2+matching)
		return s, replaceArg(args, 1, rs)
	}
}

func splitCost(s goja.String, args []goja.Value) float64 {
	pieces, per := float64(s.Length())+1, float64(bytesPerPiece)
	switch sep := arg(args, 0).(type) {
	case goja.String:
		if sep.Length() > 1 {
			pieces = float64(s.Length())/float64(sep.Length()) + 1
		}
	case *goja.Object:
		if sep.ClassName() == "RegExp" {
			per = bytesPerMatch
		}
	}
	if lim := arg(args, 1); !goja.IsUndefined(lim) {
		pieces = math.Min(pieces, lim.ToFloat())
	}
	return pieces * per
}

func matchCost(s goja.String, args []goja.Value) float64 {
	if p, ok := arg(args, 0).(*goja.Object); ok && p.ClassName() == "RegExp" &&
		strings.Contains(p.Get("flags").String(), "g") {
		return (float64(s.Length()) + 1) * bytesPerMatch
	}
	return 0
}

// arrayGuard checks this array's length; copying methods are charged for it.
func (e *eval) arrayGuard(name string, copies bool) guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		per := 0.0
		if copies {
			per = bytesPerElem
		}
		what := "Array.prototype." + name
		if strings.HasPrefix(name, "[") {
			what = "Array.prototype" + name // a symbol-keyed method
		}
		e.chargeElems(what, e.guardedLength(what, this), per)
		return this, args
	}
}

func (e *eval) arrayConcatGuard() guard {
	return func(this goja.Value, args []goja.Value) (goja.Value, []goja.Value) {
		const what = "Array.prototype.concat"
		n := e.guardedLength(what, this)
		for _, a := range args {
			// Any object may be spread (Symbol.isConcatSpreadable): count its length.
			if o, ok := a.(*goja.Object); ok {
				n += max(e.guardedLength(what, o), 1)
			} else {
				n++
			}
		}
		e.chargeElems(what, n, bytesPerElem)
		return this, args
	}
}

// join is Array.prototype.join (and toLocaleString, and through them
// toString) in Go, charging what it builds as it builds it: goja's own would
// copy without bound in one call. A cycle joins as "", as the engines do.
func (e *eval) join(call goja.FunctionCall) goja.Value {
	vm := e.vm
	o := call.This.ToObject(vm)
	if e.joining[o] {
		return vm.ToValue("")
	}
	n := lengthOf(vm, o)
	sep := ","
	if s := call.Argument(0); !goja.IsUndefined(s) {
		sep = s.String()
	}
	if n == 0 {
		return vm.ToValue("")
	}
	e.chargeElems("Array.prototype.join", n, float64(len(sep)))
	if e.joining == nil {
		e.joining = map[*goja.Object]bool{}
	}
	e.joining[o] = true
	defer delete(e.joining, o)
	var b strings.Builder
	for i := int64(0); i < n; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		el := o.Get(strconv.FormatInt(i, 10))
		if el == nil || goja.IsUndefined(el) || goja.IsNull(el) {
			continue
		}
		s := el.String()
		e.charge("Array.prototype.join", float64(len(s)))
		b.WriteString(s)
	}
	return vm.ToValue(b.String())
}

// guardedLength is the length of v as a guarded built-in will see it. An
// array-like whose length comes from a getter is refused: the guard and the
// built-in each read it, and a getter can answer 1 to the guard and 4e9 to
// the built-in. Arrays, arguments objects and strings have plain lengths.
func (e *eval) guardedLength(what string, v goja.Value) int64 {
	if o, ok := v.(*goja.Object); ok {
		switch o.ClassName() {
		case "Array", "Arguments", "String":
		default:
			if e.computedLength(o) {
				e.refuse(fmt.Errorf("%w: %s on an array-like whose length is a getter", ErrMemory, what))
			}
		}
	}
	return lengthOf(e.vm, v)
}

// computedLength reports whether o's length, own or inherited, is an
// accessor property. It reads descriptors' own keys, which no script-defined
// getter on Object.prototype can fake.
func (e *eval) computedLength(o *goja.Object) bool {
	if e.ownDescriptor == nil {
		return true
	}
	for p := o; p != nil; p = p.Prototype() {
		d, err := e.ownDescriptor(goja.Undefined(), p, e.vm.ToValue("length"))
		if err != nil {
			return true
		}
		if goja.IsUndefined(d) {
			continue
		}
		return slices.Contains(d.ToObject(e.vm).Keys(), "get")
	}
	return false
}

// lengthOf is ToLength(v.length) for an object, the length of a string, 0
// otherwise.
func lengthOf(vm *goja.Runtime, v goja.Value) int64 {
	switch v := v.(type) {
	case nil:
		return 0
	case goja.String:
		return int64(v.Length())
	case *goja.Object:
		l := v.Get("length")
		if l == nil {
			return 0
		}
		f := l.ToFloat()
		if math.IsNaN(f) || f <= 0 {
			return 0
		}
		return int64(math.Min(f, 1<<53-1))
	}
	return 0
}

func lengthOfString(s goja.String) int {
	if s == nil {
		return 0
	}
	return s.Length()
}

func arg(args []goja.Value, i int) goja.Value {
	if i < len(args) {
		return args[i]
	}
	return goja.Undefined()
}

// number is ToNumber of args[i], 0 when NaN or absent.
func number(args []goja.Value, i int) float64 {
	f := arg(args, i).ToFloat()
	if math.IsNaN(f) {
		return 0
	}
	return f
}

// replaceArg returns args with args[i] = v, growing it if needed, without
// touching the caller's slice.
func replaceArg(args []goja.Value, i int, v goja.Value) []goja.Value {
	out := make([]goja.Value, max(len(args), i+1))
	copy(out, args)
	for j := len(args); j < i; j++ {
		out[j] = goja.Undefined()
	}
	out[i] = v
	return out
}
