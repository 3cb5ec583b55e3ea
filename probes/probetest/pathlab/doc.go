// Package pathlab builds real path faults between two Linux network
// namespaces for end-to-end tests: latency, an MTU black hole and broken
// IPv6. (Documentation in progress.)
package pathlab
