#pragma once
// Parsers for the values of the SDP attributes negotiation depends on (the text after
// "a=<name>:"). Each returns an error that says what is wrong with the value; the SDP
// parser adds the line number. Pure helpers shared by the parser and the negotiation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "protocol/sdp/sdp.hpp"

namespace vela::protocol::sdp {

// Whitespace-separated tokens (runs of spaces or tabs count as one separator).
std::vector<std::string_view> split_tokens(std::string_view text);

// A decimal number in [0, max] with no sign, no spaces and at most 10 digits.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);

struct RtpMap {
  uint8_t payload_type = 0;
  std::string encoding;
  uint32_t clock_rate = 0;
  uint32_t channels = 0;
};
struct Fmtp {
  uint8_t payload_type = 0;
  std::string parameters;
};
struct RtcpFb {
  std::optional<uint8_t> payload_type;  // nullopt for the "*" wildcard
  std::string feedback;                 // "nack pli"
};

base::Result<RtpMap> parse_rtpmap(std::string_view value);
base::Result<Fmtp> parse_fmtp(std::string_view value);
base::Result<RtcpFb> parse_rtcp_fb(std::string_view value);
base::Result<ExtMap> parse_extmap(std::string_view value);
base::Result<Fingerprint> parse_fingerprint(std::string_view value);
base::Result<Setup> parse_setup(std::string_view value);
base::Result<SsrcAttribute> parse_ssrc(std::string_view value);
base::Result<SsrcGroup> parse_ssrc_group(std::string_view value);
base::Result<Group> parse_group(std::string_view value);

// fmtp parameters "a=b;c=d" (RFC 8866 leaves the format to the codec; this is the
// key=value;... form H.264, Opus and RTX use). Keys are compared case-insensitively.
struct FmtpParameter {
  std::string key;
  std::string value;
};
std::vector<FmtpParameter> split_fmtp(std::string_view parameters);
std::optional<std::string> fmtp_value(std::string_view parameters, std::string_view key);

bool iequals(std::string_view a, std::string_view b);

}  // namespace vela::protocol::sdp
