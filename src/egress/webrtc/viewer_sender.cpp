#include "egress/webrtc/viewer_sender.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include "protocol/rtp/rtp_packet.hpp"

namespace vela::egress {
namespace {

namespace rtp = protocol::rtp;

constexpr int64_t kMicros = 1'000'000;
constexpr uint64_t kNtpUnixOffsetSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01
constexpr size_t kResentSlots = 512;
constexpr size_t kMaxOneByteElement = 16;
constexpr size_t kMaxSegments = 8;               // sources remembered for NACKs
constexpr uint32_t kAudioFrameSpacing = 960;     // 20 ms at 48 kHz

// SplitMix64: spreads the session's random SSRCs into independent bases.
uint64_t mix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// abs-send-time: seconds in 6.18 fixed point, 24 bits.
uint32_t abs_send_time(int64_t now_us) {
  const auto us = static_cast<uint64_t>(std::max<int64_t>(now_us, 0));
  const uint64_t seconds = us / kMicros;
  const uint64_t fraction = ((us % kMicros) << 18) / kMicros;
  return static_cast<uint32_t>(((seconds << 18) + fraction) & 0xFFFFFF);
}

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

}  // namespace

ViewerSender::ViewerSender(ViewerSenderConfig config)
    : config_(std::move(config)), rtx_sequence_(config_.rtx_sequence_base), resent_(kResentSlots) {}

ViewerSenderConfig ViewerSender::config_from(const protocol::sdp::Negotiated& negotiated,
                                             uint32_t audio_ssrc, uint32_t video_ssrc,
                                             uint32_t video_rtx_ssrc) {
  ViewerSenderConfig config;
  uint64_t seed = (uint64_t{video_ssrc} << 32) ^ audio_ssrc ^ (uint64_t{video_rtx_ssrc} << 11);
  for (const auto& m : negotiated.media) {
    if (m.direction != protocol::sdp::Direction::sendonly &&
        m.direction != protocol::sdp::Direction::sendrecv) {
      continue;
    }
    const bool video = m.kind == protocol::sdp::MediaKind::video;
    ViewerMediaConfig& media = video ? config.video : config.audio;
    if (media.enabled) continue;  // the answer accepts one section per kind
    media.enabled = true;
    media.payload_type = m.payload_type;
    media.ssrc = video ? video_ssrc : audio_ssrc;
    media.clock_rate = m.clock_rate ? m.clock_rate : (video ? 90'000 : 48'000);
    media.mid = m.mid;
    media.sequence_base = static_cast<uint16_t>(mix(seed));
    media.timestamp_base = static_cast<uint32_t>(mix(seed));
    if (video && m.rtx_payload_type) {
      config.video_rtx_payload_type = m.rtx_payload_type;
      config.video_rtx_ssrc = video_rtx_ssrc;
      config.rtx_sequence_base = static_cast<uint16_t>(mix(seed));
    }
  }
  auto id = [](uint16_t v) { return static_cast<uint8_t>(v <= 255 ? v : 0); };
  config.mid_extension_id = id(negotiated.extensions.mid);
  config.abs_send_time_extension_id = id(negotiated.extensions.abs_send_time);
  config.transport_cc_extension_id = id(negotiated.extensions.transport_cc);
  return config;
}

bool ViewerSender::write(const SharedRtpPacket& packet, bool replayed, int64_t now_us,
                         std::vector<uint8_t>& out, uint32_t source) {
  const ViewerMediaConfig& m = media(packet.kind);
  if (!m.enabled) return false;
  Track& t = track(packet.kind);
  const bool video = packet.kind == media::MediaKind::video;
  if (!t.started || t.segments.back().source != source) {
    if (video && !packet.keyframe_start) {
      ++stats_.skipped;
      return false;
    }
    if (t.started) {
      switch_source(t, packet, source);
    } else {
      t.started = true;
      t.sequence_offset = static_cast<uint16_t>(m.sequence_base - packet.sequence);
      t.timestamp_offset = m.timestamp_base - packet.timestamp;
      t.segments.push_back({m.sequence_base, source, t.sequence_offset, t.timestamp_offset});
      if (video) replay_source_ = source;
    }
  }
  const uint32_t timestamp =
      video ? video_timestamp(packet, replayed) : packet.timestamp + t.timestamp_offset;
  const auto sequence = static_cast<uint16_t>(packet.sequence + t.sequence_offset);
  emit(m.payload_type, m.ssrc, sequence, timestamp, packet.marker, m.mid, {}, packet.payload.span(),
       now_us, out);
  t.last_sequence = sequence;
  t.last_timestamp = timestamp;
  ++t.packets;
  t.octets += static_cast<uint32_t>(packet.payload.size());
  // Replayed (squeezed) timestamps do not follow the media clock: SRs use live packets only.
  if (!replayed && (!t.has_reference || static_cast<int32_t>(timestamp - t.reference_timestamp) >= 0)) {
    t.has_reference = true;
    t.reference_timestamp = timestamp;
    t.reference_us = now_us;
    t.reference_media_us = packet.frame_dts * kMicros / m.clock_rate;
    if (!media_anchor_) media_anchor_.emplace(t.reference_media_us, now_us);
  }
  return true;
}

void ViewerSender::switch_source(Track& t, const SharedRtpPacket& packet, uint32_t source) {
  // Close the current segment with the offsets it ended with.
  t.segments.back().sequence_offset = t.sequence_offset;
  t.segments.back().timestamp_offset = t.timestamp_offset;
  const auto first = static_cast<uint16_t>(t.last_sequence + 1);
  t.sequence_offset = static_cast<uint16_t>(first - packet.sequence);
  const bool video = packet.kind == media::MediaKind::video;
  const uint32_t spacing = video ? config_.switch_frame_spacing : kAudioFrameSpacing;
  const uint32_t timestamp = packet.timestamp + t.timestamp_offset;
  if (static_cast<int32_t>(timestamp - t.last_timestamp) <= 0)
    t.timestamp_offset += t.last_timestamp + spacing - timestamp;
  t.segments.push_back({first, source, t.sequence_offset, t.timestamp_offset});
  if (t.segments.size() > kMaxSegments) t.segments.erase(t.segments.begin());
  // A switch happens on live packets: nothing of the new source is squeezed.
  if (video) t.live = true;
  ++stats_.switches;
}

std::optional<uint32_t> ViewerSender::video_source() const {
  if (!video_.started) return std::nullopt;
  return video_.segments.back().source;
}

std::optional<ViewerSender::Segment> ViewerSender::segment_of(const Track& t,
                                                              uint16_t sequence) const {
  for (size_t i = t.segments.size(); i-- > 0;) {
    Segment segment = t.segments[i];
    const bool newest = i + 1 == t.segments.size();
    const auto last =
        newest ? t.last_sequence : static_cast<uint16_t>(t.segments[i + 1].first_sequence - 1);
    if (static_cast<uint16_t>(sequence - segment.first_sequence) >
        static_cast<uint16_t>(last - segment.first_sequence)) {
      continue;
    }
    if (newest) {
      segment.sequence_offset = t.sequence_offset;
      segment.timestamp_offset = t.timestamp_offset;
    }
    return segment;
  }
  return std::nullopt;
}

uint32_t ViewerSender::video_timestamp(const SharedRtpPacket& packet, bool replayed) {
  Track& t = video_;
  if (replayed && !t.live) {
    if (replay_timestamps_.empty()) {
      replay_first_sequence_ = packet.sequence;
      replay_timestamp_ = config_.video.timestamp_base;
      replay_timestamps_.emplace_back(packet.timestamp, replay_timestamp_);
    } else if (packet.timestamp != replay_timestamps_.back().first) {
      replay_timestamp_ += config_.replay_frame_spacing;
      replay_timestamps_.emplace_back(packet.timestamp, replay_timestamp_);
    }
    replay_last_sequence_ = packet.sequence;
    return replay_timestamp_;
  }
  if (!t.live) {
    t.live = true;
    if (!replay_timestamps_.empty()) {
      // The first live frame follows the last replayed one at their natural distance.
      t.timestamp_offset = replay_timestamps_.back().second - replay_timestamps_.back().first;
    }
  } else if (packet.keyframe_start) {
    replay_timestamps_.clear();  // nothing before this keyframe is worth resending
  }
  return packet.timestamp + t.timestamp_offset;
}

uint32_t ViewerSender::timestamp_of(const SharedRtpPacket& packet, const Segment& segment) const {
  if (packet.kind == media::MediaKind::audio) return packet.timestamp + segment.timestamp_offset;
  const auto in_replay = segment.source == replay_source_ &&
                         static_cast<uint16_t>(packet.sequence - replay_first_sequence_) <=
                             static_cast<uint16_t>(replay_last_sequence_ - replay_first_sequence_);
  if (!replay_timestamps_.empty() && in_replay) {
    for (auto it = replay_timestamps_.rbegin(); it != replay_timestamps_.rend(); ++it) {
      if (it->first == packet.timestamp) return it->second;
    }
  }
  return packet.timestamp + segment.timestamp_offset;
}

void ViewerSender::emit(uint8_t payload_type, uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                        bool marker, const std::string& mid, std::span<const uint8_t> prefix,
                        std::span<const uint8_t> payload, int64_t now_us,
                        std::vector<uint8_t>& out) {
  struct Element {
    uint8_t id = 0;
    std::span<const uint8_t> data;
  };
  std::array<Element, 3> elements;
  size_t count = 0;
  std::array<uint8_t, 3> send_time{};
  std::array<uint8_t, 2> transport{};
  std::optional<uint16_t> transport_sequence;
  if (config_.mid_extension_id && !mid.empty()) {
    auto bytes =
        std::span(reinterpret_cast<const uint8_t*>(mid.data()), std::min<size_t>(mid.size(), 255));
    elements[count++] = {config_.mid_extension_id, bytes};
  }
  if (config_.abs_send_time_extension_id) {
    uint32_t v = abs_send_time(now_us);
    send_time = {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                 static_cast<uint8_t>(v)};
    elements[count++] = {config_.abs_send_time_extension_id, send_time};
  }
  if (config_.transport_cc_extension_id) {
    transport_sequence = transport_sequence_++;
    transport = {static_cast<uint8_t>(*transport_sequence >> 8),
                 static_cast<uint8_t>(*transport_sequence)};
    elements[count++] = {config_.transport_cc_extension_id, transport};
  }
  // RFC 8285: the one-byte form when every element allows it, else the two-byte form.
  bool one_byte = true;
  size_t extension_bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    const auto& e = elements[i];
    if (e.id > 14 || e.data.empty() || e.data.size() > kMaxOneByteElement) one_byte = false;
  }
  for (size_t i = 0; i < count; ++i)
    extension_bytes += (one_byte ? 1 : 2) + elements[i].data.size();
  const size_t extension_words = (extension_bytes + 3) / 4;

