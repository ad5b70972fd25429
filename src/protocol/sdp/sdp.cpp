#include "protocol/sdp/sdp.hpp"

#include <algorithm>

#include "protocol/sdp/sdp_attributes.hpp"

namespace vela::protocol::sdp {
namespace {

constexpr size_t kQuotedLineLength = 80;

bool has_control_chars(std::string_view line) {
  return std::any_of(line.begin(), line.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

base::Result<Connection> parse_connection(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.size() != 3) return base::make_error("c= needs '<nettype> <addrtype> <address>'");
  return Connection{std::string(tokens[0]), std::string(tokens[1]), std::string(tokens[2])};
}

base::Result<Origin> parse_origin(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.size() != 6)
    return base::make_error(
        "o= needs 6 fields (username sess-id sess-version nettype addrtype address)");
  return Origin{std::string(tokens[0]), std::string(tokens[1]), std::string(tokens[2]),
                std::string(tokens[3]), std::string(tokens[4]), std::string(tokens[5])};
}

base::Result<MediaDescription> parse_media_line(std::string_view value) {
  auto tokens = split_tokens(value);
  if (tokens.size() < 4) return base::make_error("m= needs '<media> <port> <proto> <fmt> ...'");
  MediaDescription media;
  media.media = std::string(tokens[0]);
  std::string_view port = tokens[1];
  size_t slash = port.find('/');
  auto number = parse_decimal(port.substr(0, slash), 65535);
  if (!number) return base::make_error("m= port '" + std::string(port) + "' is not 0-65535");
  media.port = static_cast<uint16_t>(*number);
  if (slash != std::string_view::npos) {
    auto count = parse_decimal(port.substr(slash + 1), 65535);
    if (!count || *count == 0) return base::make_error("m= port count is not a positive number");
    media.port_count = static_cast<uint16_t>(*count);
  }
  media.protocol = std::string(tokens[2]);
  for (size_t i = 3; i < tokens.size(); ++i) media.formats.emplace_back(tokens[i]);
  if (media.is_rtp()) {
    for (const auto& format : media.formats) {
      auto pt = parse_decimal(format, 127);
      if (!pt) return base::make_error("m= payload type '" + format + "' is not 0-127");
      if (media.payload(static_cast<uint8_t>(*pt)))
        return base::make_error("m= lists payload type " + format + " twice");
      PayloadFormat payload;
      payload.payload_type = static_cast<uint8_t>(*pt);
      media.payloads.push_back(std::move(payload));
    }
  }
  return media;
}

std::optional<Direction> direction_named(std::string_view name) {
  if (name == "sendrecv") return Direction::sendrecv;
  if (name == "sendonly") return Direction::sendonly;
  if (name == "recvonly") return Direction::recvonly;
  if (name == "inactive") return Direction::inactive;
  return std::nullopt;
}

// The transport attributes that may appear at session or media level.
struct TransportRefs {
  IceParameters& ice;
  std::vector<Fingerprint>& fingerprints;
  Setup& setup;
  std::vector<ExtMap>& extmaps;
};

class Parser {
 public:
  base::Result<SessionDescription> run(std::string_view text);

 private:
  base::Status line(char type, std::string_view value);
  base::Status attribute(std::string_view name, std::string_view value, bool has_value);
  // true when the attribute was one of the shared transport ones
  base::Result<bool> transport_attribute(TransportRefs refs, std::string_view name,
                                         std::string_view value);
  base::Status media_attribute(MediaDescription& media, std::string_view name,
                               std::string_view value, bool has_value);
  base::Status finish();

  SessionDescription sd_;
  MediaDescription* media_ = nullptr;
  size_t attributes_ = 0;  // a= lines in the current section
  bool seen_origin_ = false;
  bool seen_name_ = false;
};

base::Result<SessionDescription> Parser::run(std::string_view text) {
  if (text.empty()) return base::make_error("sdp: empty");
  if (text.size() > kMaxSdpSize)
    return base::make_error("sdp: larger than " + std::to_string(kMaxSdpSize) + " bytes");
  size_t line_no = 0;
  bool first = true;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line_no > kMaxLines)
      return base::make_error("sdp: more than " + std::to_string(kMaxLines) + " lines");
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    auto where = [&] {
      std::string quoted(raw.substr(0, kQuotedLineLength));
      for (char& c : quoted) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
      }
      if (raw.size() > kQuotedLineLength) quoted += "...";
      return "sdp line " + std::to_string(line_no) + " '" + quoted + "': ";
    };
    if (has_control_chars(raw)) return base::make_error(where() + "contains control characters");
    if (raw.size() < 2 || raw[1] != '=' || raw[0] < 'a' || raw[0] > 'z')
      return base::make_error(where() + "is not '<type>=<value>'");
    if (first && raw[0] != 'v') return base::make_error(where() + "the first line must be v=0");
    first = false;
    if (auto status = line(raw[0], raw.substr(2)); !status)
      return base::make_error(where() + status.error().message);
  }
  if (first) return base::make_error("sdp: no lines");
  if (auto status = finish(); !status) return base::make_error("sdp: " + status.error().message);
  return std::move(sd_);
}

