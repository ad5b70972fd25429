#pragma once
// What a stream name may be, wherever one comes from (a publish key, an SRT stream id, an
// API path): 1-128 of A-Z a-z 0-9 _ . -, not starting with a dot. Such a name is safe in a
// URL path, a file name, a log line and a metric label as it is.
#include <string_view>

namespace vela::base {

inline constexpr std::string_view kStreamNameRule = "1-128 of A-Z a-z 0-9 _ . -";

constexpr bool is_valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.';
    if (!ok) return false;
  }
  return true;
}

// The name as it may be written in a log line: itself when valid, else a placeholder, so that
// a client cannot write control characters or fake lines into the log.
constexpr std::string_view loggable_stream_name(std::string_view name) {
  return is_valid_stream_name(name) ? name : std::string_view("(invalid name)");
}

}  // namespace vela::base