  out.clear();
  out.reserve(rtp::kRtpHeaderSize + (count ? 4 + extension_words * 4 : 0) + prefix.size() +
              payload.size());
  out.push_back(static_cast<uint8_t>(0x80 | (count ? 0x10 : 0)));
  out.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7F)));
  put16(out, sequence);
  put32(out, timestamp);
  put32(out, ssrc);
  if (count) {
    put16(out, one_byte ? rtp::kOneByteExtensionProfile : rtp::kTwoByteExtensionProfile);
    put16(out, static_cast<uint16_t>(extension_words));
    for (size_t i = 0; i < count; ++i) {
      const auto& e = elements[i];
      if (one_byte) {
        out.push_back(static_cast<uint8_t>(e.id << 4 | (e.data.size() - 1)));
      } else {
        out.push_back(e.id);
        out.push_back(static_cast<uint8_t>(e.data.size()));
      }
      out.insert(out.end(), e.data.begin(), e.data.end());
    }
    out.resize(out.size() + extension_words * 4 - extension_bytes, 0);
  }
  out.insert(out.end(), prefix.begin(), prefix.end());
  out.insert(out.end(), payload.begin(), payload.end());

  ++stats_.packets;
  stats_.bytes += out.size();
  if (transport_sequence)
    estimator_.on_packet_sent(*transport_sequence, out.size());
  else
    estimator_.on_bytes_sent(out.size());
}

