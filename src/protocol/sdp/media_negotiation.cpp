#include "protocol/sdp/media_negotiation.hpp"

#include <algorithm>
#include <cctype>

#include "protocol/sdp/h264_profile.hpp"
#include "protocol/sdp/sdp_attributes.hpp"

namespace vela::protocol::sdp {
namespace {

constexpr std::string_view kH264DefaultProfileLevelId = "420010";  // RFC 6184 §8.1

struct Choice {
  const PayloadFormat* payload = nullptr;
  const PayloadFormat* rtx = nullptr;
  std::string profile_level_id;
};

MediaOutcome rejected(std::string reason) {
  MediaOutcome out;
  out.reason = std::move(reason);
  return out;
}

base::Result<Choice> choose_opus(const MediaDescription& m) {
  for (const auto& p : m.payloads) {
    if (iequals(p.encoding, "opus") && p.clock_rate == 48000 && p.channels == 2)
      return Choice{&p, nullptr, {}};
  }
  return base::make_error("no Opus 48000/2 offered");
}

base::Result<Choice> choose_h264(const MediaDescription& m) {
  Choice best;
  int best_rank = 0;
  bool any_mode1 = false;
  for (const auto& p : m.payloads) {
    if (!iequals(p.encoding, "H264") || p.clock_rate != 90000) continue;
    if (fmtp_value(p.fmtp, "packetization-mode").value_or("0") != "1") continue;
    any_mode1 = true;
    std::string plid =
        fmtp_value(p.fmtp, "profile-level-id").value_or(std::string(kH264DefaultProfileLevelId));
    auto id = parse_profile_level_id(plid);
    if (!id) continue;
    auto rank = h264_preference(classify(*id));
    if (!rank || (best.payload && *rank >= best_rank)) continue;
    best_rank = *rank;
    best.payload = &p;
    std::transform(plid.begin(), plid.end(), plid.begin(), [](char c) {
      return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    best.profile_level_id = plid;
  }
  if (!any_mode1) return base::make_error("no H.264 with packetization-mode=1 offered");
  if (!best.payload)
    return base::make_error(
        "no accepted H.264 profile offered (constrained baseline, baseline, main, high)");
  std::string apt = std::to_string(best.payload->payload_type);
  for (const auto& p : m.payloads) {
    if (iequals(p.encoding, "rtx") && p.clock_rate == best.payload->clock_rate &&
        fmtp_value(p.fmtp, "apt") == apt) {
      best.rtx = &p;
      break;
    }
  }
  return best;
}

bool feedback_supported(std::string_view fb, const FeedbackSupport& s, bool twcc_ext) {
  if (fb == "nack") return s.nack;
  if (fb == "nack pli") return s.pli;
  if (fb == "ccm fir") return s.fir;
  if (fb == "transport-cc") return s.transport_cc && twcc_ext;
  if (fb == "goog-remb") return s.goog_remb;
  return false;
}

// An extmap direction is from the offerer's point of view; the answer states its own.
std::string reversed_direction(std::string_view direction) {
  if (direction == "sendonly") return "recvonly";
  if (direction == "recvonly") return "sendonly";
  return std::string(direction);
}

// Keeps the supported extensions, media level first, then session level (RFC 8285).
std::vector<ExtMap> kept_extensions(const MediaDescription& m, const SessionDescription& s,
                                    const FeedbackSupport& support, HeaderExtensionIds& ids) {
  std::vector<ExtMap> kept;
  auto consider = [&](const ExtMap& ext) {
    uint16_t* slot = nullptr;
    if (ext.uri == kExtMid) {
      slot = &ids.mid;
    } else if (ext.uri == kExtAbsSendTime) {
      slot = &ids.abs_send_time;
    } else if (ext.uri == kExtTransportCc && support.transport_cc) {
      slot = &ids.transport_cc;
    }
    if (!slot || *slot != 0 || ext.direction == "inactive") return;
    for (const auto& k : kept) {
      if (k.id == ext.id) return;  // the id is taken by another kept extension
    }
    *slot = ext.id;
    kept.push_back(ExtMap{ext.id, reversed_direction(ext.direction), ext.uri, {}});
  };
  for (const auto& ext : m.extmaps) consider(ext);
  for (const auto& ext : s.extmaps) consider(ext);
  return kept;
}

// Media SSRCs in order of first appearance, each with its FID (RTX) partner.
std::vector<RemoteSource> remote_sources(const MediaDescription& m) {
  std::vector<uint32_t> repair;
  for (const auto& g : m.ssrc_groups) {
    if (g.semantics == "FID" && g.ssrcs.size() == 2) repair.push_back(g.ssrcs[1]);
  }
  std::vector<RemoteSource> out;
  for (const auto& attr : m.ssrcs) {
    if (std::find(repair.begin(), repair.end(), attr.ssrc) != repair.end()) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const RemoteSource& s) { return s.ssrc == attr.ssrc; });
    if (it == out.end()) {
      out.push_back(RemoteSource{attr.ssrc, std::nullopt, {}});
      it = out.end() - 1;
    }
    if (attr.name == "cname" && it->cname.empty()) it->cname = attr.value;
  }
  for (auto& source : out) {
    for (const auto& g : m.ssrc_groups) {
      if (g.semantics == "FID" && g.ssrcs.size() == 2 && g.ssrcs[0] == source.ssrc) {
        source.rtx_ssrc = g.ssrcs[1];
        break;
      }
    }
  }
  return out;
}

void announce_sources(MediaDescription& section, MediaKind kind, bool rtx,
                      const LocalSendSources& send) {
  bool own_audio_stream = kind == MediaKind::audio && !send.audio_stream_id.empty();
  section.msid = (own_audio_stream ? send.audio_stream_id : send.stream_id) + " " + std::string(to_string(kind));
  uint32_t ssrc = kind == MediaKind::audio ? send.audio_ssrc : send.video_ssrc;
  if (ssrc == 0) return;
  bool with_rtx = rtx && kind == MediaKind::video && send.video_rtx_ssrc != 0;
  if (with_rtx) section.ssrc_groups.push_back(SsrcGroup{"FID", {ssrc, send.video_rtx_ssrc}});
  section.ssrcs.push_back(SsrcAttribute{ssrc, "cname", send.cname});
  if (with_rtx) section.ssrcs.push_back(SsrcAttribute{send.video_rtx_ssrc, "cname", send.cname});
}

}  // namespace

MediaOutcome negotiate_media(const MediaDescription& offered, const SessionDescription& session,
                             const LocalParameters& local, ServerRole role) {
  MediaKind kind;
  if (offered.media == "audio") {
    kind = MediaKind::audio;
  } else if (offered.media == "video") {
    kind = MediaKind::video;
  } else {
    return rejected("unsupported media '" + offered.media + "'");
  }
  if (!offered.protocol.ends_with("RTP/SAVPF"))
    return rejected("protocol '" + offered.protocol + "' is not UDP/TLS/RTP/SAVPF");

  Direction ours;
  Direction theirs = offered.effective_direction();
  if (role == ServerRole::ingest) {
    if (theirs != Direction::sendonly && theirs != Direction::sendrecv)
      return rejected("WHIP offer section does not send (a=" + std::string(to_string(theirs)) +
                      ")");
    ours = Direction::recvonly;
  } else {
    if (theirs != Direction::recvonly && theirs != Direction::sendrecv)
      return rejected("WHEP offer section does not receive (a=" + std::string(to_string(theirs)) +
                      ")");
    ours = Direction::sendonly;
  }

  auto choice = kind == MediaKind::audio ? choose_opus(offered) : choose_h264(offered);
  if (!choice) return rejected(choice.error().message);

  NegotiatedMedia info;
  info.mid = offered.mid;
  info.kind = kind;
  info.direction = ours;
  const PayloadFormat& chosen = *choice->payload;
  info.payload_type = chosen.payload_type;
  info.encoding = chosen.encoding;
  info.clock_rate = chosen.clock_rate;
  info.channels = chosen.channels;
  info.fmtp = chosen.fmtp;
  info.h264_profile_level_id = choice->profile_level_id;

  MediaOutcome out;
  MediaDescription& section = out.section;
  section.media = offered.media;
  section.protocol = offered.protocol;
  section.mid = offered.mid;
  section.direction = ours;
  section.rtcp_mux = true;
  section.rtcp_rsize = offered.rtcp_rsize;
  section.extmaps = kept_extensions(offered, session, local.feedback, info.extensions);

  PayloadFormat answer_payload;
  answer_payload.payload_type = chosen.payload_type;
  answer_payload.encoding = chosen.encoding;
  answer_payload.clock_rate = chosen.clock_rate;
  answer_payload.channels = chosen.channels;
  answer_payload.fmtp = chosen.fmtp;
  bool twcc_ext = info.extensions.transport_cc != 0;
  for (const auto& fb : chosen.rtcp_fb) {
    if (!feedback_supported(fb, local.feedback, twcc_ext)) continue;
    if (std::find(answer_payload.rtcp_fb.begin(), answer_payload.rtcp_fb.end(), fb) !=
        answer_payload.rtcp_fb.end())
      continue;
    answer_payload.rtcp_fb.push_back(fb);
    if (fb == "nack") info.nack = true;
    if (fb == "nack pli") info.pli = true;
    if (fb == "ccm fir") info.fir = true;
    if (fb == "transport-cc") info.transport_cc = true;
    if (fb == "goog-remb") info.goog_remb = true;
  }
  section.formats.push_back(std::to_string(chosen.payload_type));
  section.payloads.push_back(std::move(answer_payload));

  if (choice->rtx && info.nack) {  // RTX repairs NACKed packets; useless without NACK
    const PayloadFormat& rtx = *choice->rtx;
    info.rtx_payload_type = rtx.payload_type;
    section.formats.push_back(std::to_string(rtx.payload_type));
    section.payloads.push_back(
        PayloadFormat{rtx.payload_type, rtx.encoding, rtx.clock_rate, 0, rtx.fmtp, {}});
  }

  info.remote_sources = remote_sources(offered);
  if (role == ServerRole::playback)
    announce_sources(section, kind, info.rtx_payload_type.has_value(), local.send);
  out.accepted = std::move(info);
  return out;
}

}  // namespace vela::protocol::sdp