base::Status Parser::line(char type, std::string_view value) {
  switch (type) {
    case 'v':
      if (media_ || seen_origin_) return base::make_error("v= must come first, once");
      if (value != "0") return base::make_error("unsupported version (expected v=0)");
      return {};
    case 'o': {
      if (media_ || seen_origin_) return base::make_error("o= must appear once, before m=");
      auto origin = parse_origin(value);
      if (!origin) return origin.error();
      sd_.origin = std::move(*origin);
      seen_origin_ = true;
      return {};
    }
    case 's':
      if (media_ || seen_name_) return base::make_error("s= must appear once, before m=");
      sd_.session_name = std::string(value);
      seen_name_ = true;
      return {};
    case 't':
      if (!media_) sd_.timing = std::string(value);
      return {};
    case 'c': {
      auto connection = parse_connection(value);
      if (!connection) return connection.error();
      if (media_) {
        media_->connection = std::move(*connection);
      } else {
        sd_.connection = std::move(*connection);
      }
      return {};
    }
    case 'm': {
      if (!seen_origin_) return base::make_error("m= before o=");
      if (sd_.media.size() >= kMaxMediaSections)
        return base::make_error("more than " + std::to_string(kMaxMediaSections) +
                                " media sections");
      auto media = parse_media_line(value);
      if (!media) return media.error();
      sd_.media.push_back(std::move(*media));
      media_ = &sd_.media.back();
      attributes_ = 0;
      return {};
    }
    case 'a': {
      if (++attributes_ > kMaxAttributesPerSection)
        return base::make_error("more than " + std::to_string(kMaxAttributesPerSection) +
                                " attributes in one section");
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::string_view rest =
          colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
      if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
        return base::make_error("attribute has no valid name");
      return attribute(name, rest, colon != std::string_view::npos);
    }
    default:
      return {};  // b=, i=, u=, e=, p=, z=, k=, r= and unknown types: nothing to negotiate
  }
}

base::Result<bool> Parser::transport_attribute(TransportRefs refs, std::string_view name,
                                               std::string_view value) {
  if (name == "ice-ufrag") {
    if (value.empty()) return base::make_error("empty ice-ufrag");
    refs.ice.ufrag = std::string(value);
  } else if (name == "ice-pwd") {
    if (value.empty()) return base::make_error("empty ice-pwd");
    refs.ice.pwd = std::string(value);
  } else if (name == "ice-options") {
    refs.ice.options = std::string(value);
  } else if (name == "fingerprint") {
    auto fp = parse_fingerprint(value);
    if (!fp) return fp.error();
    refs.fingerprints.push_back(std::move(*fp));
  } else if (name == "setup") {
    auto setup = parse_setup(value);
    if (!setup) return setup.error();
    refs.setup = *setup;
  } else if (name == "extmap") {
    auto ext = parse_extmap(value);
    if (!ext) return ext.error();
    for (const auto& existing : refs.extmaps) {
      if (existing.id == ext->id)
        return base::make_error("extmap id " + std::to_string(ext->id) + " used twice");
    }
    refs.extmaps.push_back(std::move(*ext));
  } else {
    return false;
  }
  return true;
}

base::Status Parser::attribute(std::string_view name, std::string_view value, bool has_value) {
  if (media_) {
    TransportRefs refs{media_->ice, media_->fingerprints, media_->setup, media_->extmaps};
    auto shared = transport_attribute(refs, name, value);
    if (!shared) return shared.error();
    if (*shared) return {};
    return media_attribute(*media_, name, value, has_value);
  }
  TransportRefs refs{sd_.ice, sd_.fingerprints, sd_.setup, sd_.extmaps};
  auto shared = transport_attribute(refs, name, value);
  if (!shared) return shared.error();
  if (*shared) return {};
  if (name == "group") {
    auto group = parse_group(value);
    if (!group) return group.error();
    sd_.groups.push_back(std::move(*group));
  } else if (name == "ice-lite") {
    sd_.ice_lite = true;
  } else if (name == "msid-semantic") {
    sd_.msid_semantic = std::string(value);
  } else if (name == "extmap-allow-mixed") {
    sd_.extmap_allow_mixed = true;
  } else {
    sd_.other.push_back(Attribute{std::string(name), std::string(value), has_value});
  }
  return {};
}

