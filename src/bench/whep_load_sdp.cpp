// Offer/answer text of `vela bench whep-load` and what it reads from the server's SDP.
#include "bench/whep_load_sdp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "protocol/sdp/sdp.hpp"

namespace vela::bench {

namespace sdp = protocol::sdp;
using protocol::dtls::DtlsTransportRole;

namespace {

constexpr std::string_view kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view kTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";

std::string transport_lines(const LocalDescriptionParams& local, std::string_view setup) {
  return fmt::format(
      "c=IN IP4 0.0.0.0\r\n"
      "a=rtcp:9 IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:{}\r\n"
      "a=ice-pwd:{}\r\n"
      "a=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 {}\r\n"
      "a=setup:{}\r\n",
      local.ice_ufrag, local.ice_pwd, local.fingerprint, setup);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string make_ice_credential(size_t length, uint64_t seed) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937_64 random(seed);
  std::string out(length, 'A');
  for (char& c : out) c = kAlphabet[random() % kAlphabet.size()];
  return out;
}

std::string build_whep_offer(const LocalDescriptionParams& local) {
  std::string out = fmt::format(
      "v=0\r\n"
      "o=- {} 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0 1\r\n"
      "a=extmap-allow-mixed\r\n"
      "a=msid-semantic: WMS\r\n",
      local.session_id);
  out += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  out += transport_lines(local, "actpass");
  out += fmt::format(
      "a=mid:0\r\n"
      "a=extmap:2 {}\r\n"
      "a=extmap:3 {}\r\n"
      "a=extmap:4 {}\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
      kAbsSendTime, kTransportCc, kMid);
  out += "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n";
  out += transport_lines(local, "actpass");
  out += fmt::format(
      "a=mid:1\r\n"
      "a=extmap:2 {}\r\n"
      "a=extmap:3 {}\r\n"
      "a=extmap:4 {}\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtcp-rsize\r\n"
      "a=rtpmap:102 H264/90000\r\n"
      "a=rtcp-fb:102 goog-remb\r\n"
      "a=rtcp-fb:102 transport-cc\r\n"
      "a=rtcp-fb:102 ccm fir\r\n"
      "a=rtcp-fb:102 nack\r\n"
      "a=rtcp-fb:102 nack pli\r\n"
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
      "a=rtpmap:103 rtx/90000\r\n"
      "a=fmtp:103 apt=102\r\n",
      kAbsSendTime, kTransportCc, kMid);
  return out;
}

std::optional<RemoteCandidate> parse_candidate(std::string_view value) {
  // foundation component transport priority address port "typ" type ...
  auto w = words(value);
  if (w.size() < 8 || w[6] != "typ" || !iequals(w[2], "udp") || w[1] != "1") return std::nullopt;
  auto priority = number<uint32_t>(w[3]);
  auto port = number<uint16_t>(w[5]);
  if (!priority || !port || *port == 0 || w[4].empty()) return std::nullopt;
  if (w[4].find_first_not_of("0123456789.:abcdefABCDEF") != std::string_view::npos) return std::nullopt;
  return RemoteCandidate{std::string(w[4]), *port, *priority};
}

base::Result<RemoteDescription> parse_remote_description(std::string_view text, bool is_offer) {
  auto parsed = sdp::parse_sdp(text);
  if (!parsed) return base::make_error("remote SDP: " + parsed.error().message);
  const sdp::SessionDescription& s = *parsed;
  RemoteDescription out;
  out.ice_lite = s.ice_lite;
  out.offered_by_remote = is_offer;
  sdp::Setup setup = s.setup;
  auto take_ice = [&](const sdp::IceParameters& ice) {
    if (out.ice_ufrag.empty() && !ice.ufrag.empty()) out.ice_ufrag = ice.ufrag;
    if (out.ice_pwd.empty() && !ice.pwd.empty()) out.ice_pwd = ice.pwd;
  };
  auto take_fingerprint = [&](const std::vector<sdp::Fingerprint>& list) {
    for (const auto& f : list)
      if (out.fingerprint.empty() && f.algorithm == "sha-256") out.fingerprint = f.value;
  };
  auto take_extmaps = [&](const std::vector<sdp::ExtMap>& list) {
    for (const auto& e : list) {
      if (e.id > 14) continue;  // the one-byte form is all this generator reads
      uint8_t id = static_cast<uint8_t>(e.id);
      if (e.uri == kTransportCc && !out.transport_cc_id) out.transport_cc_id = id;
      if (e.uri == kAbsSendTime && !out.abs_send_time_id) out.abs_send_time_id = id;
      if (e.uri == kMid && !out.mid_id) out.mid_id = id;
    }
  };
  take_ice(s.ice);
  take_fingerprint(s.fingerprints);
  take_extmaps(s.extmaps);
  for (const auto& m : s.media) {
    if (m.port == 0 || !m.is_rtp()) continue;
    take_ice(m.ice);
    take_fingerprint(m.fingerprints);
    take_extmaps(m.extmaps);
    if (m.setup != sdp::Setup::none) setup = m.setup;
    for (const auto& c : m.candidates)
      if (auto candidate = parse_candidate(c)) out.candidates.push_back(std::move(*candidate));
    if (m.media == "audio" && !out.audio_pt) {
      for (const auto& p : m.payloads) {
        if (iequals(p.encoding, "opus")) {
          out.audio_pt = p.payload_type;
          out.audio_mid = m.mid;
          break;
        }
      }
    } else if (m.media == "video" && !out.video_pt) {
      for (const auto& p : m.payloads) {
        if (iequals(p.encoding, "H264")) {
          out.video_pt = p.payload_type;
          out.video_fmtp = p.fmtp;
          out.video_mid = m.mid;
          break;
        }
      }
      std::string apt = fmt::format("apt={}", out.video_pt);
      for (const auto& p : m.payloads)
        if (out.video_pt && iequals(p.encoding, "rtx") && p.fmtp.find(apt) != std::string::npos)
          out.video_rtx_pt = p.payload_type;
    }
  }
  if (out.ice_ufrag.empty() || out.ice_pwd.empty()) return base::make_error("remote SDP has no ice-ufrag/ice-pwd");
  if (out.fingerprint.empty()) return base::make_error("remote SDP has no sha-256 fingerprint");
  if (out.candidates.empty()) return base::make_error("remote SDP has no UDP candidate");
  if (!out.audio_pt && !out.video_pt) return base::make_error("remote SDP has neither Opus audio nor H.264 video");
  if (is_offer) {
    if (setup == sdp::Setup::active) out.our_role = DtlsTransportRole::server;
    else if (setup == sdp::Setup::holdconn) return base::make_error("remote offer has setup:holdconn");
  } else if (setup == sdp::Setup::passive) {
    out.our_role = DtlsTransportRole::client;
  } else if (setup == sdp::Setup::active) {
    out.our_role = DtlsTransportRole::server;
  } else {
    return base::make_error("remote answer's setup is neither active nor passive");
  }
  std::stable_sort(out.candidates.begin(), out.candidates.end(),
                   [](const RemoteCandidate& a, const RemoteCandidate& b) { return a.priority > b.priority; });
  return out;
}

std::string build_answer(const LocalDescriptionParams& local, const RemoteDescription& offer) {
  std::string setup = offer.our_role == DtlsTransportRole::client ? "active" : "passive";
  std::string bundle = "a=group:BUNDLE";
  if (offer.audio_pt) bundle += " " + offer.audio_mid;
  if (offer.video_pt) bundle += " " + offer.video_mid;
  std::string out = fmt::format(
      "v=0\r\n"
      "o=- {} 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "{}\r\n"
      "a=msid-semantic: WMS\r\n",
      local.session_id, bundle);
  std::string candidate = local.candidate.empty() ? "" : "a=candidate:" + local.candidate + "\r\n";
  auto extmaps = [&] {
    std::string lines;
    if (offer.abs_send_time_id) lines += fmt::format("a=extmap:{} {}\r\n", offer.abs_send_time_id, kAbsSendTime);
    if (offer.transport_cc_id) lines += fmt::format("a=extmap:{} {}\r\n", offer.transport_cc_id, kTransportCc);
    if (offer.mid_id) lines += fmt::format("a=extmap:{} {}\r\n", offer.mid_id, kMid);
    return lines;
  };
  if (offer.audio_pt) {
    out += fmt::format("m=audio 9 UDP/TLS/RTP/SAVPF {}\r\n", offer.audio_pt);
    out += transport_lines(local, setup);
    out += fmt::format("a=mid:{}\r\n", offer.audio_mid);
    out += candidate;
    out += extmaps();
    out += fmt::format(
        "a=recvonly\r\n"
        "a=rtcp-mux\r\n"
        "a=rtpmap:{0} opus/48000/2\r\n"
        "a=rtcp-fb:{0} transport-cc\r\n"
        "a=fmtp:{0} minptime=10;useinbandfec=1\r\n",
        offer.audio_pt);
  }
  if (offer.video_pt) {
    std::string pts = std::to_string(offer.video_pt);
    if (offer.video_rtx_pt) pts += " " + std::to_string(offer.video_rtx_pt);
    out += fmt::format("m=video 9 UDP/TLS/RTP/SAVPF {}\r\n", pts);
    out += transport_lines(local, setup);
    out += fmt::format("a=mid:{}\r\n", offer.video_mid);
    out += candidate;
    out += extmaps();
    out += fmt::format(
        "a=recvonly\r\n"
        "a=rtcp-mux\r\n"
        "a=rtcp-rsize\r\n"
        "a=rtpmap:{0} H264/90000\r\n"
        "a=rtcp-fb:{0} transport-cc\r\n"
        "a=rtcp-fb:{0} ccm fir\r\n"
        "a=rtcp-fb:{0} nack\r\n"
        "a=rtcp-fb:{0} nack pli\r\n",
        offer.video_pt);
    if (!offer.video_fmtp.empty()) out += fmt::format("a=fmtp:{} {}\r\n", offer.video_pt, offer.video_fmtp);
    if (offer.video_rtx_pt)
      out += fmt::format("a=rtpmap:{0} rtx/90000\r\na=fmtp:{0} apt={1}\r\n", offer.video_rtx_pt, offer.video_pt);
  }
  return out;
}

}  // namespace vela::bench
