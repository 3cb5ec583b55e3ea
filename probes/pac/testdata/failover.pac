// Every URL through a pair of proxies, direct only when both are down.
function FindProxyForURL(url, host) {
    return "PROXY a.proxy.example:8080; PROXY b.proxy.example:8080; DIRECT";
}
