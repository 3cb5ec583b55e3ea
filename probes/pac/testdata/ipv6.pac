// A Microsoft-style script using the IPv6 "Ex" helpers: IPv6-only clients
// use the IPv6 proxy, and internal v4 or v6 addresses go direct.
function FindProxyForURL(url, host) {
    var addrs = dnsResolveEx(host);
    if (addrs == "") {
        return "PROXY [2001:db8:100::8]:8080";
    }
    if (isInNetEx(addrs, "10.0.0.0/8") || isInNetEx(addrs, "fd00::/8")) {
        return "DIRECT";
    }
    var mine = sortIpAddressList(myIpAddressEx());
    if (mine && mine.indexOf(":") >= 0 && !isResolvable(host)) {
        return "HTTPS [2001:db8:100::8]:8443";
    }
    return "PROXY 192.0.2.8:8080";
}
