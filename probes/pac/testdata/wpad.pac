/*
 * wpad.dat served by the DHCP/DNS auto-discovery host on every site.
 * The proxy is chosen by the site the client is in, from its own address.
 */
var sites = [
    // subnet,        mask,            proxy
    ["10.1.0.0",   "255.255.0.0",   "proxy.hq.example.net:8080"],
    ["10.2.0.0",   "255.255.0.0",   "proxy.branch-east.example.net:8080"],
    ["10.3.0.0",   "255.255.0.0",   "proxy.branch-west.example.net:8080"],
    ["172.20.0.0", "255.252.0.0",   "proxy.dc.example.net:3128"]
];

function FindProxyForURL(url, host) {
    var me = myIpAddress();

    if (isPlainHostName(host) || dnsDomainIs(host, ".example.net")) {
        return "DIRECT";
    }
    for (var i = 0; i < sites.length; i++) {
        if (isInNet(me, sites[i][0], sites[i][1])) {
            return "PROXY " + sites[i][2] + "; PROXY proxy.hq.example.net:8080";
        }
    }
    // VPN clients and unknown subnets: the HQ proxy, SOCKS as a last resort.
    return "PROXY proxy.hq.example.net:8080; SOCKS5 socks.hq.example.net:1080";
}
