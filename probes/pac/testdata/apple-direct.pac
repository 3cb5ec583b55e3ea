// Proxy everything except Apple's services, which go direct: push
// notifications, sign-in and iCloud don't survive a TLS-inspecting proxy.

var appleDomains = [
    "apple.com", "icloud.com", "icloud-content.com", "apple-cloudkit.com",
    "cdn-apple.com", "mzstatic.com", "apple.news", "itunes.com"
];

function isApple(host) {
    for (var i = 0; i < appleDomains.length; i++) {
        var d = appleDomains[i];
        if (host == d || dnsDomainIs(host, "." + d)) {
            return true;
        }
    }
    return false;
}

function FindProxyForURL(url, host) {
    if (isPlainHostName(host)) {
        return "DIRECT";
    }
    // Apple's whole network, 17.0.0.0/8, is direct too.
    if (isApple(host) || shExpMatch(host, "*.push.apple.com") ||
        isInNet(host, "17.0.0.0", "255.0.0.0")) {
        return "DIRECT";
    }
    if (shExpMatch(url, "http:*")) {
        return "PROXY webproxy.example.org:3128";
    }
    return "PROXY webproxy.example.org:3128; DIRECT";
}
