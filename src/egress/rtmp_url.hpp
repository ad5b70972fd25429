#pragma once
// RTMP destination URLs: rtmp://host[:port]/app/key. The app is the first path segment
// and the stream key is everything after it, any '/' and "?query" included (so
// rtmp://h/app/inst/key publishes "inst/key" on app "app": inner segments belong to the
// key, as nginx-rtmp and most services read them). The port defaults to 1935. Hosts may be
// names, IPv4 or bracketed IPv6 literals. rtmps:// is recognized and refused with a clear
// reason (TLS push is not built). Pure; any thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::egress {

struct RtmpUrl {
  std::string host;  // without brackets
  uint16_t port = 1935;
  std::string app;
  std::string key;     // the publish name: the secret part
  std::string tc_url;  // rtmp://host[:port]/app, sent in connect
};

base::Result<RtmpUrl> parse_rtmp_url(std::string_view url);

// The URL with its key masked ("rtmp://host/app/****"), for logs and the API. Text that
// does not parse is masked after its first path segment or entirely.
std::string redact_rtmp_url(std::string_view url);

}  // namespace vela::egress
