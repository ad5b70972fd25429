#pragma once
// SRT destination URLs for push-out, in the form srt-live-transmit and ffmpeg accept:
//   srt://host:port?streamid=...&passphrase=...&pbkeylen=16&latency=200&mode=caller
// The port is required (SRT has no default). Values are percent-decoded, so a stream id
// may be written raw ("#!::r=live/x,m=publish") or encoded ("%23%21%3A%3A..."). latency
// is in milliseconds (libsrt's and srt-live-transmit's unit; ffmpeg's own option is in
// microseconds). Only caller mode and live transmission are supported; any other option
// is refused by name, so a typo is not silently ignored. Hosts may be names, IPv4 or
// bracketed IPv6 literals. Pure; never throws.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::protocol::srt {

struct SrtUrl {
  std::string host;  // without brackets
  uint16_t port = 0;
  std::string stream_id;          // empty: none sent
  std::string passphrase;         // empty: unencrypted; else 10-79 characters
  std::optional<int> pbkeylen;    // 16, 24 or 32 (AES key bytes)
  std::optional<int> latency_ms;  // 0..60000
};

base::Result<SrtUrl> parse_srt_url(std::string_view url);

// The URL with its passphrase and stream id (which carries the destination's stream key)
// masked ("passphrase=****", "streamid=****"), for logs and the API.
std::string redact_srt_url(std::string_view url);

}  // namespace vela::protocol::srt
