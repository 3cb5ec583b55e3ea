package netenv

import (
	"net/http"
	"net/url"
)

// ProxyConfig is the proxy setup the OS applies to new connections.
// PLACEHOLDER: the full implementation replaces this file.
type ProxyConfig struct {
	Source string `json:"source"`
}

// ProxyFunc returns what http.Transport.Proxy needs.
func (p ProxyConfig) ProxyFunc() func(*http.Request) (*url.URL, error) {
	return func(*http.Request) (*url.URL, error) { return nil, nil }
}