ViewerSender::RtcpActions ViewerSender::on_rtcp(std::span<const uint8_t> compound, int64_t now_us,
                                                const Lookup& lookup) {
  RtcpActions actions;
  auto parsed = rtp::parse_rtcp(compound);
  if (parsed.error) ++stats_.malformed_rtcp;
  for (const auto& message : parsed.messages) {
    if (auto* sr = std::get_if<rtp::SenderReport>(&message)) {
      on_report_blocks(sr->reports, now_us);
    } else if (auto* rr = std::get_if<rtp::ReceiverReport>(&message)) {
      on_report_blocks(rr->reports, now_us);
    } else if (auto* nack = std::get_if<rtp::Nack>(&message)) {
      on_nack(*nack, now_us, lookup, actions);
    } else if (auto* pli = std::get_if<rtp::Pli>(&message)) {
      if (config_.video.enabled && pli->media_ssrc == config_.video.ssrc) {
        ++stats_.plis;
        actions.keyframe_wanted = true;
      }
    } else if (auto* fir = std::get_if<rtp::Fir>(&message)) {
      for (const auto& entry : fir->entries) {
        // RFC 5104: a repeated sequence number is the same request again.
        if (!config_.video.enabled || entry.ssrc != config_.video.ssrc ||
            last_fir_sequence_ == entry.sequence) {
          continue;
        }
        last_fir_sequence_ = entry.sequence;
        ++stats_.firs;
        actions.keyframe_wanted = true;
      }
    } else if (auto* remb = std::get_if<rtp::Remb>(&message)) {
      estimator_.on_remb(remb->bitrate_bps);
    } else if (auto* feedback = std::get_if<rtp::TransportFeedback>(&message)) {
      estimator_.on_transport_feedback(*feedback, now_us);
    }
  }
  stats_.bandwidth_estimate_bps = estimator_.estimate_bps();
  return actions;
}

