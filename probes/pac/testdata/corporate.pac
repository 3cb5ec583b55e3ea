// Proxy auto-configuration for the Example Corp network.
// Maintained by Network Engineering. Do not edit by hand: changes go through
// the netops change board. Last change: add the new build farm subnet.

function FindProxyForURL(url, host) {
    // Normalise: some browsers hand us upper case.
    host = host.toLowerCase();

    // 1. Plain host names and the loopback are always direct.
    if (isPlainHostName(host) ||
        host == "localhost" ||
        shExpMatch(host, "127.*") ||
        host == "::1") {
        return "DIRECT";
    }

    // 2. Internal namespaces.
    if (dnsDomainIs(host, ".corp.example.com") ||
        dnsDomainIs(host, ".example.internal") ||
        dnsDomainIs(host, ".lab.example.net") ||
        localHostOrDomainIs(host, "intranet.example.com") ||
        localHostOrDomainIs(host, "wiki.example.com")) {
        return "DIRECT";
    }

    // 3. Literal addresses in private space, without a DNS lookup.
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
        if (isInNet(host, "10.0.0.0", "255.0.0.0") ||
            isInNet(host, "172.16.0.0", "255.240.0.0") ||
            isInNet(host, "192.168.0.0", "255.255.0.0") ||
            isInNet(host, "100.64.0.0", "255.192.0.0")) {
            return "DIRECT";
        }
    }

    // 4. Partner extranet: through the partner gateway only.
    if (shExpMatch(host, "*.partner-one.example") ||
        shExpMatch(host, "*.partner-two.example") ||
        shExpMatch(host, "edi?.supplier.example")) {
        return "PROXY extranet-gw.corp.example.com:3128";
    }

    // 5. Video and large downloads: the bulk proxy, then the main pair.
    if (dnsDomainIs(host, ".youtube.com") ||
        dnsDomainIs(host, ".googlevideo.com") ||
        dnsDomainIs(host, ".windowsupdate.com") ||
        dnsDomainIs(host, ".download.microsoft.com") ||
        shExpMatch(url, "*.iso") ||
        shExpMatch(url, "*.dmg")) {
        return "PROXY bulk-proxy.corp.example.com:8080; PROXY proxy1.corp.example.com:8080";
    }

    // 6. SaaS the security team wants inspected by the TLS-inspecting proxy.
    var inspected = [
        ".salesforce.com", ".force.com", ".box.com", ".dropbox.com",
        ".slack.com", ".zoom.us", ".atlassian.net", ".github.com"
    ];
    for (var i = 0; i < inspected.length; i++) {
        if (dnsDomainIs(host, inspected[i])) {
            return "PROXY inspect.corp.example.com:8443";
        }
    }

    // 7. Hosts on our own networks by name: resolve once, then test.
    if (dnsDomainIs(host, ".example.com")) {
        var ip = dnsResolve(host);
        if (ip && (isInNet(ip, "10.0.0.0", "255.0.0.0") ||
                   isInNet(ip, "172.16.0.0", "255.240.0.0"))) {
            return "DIRECT";
        }
    }

    // 8. Guest Wi-Fi has no proxy.
    if (isInNet(myIpAddress(), "192.168.200.0", "255.255.248.0")) {
        return "DIRECT";
    }

    // 9. Out of hours the secondary proxy takes the load during maintenance.
    if (weekdayRange("SAT", "SUN") || timeRange(22, 6)) {
        return "PROXY proxy2.corp.example.com:8080; PROXY proxy1.corp.example.com:8080; DIRECT";
    }

    // 10. Everything else.
    return "PROXY proxy1.corp.example.com:8080; PROXY proxy2.corp.example.com:8080; DIRECT";
}
