#include "protocol/sdp/sdp_attributes.hpp"

#include <cctype>

namespace vela::protocol::sdp {
namespace {

base::Error fail(std::string what) {
  return base::make_error(std::move(what));
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<uint8_t> payload_type_of(std::string_view text) {
  auto pt = parse_decimal(text, 127);
  if (!pt) return std::nullopt;
  return static_cast<uint8_t>(*pt);
}

// Digest length in bytes for the hash functions RFC 8122 names; 0 when unknown.
size_t digest_size(std::string_view algorithm) {
  if (algorithm == "sha-1") return 20;
  if (algorithm == "sha-224") return 28;
  if (algorithm == "sha-256") return 32;
  if (algorithm == "sha-384") return 48;
  if (algorithm == "sha-512") return 64;
  if (algorithm == "md5" || algorithm == "md2") return 16;
  return 0;
}

// "<first> <rest>" split at the first run of whitespace.
std::pair<std::string_view, std::string_view> split_first(std::string_view text) {
  size_t space = text.find_first_of(" \t");
  if (space == std::string_view::npos) return {text, {}};
  std::string_view rest = text.substr(space);
  size_t start = rest.find_first_not_of(" \t");
  return {text.substr(0, space),
          start == std::string_view::npos ? std::string_view{} : rest.substr(start)};
}

std::string_view trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(start, end - start + 1);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::vector<std::string_view> split_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = text.size();
    tokens.push_back(text.substr(start, end - start));
    pos = end;
  }
  return tokens;
}

std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

base::Result<RtpMap> parse_rtpmap(std::string_view value) {
  // <payload type> <encoding name>/<clock rate>[/<encoding parameters>]
  auto tokens = split_tokens(value);
  if (tokens.size() != 2) return fail("rtpmap needs '<pt> <encoding>/<clock rate>'");
  auto pt = payload_type_of(tokens[0]);
  if (!pt) return fail("rtpmap payload type '" + std::string(tokens[0]) + "' is not 0-127");
  std::string_view spec = tokens[1];
  size_t slash = spec.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return fail("rtpmap encoding '" + std::string(spec) + "' lacks '/<clock rate>'");
  RtpMap map;
  map.payload_type = *pt;
  map.encoding = std::string(spec.substr(0, slash));
  std::string_view rest = spec.substr(slash + 1);
  size_t slash2 = rest.find('/');
  auto clock = parse_decimal(rest.substr(0, slash2), 0xffffffffu);
  if (!clock || *clock == 0) return fail("rtpmap clock rate is not a positive number");
  map.clock_rate = static_cast<uint32_t>(*clock);
  if (slash2 != std::string_view::npos) {
    auto channels = parse_decimal(rest.substr(slash2 + 1), 255);
    if (!channels || *channels == 0) return fail("rtpmap channel count is not 1-255");
    map.channels = static_cast<uint32_t>(*channels);
  }
  return map;
}

base::Result<Fmtp> parse_fmtp(std::string_view value) {
  auto [first, rest] = split_first(value);
  auto pt = payload_type_of(first);
  if (!pt) return fail("fmtp payload type '" + std::string(first) + "' is not 0-127");
  return Fmtp{*pt, std::string(trim(rest))};
}

base::Result<RtcpFb> parse_rtcp_fb(std::string_view value) {
  auto [first, rest] = split_first(value);
  RtcpFb fb;
  if (first != "*") {
    auto pt = payload_type_of(first);
    if (!pt) return fail("rtcp-fb payload type '" + std::string(first) + "' is not 0-127 or *");
    fb.payload_type = *pt;
  }
  auto words = split_tokens(rest);
  if (words.empty()) return fail("rtcp-fb names no feedback type");
  for (auto word : words) {
    if (!fb.feedback.empty()) fb.feedback += ' ';
    fb.feedback += word;
  }
  return fb;
}

base::Result<ExtMap> parse_extmap(std::string_view value) {
  auto [head, rest] = split_first(value);
  auto [uri, attributes] = split_first(rest);
  ExtMap ext;
  size_t slash = head.find('/');
  auto id = parse_decimal(head.substr(0, slash), 4095);
  // 1-14 one-byte, 1-255 two-byte headers (RFC 8285); 0 and 15 are reserved.
  if (!id || *id == 0 || *id == 15 || *id > 255)
    return fail("extmap id '" + std::string(head.substr(0, slash)) + "' is not 1-14 or 16-255");
  ext.id = static_cast<uint16_t>(*id);
  if (slash != std::string_view::npos) {
    std::string_view dir = head.substr(slash + 1);
    if (dir != "sendonly" && dir != "recvonly" && dir != "sendrecv" && dir != "inactive")
      return fail("extmap direction '" + std::string(dir) + "' is unknown");
    ext.direction = std::string(dir);
  }
  if (uri.empty()) return fail("extmap names no URI");
  ext.uri = std::string(uri);
  ext.attributes = std::string(trim(attributes));
  return ext;
}

base::Result<Fingerprint> parse_fingerprint(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.size() != 2) return fail("fingerprint needs '<hash function> <hex:hex:...>'");
  Fingerprint fp;
  fp.algorithm = lower(tokens[0]);
  std::string_view hex = tokens[1];
  size_t bytes = 0;
  for (size_t i = 0; i < hex.size(); i += 3) {
    if (i + 2 > hex.size() || !is_hex(hex[i]) || !is_hex(hex[i + 1]) ||
        (i + 2 < hex.size() && hex[i + 2] != ':'))
      return fail("fingerprint value is not colon-separated hex pairs");
    ++bytes;
  }
  if (bytes == 0 || hex.back() == ':')
    return fail("fingerprint value is not colon-separated hex pairs");
  size_t expected = digest_size(fp.algorithm);
  if (expected != 0 && bytes != expected) {
    return fail("fingerprint " + fp.algorithm + " has " + std::to_string(bytes) +
                " bytes, expected " + std::to_string(expected));
  }
  fp.value = std::string(hex);
  for (char& c : fp.value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fp;
}

base::Result<Setup> parse_setup(std::string_view value) {
  std::string_view role = trim(value);
  if (role == "actpass") return Setup::actpass;
  if (role == "active") return Setup::active;
  if (role == "passive") return Setup::passive;
  if (role == "holdconn") return Setup::holdconn;
  return fail("setup role '" + std::string(role) + "' is not actpass/active/passive/holdconn");
}

base::Result<SsrcAttribute> parse_ssrc(std::string_view value) {
  auto [first, rest] = split_first(value);
  auto ssrc = parse_decimal(first, 0xffffffffu);
  if (!ssrc) return fail("ssrc '" + std::string(first) + "' is not a 32-bit number");
  if (rest.empty()) return fail("ssrc line names no attribute");
  SsrcAttribute attr;
  attr.ssrc = static_cast<uint32_t>(*ssrc);
  size_t colon = rest.find(':');
  attr.name = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) attr.value = std::string(rest.substr(colon + 1));
  if (attr.name.empty()) return fail("ssrc line names no attribute");
  return attr;
}

