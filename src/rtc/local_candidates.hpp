#pragma once
// The addresses Vela advertises in its ICE candidates: webrtc.public_ips when set (a
// server behind NAT or with a known public address); else the address webrtc.listen
// binds; else, for a wildcard bind, every up interface's IPv4 address (non-loopback
// first, loopback last so a browser on the same machine still finds us).
#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vela::rtc {

base::Result<std::vector<std::string>> candidate_addresses(const std::vector<std::string>& public_ips,
                                                           const boost::asio::ip::address& bound);

}  // namespace vela::rtc
