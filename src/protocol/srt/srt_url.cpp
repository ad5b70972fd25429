#include "protocol/srt/srt_url.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "protocol/srt/stream_id.hpp"

namespace vela::protocol::srt {
namespace {

constexpr std::string_view kScheme = "srt://";
constexpr int kMaxLatencyMs = 60'000;

base::Error fail(const std::string& what) {
  return base::make_error("SRT URL: " + what);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

base::Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return fail("bad percent-encoding in '" + std::string(text) + "'");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

base::Status split_authority(std::string_view authority, SrtUrl& out) {
  std::string_view host;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.starts_with(':')) return fail("a port is required (srt://host:port)");
    port = rest.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) return fail("a port is required (srt://host:port)");
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail("an IPv6 host needs brackets");
  }
  if (host.empty()) return fail("empty host");
  if (host.find('@') != std::string_view::npos) return fail("user info is not supported");
  auto number = parse_int(port);
  if (!number || *number < 1 || *number > 65535)
    return fail("bad port '" + std::string(port) + "'");
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(*number);
  return {};
}

base::Status apply_option(std::string_view key, const std::string& value, SrtUrl& out) {
  if (key == "streamid") {
    if (value.size() > kMaxStreamIdLength) {
      return fail("streamid longer than " + std::to_string(kMaxStreamIdLength) + " bytes");
    }
    out.stream_id = value;
  } else if (key == "passphrase") {
    if (value.size() < 10 || value.size() > 79) return fail("passphrase must be 10-79 characters");
    out.passphrase = value;
  } else if (key == "pbkeylen") {
    auto n = parse_int(value);
    if (!n || (*n != 16 && *n != 24 && *n != 32)) return fail("pbkeylen must be 16, 24 or 32");
    out.pbkeylen = *n;
  } else if (key == "latency") {
    auto n = parse_int(value);
    if (!n || *n < 0 || *n > kMaxLatencyMs) {
      return fail("latency must be 0-" + std::to_string(kMaxLatencyMs) + " (milliseconds)");
    }
    out.latency_ms = *n;
  } else if (key == "mode") {
    if (value != "caller") return fail("only mode=caller is supported for push");
  } else if (key == "transtype") {
    if (value != "live") return fail("only transtype=live is supported");
  } else {
    return fail("unsupported option '" + std::string(key) + "'");
  }
  return {};
}

}  // namespace

base::Result<SrtUrl> parse_srt_url(std::string_view url) {
  if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) {
    return fail("must start with srt://");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t query_start = rest.find('?');
  std::string_view query =
      query_start == std::string_view::npos ? std::string_view{} : rest.substr(query_start + 1);
  std::string_view before_query = rest.substr(0, query_start);
  size_t slash = before_query.find('/');
  std::string_view authority = before_query.substr(0, slash);
  if (slash != std::string_view::npos && before_query.substr(slash) != "/") {
    return fail("a path is not supported (use ?streamid=...)");
  }
  SrtUrl out;
  if (auto s = split_authority(authority, out); !s) return s.error();
  std::vector<std::string_view> seen;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return fail("'" + std::string(pair) + "' is not key=value");
    std::string_view key = pair.substr(0, eq);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return fail("option '" + std::string(key) + "' given twice");
    }
    seen.push_back(key);
    auto value = percent_decode(pair.substr(eq + 1));
    if (!value) return value.error();
    if (auto s = apply_option(key, *value, out); !s) return s.error();
  }
  return out;
}

std::string redact_srt_url(std::string_view url) {
  size_t query_start = url.find('?');
  if (query_start == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, query_start + 1));
  std::string_view query = url.substr(query_start + 1);
  for (bool first = true;; first = false) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    if (pair.starts_with("passphrase=")) out += "passphrase=****";
    else if (pair.starts_with("streamid=")) out += "streamid=****";  // it carries the destination's key
    else out += pair;
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

}  // namespace vela::protocol::srt