base::Result<SsrcGroup> parse_ssrc_group(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.size() < 2) return fail("ssrc-group needs '<semantics> <ssrc> ...'");
  SsrcGroup group;
  group.semantics = std::string(tokens[0]);
  for (size_t i = 1; i < tokens.size(); ++i) {
    auto ssrc = parse_decimal(tokens[i], 0xffffffffu);
    if (!ssrc)
      return fail("ssrc-group member '" + std::string(tokens[i]) + "' is not a 32-bit number");
    group.ssrcs.push_back(static_cast<uint32_t>(*ssrc));
  }
  return group;
}

base::Result<Group> parse_group(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.empty()) return fail("group names no semantics");
  Group group;
  group.semantics = std::string(tokens[0]);
  for (size_t i = 1; i < tokens.size(); ++i) group.mids.emplace_back(tokens[i]);
  return group;
}

std::vector<FmtpParameter> split_fmtp(std::string_view parameters) {
  std::vector<FmtpParameter> out;
  while (!parameters.empty()) {
    size_t semi = parameters.find(';');
    std::string_view item = trim(parameters.substr(0, semi));
    parameters = semi == std::string_view::npos ? std::string_view{} : parameters.substr(semi + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    FmtpParameter param;
    param.key = std::string(trim(item.substr(0, eq)));
    if (eq != std::string_view::npos) param.value = std::string(trim(item.substr(eq + 1)));
    out.push_back(std::move(param));
  }
  return out;
}

std::optional<std::string> fmtp_value(std::string_view parameters, std::string_view key) {
  for (auto& param : split_fmtp(parameters)) {
    if (iequals(param.key, key)) return param.value;
  }
  return std::nullopt;
}

}  // namespace vela::protocol::sdp
