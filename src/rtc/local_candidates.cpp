#include "rtc/local_candidates.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace vela::rtc {

namespace {

std::vector<std::string> interface_ipv4_addresses() {
  std::vector<std::string> regular;
  std::vector<std::string> loopback;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {"127.0.0.1"};
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET || !(entry->ifa_flags & IFF_UP)) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(entry->ifa_addr);
    boost::asio::ip::address_v4 address(ntohl(in->sin_addr.s_addr));
    (address.is_loopback() ? loopback : regular).push_back(address.to_string());
  }
  freeifaddrs(list);
  regular.insert(regular.end(), loopback.begin(), loopback.end());
  if (regular.empty()) regular.push_back("127.0.0.1");
  return regular;
}

}  // namespace

base::Result<std::vector<std::string>> candidate_addresses(const std::vector<std::string>& public_ips,
                                                           const boost::asio::ip::address& bound) {
  if (!public_ips.empty()) {
    for (const auto& ip : public_ips) {
      boost::system::error_code ec;
      boost::asio::ip::make_address(ip, ec);
      if (ec) return base::make_error("'" + ip + "' is not an IP address");
    }
    return public_ips;
  }
  if (!bound.is_unspecified()) return std::vector<std::string>{bound.to_string()};
  return interface_ipv4_addresses();
}

}  // namespace vela::rtc
