package org.modseqproxy.proxy.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers allowed to speak the PROXY protocol to us (listen.proxyProtocolTrusted): CIDR blocks, IPv4 or IPv6. A
 * declared client address is believed only from these (HAProxy's proxy-protocol.txt, section 2: "the receiver must be
 * configured to only receive this protocol from trusted sources"). Matching is Netty's subnet rule.
 */
public final class TrustedNetworks {
    private final List<String> blocks;
    private final List<IpSubnetFilterRule> rules;

    private TrustedNetworks(List<String> blocks, List<IpSubnetFilterRule> rules) {
        this.blocks = List.copyOf(blocks);
        this.rules = List.copyOf(rules);
    }

    /** Each entry is {@code address/prefix} or a bare address (a single host). */
    public static TrustedNetworks parse(String key, List<String> entries) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String e : entries) {
            String s = e.trim();
            int slash = s.indexOf('/');
            String address = slash < 0 ? s : s.substring(0, slash);
            boolean v6 = address.contains(":");
            try {
                int prefix = slash < 0 ? (v6 ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
                if (prefix < 0 || prefix > (v6 ? 128 : 32)) {
                    throw new IllegalArgumentException("prefix out of range");
                }
                rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
            } catch (RuntimeException bad) {
                throw new ConfigException(
                        key + ": '" + e + "' is not an address or a CIDR block (10.0.0.0/8, ::1/128)");
            }
        }
        return new TrustedNetworks(entries, rules);
    }

    public boolean contains(InetSocketAddress peer) {
        if (peer == null || peer.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(peer)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(",", blocks);
    }
}
