#include "egress/rtmp_url.hpp"

#include <charconv>

namespace vela::egress {

namespace {

constexpr std::string_view kScheme = "rtmp://";
constexpr std::string_view kTlsScheme = "rtmps://";
constexpr std::string_view kMask = "****";

base::Error bad(std::string_view why) {
  return base::make_error("bad RTMP URL: " + std::string(why) +
                          " (expected rtmp://host[:port]/app/key)");
}

bool has_prefix_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool printable(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

base::Result<RtmpUrl> parse_rtmp_url(std::string_view url) {
  if (has_prefix_icase(url, kTlsScheme)) {
    return base::make_error("rtmps:// (RTMP over TLS) is not supported yet; use rtmp:// or srt://");
  }
  if (!has_prefix_icase(url, kScheme)) return bad("scheme is not rtmp://");
  if (!printable(url)) return bad("contains spaces or control characters");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("no app and key");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");

  RtmpUrl out;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("junk after the IPv6 host");
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (has_port) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad("port '" + std::string(port_text) + "' is not 1-65535");
    }
    out.port = static_cast<uint16_t>(port);
  }

  size_t app_end = path.find('/');
  if (app_end == std::string_view::npos || app_end == 0) return bad("no app and key");
  out.app = std::string(path.substr(0, app_end));
  out.key = std::string(path.substr(app_end + 1));
  if (out.app.find('?') != std::string::npos) return bad("a query in the app is not supported");
  if (out.key.empty() || out.key.front() == '?') return bad("no stream key");
  out.tc_url = std::string(kScheme) + std::string(authority) + "/" + out.app;
  return out;
}

std::string redact_rtmp_url(std::string_view url) {
  // Keep scheme, authority and app; mask the rest.
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(kMask);
  size_t authority_end = url.find('/', scheme_end + 3);
  if (authority_end == std::string_view::npos) return std::string(url);
  size_t app_end = url.find('/', authority_end + 1);
  if (app_end == std::string_view::npos)
    return std::string(url.substr(0, authority_end + 1)) + std::string(kMask);
  return std::string(url.substr(0, app_end + 1)) + std::string(kMask);
}

}  // namespace vela::egress