bool ViewerSender::may_resend(media::MediaKind kind, uint16_t sequence, int64_t now_us) {
  const uint32_t key = (kind == media::MediaKind::video ? 1u << 16 : 0u) | sequence;
  Resent& slot = resent_[key % resent_.size()];
  if (slot.at_us >= 0 && slot.key == key && now_us - slot.at_us < config_.min_resend_interval_us)
    return false;
  slot = {key, now_us};
  return true;
}

void ViewerSender::on_nack(const rtp::Nack& nack, int64_t now_us, const Lookup& lookup,
                           RtcpActions& actions) {
  media::MediaKind kind;
  if (config_.video.enabled && nack.media_ssrc == config_.video.ssrc)
    kind = media::MediaKind::video;
  else if (config_.audio.enabled && nack.media_ssrc == config_.audio.ssrc)
    kind = media::MediaKind::audio;
  else
    return;
  const Track& t = track(kind);
  const ViewerMediaConfig& m = media(kind);
  if (!t.started) return;
  for (uint16_t sequence : nack.sequences) {
    ++stats_.nacks;
    if (actions.retransmissions.size() >= config_.max_retransmissions_per_rtcp) continue;
    // Not sent by this viewer (before its first packet or not yet), or sent from a source
    // forgotten since.
    const auto segment = segment_of(t, sequence);
    if (!segment) {
      ++stats_.nack_misses;
      continue;
    }
    const auto feed_sequence = static_cast<uint16_t>(sequence - segment->sequence_offset);
    if (!may_resend(kind, sequence, now_us)) continue;
    SharedRtpPacketPtr packet = lookup ? lookup(kind, segment->source, feed_sequence) : nullptr;
    if (!packet || packet->kind != kind || packet->sequence != feed_sequence) {
      ++stats_.nack_misses;
      continue;
    }
    std::vector<uint8_t> out;
    const uint32_t timestamp = timestamp_of(*packet, *segment);
    if (kind == media::MediaKind::video && config_.video_rtx_payload_type) {
      // RFC 4588: the original sequence number leads the payload.
      const std::array<uint8_t, 2> osn = {static_cast<uint8_t>(sequence >> 8),
                                          static_cast<uint8_t>(sequence)};
      emit(*config_.video_rtx_payload_type, config_.video_rtx_ssrc, rtx_sequence_++, timestamp,
           packet->marker, m.mid, osn, packet->payload.span(), now_us, out);
    } else {
      emit(m.payload_type, m.ssrc, sequence, timestamp, packet->marker, m.mid, {},
           packet->payload.span(), now_us, out);
    }
    actions.retransmissions.push_back(std::move(out));
    ++stats_.retransmitted;
  }
}

