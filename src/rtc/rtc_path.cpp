#include "rtc/rtc_path.hpp"

#include <string_view>

namespace vela::rtc {

size_t RtcPathHash::operator()(const RtcPath& path) const {
  std::string_view ip(reinterpret_cast<const char*>(path.remote.ip.data()), path.remote.ip_size());
  size_t h = std::hash<std::string_view>{}(ip);
  h ^= (static_cast<size_t>(path.remote.port) << 1) ^ (path.tcp_connection * 0x9e3779b97f4a7c15ULL);
  return h;
}

}  // namespace vela::rtc