base::Status Parser::media_attribute(MediaDescription& media, std::string_view name,
                                     std::string_view value, bool has_value) {
  auto payload_for = [&](uint8_t pt, std::string_view what) -> base::Result<PayloadFormat*> {
    for (auto& payload : media.payloads) {
      if (payload.payload_type == pt) return &payload;
    }
    return base::make_error(std::string(what) + " for payload type " + std::to_string(pt) +
                            " not listed on the m= line");
  };
  if (auto dir = direction_named(name)) {
    if (media.direction && *media.direction != *dir)
      return base::make_error("conflicting direction attributes");
    media.direction = *dir;
  } else if (name == "mid") {
    if (value.empty() || value.find_first_of(" \t") != std::string_view::npos)
      return base::make_error("mid must be one non-empty token");
    if (!media.mid.empty()) return base::make_error("second a=mid in one section");
    media.mid = std::string(value);
  } else if (name == "rtpmap" && media.is_rtp()) {
    auto map = parse_rtpmap(value);
    if (!map) return map.error();
    auto payload = payload_for(map->payload_type, "rtpmap");
    if (!payload) return payload.error();
    if (!(*payload)->encoding.empty())
      return base::make_error("second rtpmap for one payload type");
    (*payload)->encoding = std::move(map->encoding);
    (*payload)->clock_rate = map->clock_rate;
    (*payload)->channels = map->channels;
  } else if (name == "fmtp" && media.is_rtp()) {
    auto fmtp = parse_fmtp(value);
    if (!fmtp) return fmtp.error();
    auto payload = payload_for(fmtp->payload_type, "fmtp");
    if (!payload) return payload.error();
    if (!(*payload)->fmtp.empty()) return base::make_error("second fmtp for one payload type");
    (*payload)->fmtp = std::move(fmtp->parameters);
  } else if (name == "rtcp-fb" && media.is_rtp()) {
    auto fb = parse_rtcp_fb(value);
    if (!fb) return fb.error();
    if (!fb->payload_type) {
      for (auto& payload : media.payloads) payload.rtcp_fb.push_back(fb->feedback);
    } else {
      auto payload = payload_for(*fb->payload_type, "rtcp-fb");
      if (!payload) return payload.error();
      (*payload)->rtcp_fb.push_back(std::move(fb->feedback));
    }
  } else if (name == "rtcp-mux") {
    media.rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    media.rtcp_rsize = true;
  } else if (name == "bundle-only") {
    media.bundle_only = true;
  } else if (name == "msid") {
    media.msid = std::string(value);
  } else if (name == "ssrc") {
    auto ssrc = parse_ssrc(value);
    if (!ssrc) return ssrc.error();
    media.ssrcs.push_back(std::move(*ssrc));
  } else if (name == "ssrc-group") {
    auto group = parse_ssrc_group(value);
    if (!group) return group.error();
    media.ssrc_groups.push_back(std::move(*group));
  } else if (name == "candidate") {
    if (value.empty()) return base::make_error("empty candidate");
    media.candidates.emplace_back(value);
  } else if (name == "end-of-candidates") {
    media.end_of_candidates = true;
  } else {
    media.other.push_back(Attribute{std::string(name), std::string(value), has_value});
  }
  return {};
}

base::Status Parser::finish() {
  if (!seen_origin_) return base::make_error("missing o= line");
  if (!seen_name_) return base::make_error("missing s= line");
  for (size_t i = 0; i < sd_.media.size(); ++i) {
    const auto& mid = sd_.media[i].mid;
    if (mid.empty()) continue;
    for (size_t j = i + 1; j < sd_.media.size(); ++j) {
      if (sd_.media[j].mid == mid) return base::make_error("mid '" + mid + "' used twice");
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "sendrecv";
}

std::string_view to_string(Setup setup) {
  switch (setup) {
    case Setup::none:
      return "";
    case Setup::actpass:
      return "actpass";
    case Setup::active:
      return "active";
    case Setup::passive:
      return "passive";
    case Setup::holdconn:
      return "holdconn";
  }
  return "";
}

bool MediaDescription::is_rtp() const {
  return protocol.find("RTP/") != std::string::npos;
}

const PayloadFormat* MediaDescription::payload(uint8_t payload_type) const {
  for (const auto& p : payloads) {
    if (p.payload_type == payload_type) return &p;
  }
  return nullptr;
}

const Group* SessionDescription::bundle_group() const {
  for (const auto& group : groups) {
    if (group.semantics == "BUNDLE") return &group;
  }
  return nullptr;
}

base::Result<SessionDescription> parse_sdp(std::string_view text) {
  Parser parser;
  return parser.run(text);
}

}  // namespace vela::protocol::sdp