void ViewerSender::on_report_blocks(const std::vector<rtp::ReportBlock>& blocks, int64_t now_us) {
  for (const auto& block : blocks) {
    const bool video = config_.video.enabled && block.ssrc == config_.video.ssrc;
    const bool audio = config_.audio.enabled && block.ssrc == config_.audio.ssrc;
    if (!video && !audio) continue;
    if (video || !config_.video.enabled) {
      stats_.loss_fraction = block.fraction_lost / 256.0;
      stats_.jitter = block.jitter;
      estimator_.on_receiver_loss(stats_.loss_fraction, now_us);
    }
    if (block.last_sr == 0) continue;  // no SR of ours reached the receiver yet
    // RFC 3550 6.4.1: RTT = now - LSR - DLSR, in 1/65536 s (the middle 32 bits of NTP).
    const auto compact_now = static_cast<uint32_t>(ntp_now(now_us) >> 16);
    const auto units =
        static_cast<int32_t>(compact_now - block.last_sr - block.delay_since_last_sr);
    if (units >= 0) stats_.rtt_us = static_cast<int64_t>(units) * kMicros / 65536;
  }
}

uint64_t ViewerSender::ntp_now(int64_t now_us) const {
  const auto unix_us =
      static_cast<uint64_t>(std::max<int64_t>(now_us + config_.wall_clock_offset_us, 0));
  const uint64_t seconds = unix_us / kMicros + kNtpUnixOffsetSeconds;
  const uint64_t fraction = ((unix_us % kMicros) << 32) / kMicros;
  return seconds << 32 | fraction;
}

void ViewerSender::take_reports(int64_t now_us, std::vector<std::vector<uint8_t>>& out) {
  if (last_report_us_ && now_us - *last_report_us_ < config_.report_interval_us) return;
  bool sent = false;
  for (auto kind : {media::MediaKind::video, media::MediaKind::audio}) {
    const Track& t = track(kind);
    const ViewerMediaConfig& m = media(kind);
    if (!m.enabled || !t.has_reference) continue;
    // The RTP time that matches now on the shared media clock: the media time "now" is the
    // anchor's, advanced by the wall time since; each kind's newest timestamp is moved by
    // how far that is from its own media time. Both kinds agree, whatever the send jitter.
    const int64_t media_now_us = media_anchor_->first + (now_us - media_anchor_->second);
    rtp::SenderReport sr;
    sr.ssrc = m.ssrc;
    sr.ntp_time = ntp_now(now_us);
    sr.rtp_timestamp = t.reference_timestamp +
                       static_cast<uint32_t>((media_now_us - t.reference_media_us) * m.clock_rate / kMicros);
    sr.packet_count = t.packets;
    sr.octet_count = t.octets;
    std::vector<uint8_t> compound;
    if (!rtp::write_rtcp(sr, compound)) continue;
    // A CNAME too long for SDES (over 255 bytes) leaves the SR alone.
    static_cast<void>(
        rtp::write_rtcp(rtp::Sdes{{rtp::SdesChunk{m.ssrc, config_.cname}}}, compound));
    out.push_back(std::move(compound));
    sent = true;
  }
  if (sent) last_report_us_ = now_us;
}

}  // namespace vela::egress
