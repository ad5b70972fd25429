#include "ingest/webrtc/webrtc_ingest_receiver.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

#include "base/time.hpp"
#include "ingest/webrtc/opus_track.hpp"
#include "media/codec/h264.hpp"

namespace vela::ingest {
namespace {

using protocol::rtp::RtpPacketView;
using protocol::sdp::MediaKind;
using protocol::sdp::NegotiatedMedia;

constexpr uint32_t kVideoClockRate = 90'000;
constexpr uint8_t kNalFiller = 12;
// A padding packet on the video SSRC (a sender without RTX probes there) still takes a
// sequence number. The depacketizer would take an empty payload as a hole, i.e. loss, so
// it gets a filler-data NAL unit instead, which strip_filler() removes again.
constexpr uint8_t kFillerPayload[] = {kNalFiller};

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

const NegotiatedMedia* find_media(const protocol::sdp::Negotiated& negotiated, MediaKind kind,
                                  std::string_view encoding) {
  for (const auto& media : negotiated.media) {
    if (media.kind == kind && same_name(media.encoding, encoding)) return &media;
  }
  return nullptr;
}

// The unit without filler NAL units; empty when nothing else was in it.
base::Buffer strip_filler(const base::Buffer& unit) {
  auto is_filler = [](std::span<const uint8_t> nal) {
    return !nal.empty() && media::codec::nal_type(nal[0]) == kNalFiller;
  };
  bool any = false;
  media::codec::AvccNalIterator scan(unit.span());
  while (auto nal = scan.next()) any = any || is_filler(*nal);
  if (!any) return unit;
  std::vector<uint8_t> kept;
  media::codec::AvccNalIterator nals(unit.span());
  while (auto nal = nals.next()) {
    if (is_filler(*nal)) continue;
    const size_t n = nal->size();
    for (int shift = 24; shift >= 0; shift -= 8) kept.push_back(static_cast<uint8_t>(n >> shift));
    kept.insert(kept.end(), nal->begin(), nal->end());
  }
  return kept.empty() ? base::Buffer() : base::Buffer::adopt(std::move(kept));
}

uint32_t clock_or(uint32_t negotiated, uint32_t fallback) {
  return negotiated ? negotiated : fallback;
}

}  // namespace

WebRtcIngestReceiver::Video::Video(const NegotiatedMedia& media, const WebRtcIngestOptions& options)
    : payload_type(media.payload_type),
      rtx_payload_type(media.rtx_payload_type),
      nack(media.nack),
      pli(media.pli),
      fir(media.fir),
      depacketizer(options.depacketizer),
      nack_generator(options.nack),
      statistics(clock_or(media.clock_rate, kVideoClockRate)),
      timeline(clock_or(media.clock_rate, kVideoClockRate), media::kVideoTimescale,
               options.max_timestamp_jump_us) {
  if (!media.remote_sources.empty()) {
    ssrc = media.remote_sources.front().ssrc;
    rtx_ssrc = media.remote_sources.front().rtx_ssrc;
  }
}

WebRtcIngestReceiver::Audio::Audio(const NegotiatedMedia& media, const WebRtcIngestOptions& options)
    : payload_type(media.payload_type),
      statistics(clock_or(media.clock_rate, kOpusClockRate)),
      timeline(clock_or(media.clock_rate, kOpusClockRate), kOpusClockRate,
               options.max_timestamp_jump_us) {
  if (!media.remote_sources.empty()) ssrc = media.remote_sources.front().ssrc;
}

WebRtcIngestReceiver::WebRtcIngestReceiver(const protocol::sdp::Negotiated& negotiated,
                                           WebRtcIngestOptions options)
    : options_(std::move(options)) {
  bool transport_cc = false;
  if (const auto* media = find_media(negotiated, MediaKind::video, "H264")) {
    video_.emplace(*media, options_);
    transport_cc = transport_cc || media->transport_cc;
  }
  if (const auto* media = find_media(negotiated, MediaKind::audio, "opus")) {
    audio_.emplace(*media, options_);
    transport_cc = transport_cc || media->transport_cc;
  }
  const uint16_t id = negotiated.extensions.transport_cc;
  if (transport_cc && id >= 1 && id <= 255) transport_cc_id_ = static_cast<uint8_t>(id);
  if (audio_ && !video_) declare_tracks();  // audio only: nothing to wait for
}

bool WebRtcIngestReceiver::accept_ssrc(std::optional<uint32_t>& bound, uint32_t ssrc) {
  if (!bound) {
    // The first SSRC seen with the payload type, unless another stream already has it.
    const bool taken = (video_ && (video_->ssrc == ssrc || video_->rtx_ssrc == ssrc)) ||
                       (audio_ && audio_->ssrc == ssrc);
    if (!taken) bound = ssrc;
  }
  if (bound == ssrc) return true;
  ++stats_.unknown_ssrc;
  return false;
}

void WebRtcIngestReceiver::on_rtp(std::span<const uint8_t> packet, int64_t now_us) {
  auto parsed = protocol::rtp::parse_rtp(packet);
  if (!parsed) {
    ++stats_.malformed;
    return;
  }
  const RtpPacketView& p = *parsed;
  void (WebRtcIngestReceiver::*handler)(const RtpPacketView&, int64_t) = nullptr;
  if (video_ && p.payload_type == video_->payload_type) {
    if (!accept_ssrc(video_->ssrc, p.ssrc)) return;
    handler = &WebRtcIngestReceiver::on_video;
  } else if (video_ && video_->rtx_payload_type == p.payload_type) {
    if (!accept_ssrc(video_->rtx_ssrc, p.ssrc)) return;
    handler = &WebRtcIngestReceiver::on_rtx;
  } else if (audio_ && p.payload_type == audio_->payload_type) {
    if (!accept_ssrc(audio_->ssrc, p.ssrc)) return;
    handler = &WebRtcIngestReceiver::on_audio;
  } else {
    ++stats_.unknown_payload_type;
    return;
  }
  ++stats_.packets;
  stats_.bytes += packet.size();
  if (!origin_us_) origin_us_ = now_us;
  if (transport_cc_id_ != 0) {
    if (auto ext = p.extension(transport_cc_id_); ext && ext->size() >= 2) {
      twcc_.on_packet(static_cast<uint16_t>((*ext)[0] << 8 | (*ext)[1]), now_us);
    }
  }
  (this->*handler)(p, now_us);
}

void WebRtcIngestReceiver::on_video(const RtpPacketView& p, int64_t now_us) {
  Video& v = *video_;
  if (v.nack) v.nack_generator.on_packet(p.sequence, now_us);
  v.statistics.on_packet(p.sequence, p.timestamp, now_us);
  std::span<const uint8_t> payload = p.payload;
  if (payload.empty()) {
    ++stats_.padding;
    payload = kFillerPayload;
  } else {
    v.timeline.on_packet(p.timestamp, since_origin(now_us));
  }
  depacketize(p.sequence, p.timestamp, p.marker, payload, now_us);
}

void WebRtcIngestReceiver::on_rtx(const RtpPacketView& p, int64_t now_us) {
  if (p.payload.empty()) {
    ++stats_.padding;  // a bandwidth probe
    return;
  }
  if (p.payload.size() < 2) {
    ++stats_.malformed;
    return;
  }
  ++stats_.rtx_packets;
  Video& v = *video_;
  const auto original_sequence = static_cast<uint16_t>(p.payload[0] << 8 | p.payload[1]);
  std::span<const uint8_t> payload = p.payload.subspan(2);
  if (v.nack) v.nack_generator.on_packet(original_sequence, now_us);
  if (payload.empty()) {
    payload = kFillerPayload;  // a padding packet, resent
  } else {
    v.timeline.on_packet(p.timestamp, since_origin(now_us));
  }
  depacketize(original_sequence, p.timestamp, p.marker, payload, now_us);
}

void WebRtcIngestReceiver::depacketize(uint16_t sequence, uint32_t timestamp, bool marker,
                                       std::span<const uint8_t> payload, int64_t now_us) {
  video_->depacketizer.push(sequence, timestamp, marker, payload, now_us, units_);
  take_units(now_us);
}

void WebRtcIngestReceiver::take_units(int64_t now_us) {
  Video& v = *video_;
  if (v.depacketizer.take_keyframe_request()) want_keyframe();
  for (const auto& unit : units_) {
    base::Buffer payload = strip_filler(unit.avcc);
    if (payload.empty()) continue;
    if (v.builder.on_access_unit(payload.span())) declare_tracks();
    if (!v.builder.track() || (v.awaiting_keyframe && !unit.keyframe)) {
      ++stats_.dropped_frames;  // no SPS/PPS yet, or our own drop broke the chain
      want_keyframe();
      continue;
    }
    auto point = v.timeline.map(unit.rtp_timestamp, since_origin(now_us));
    if (!point || pending_frames_ >= options_.max_pending_frames) {
      ++stats_.dropped_frames;
      v.awaiting_keyframe = true;
      want_keyframe();
      continue;
    }
    v.awaiting_keyframe = false;
    if (unit.keyframe) keyframe_wanted_ = false;
    push_frame(kWebRtcVideoTrackId, *point, unit.keyframe, std::move(payload),
               media::kVideoTimescale);
  }
  units_.clear();
  stats_.rejected_parameter_sets = v.builder.rejected();
}

void WebRtcIngestReceiver::on_audio(const RtpPacketView& p, int64_t now_us) {
  Audio& a = *audio_;
  a.statistics.on_packet(p.sequence, p.timestamp, now_us);
  if (p.payload.empty()) {
    ++stats_.padding;
    return;
  }
  if (!a.first_arrival_us) a.first_arrival_us = now_us;
  a.timeline.on_packet(p.timestamp, since_origin(now_us));
  if (!declared_) {
    ++stats_.dropped_frames;  // the stream starts with the video track (see the header)
    return;
  }
  auto point = a.timeline.map(p.timestamp, since_origin(now_us));
  if (!point || pending_frames_ >= options_.max_pending_frames) {
    ++stats_.dropped_frames;  // late, duplicate, or nobody polls
    return;
  }
  push_frame(kWebRtcAudioTrackId, *point, true, base::Buffer::copy_of(p.payload), kOpusClockRate);
}

void WebRtcIngestReceiver::declare_tracks() {
  std::vector<media::TrackInfo> tracks;
  if (video_ && video_->builder.track()) tracks.push_back(*video_->builder.track());
  if (audio_) tracks.push_back(make_opus_track(kWebRtcAudioTrackId));
  if (declared_) ++stats_.track_changes;
  declared_ = true;
  // A declaration no frame follows yet is replaced, so declarations stay bounded by frames.
  if (!pending_.empty() && std::holds_alternative<std::vector<media::TrackInfo>>(pending_.back())) {
    pending_.back() = std::move(tracks);
  } else {
    pending_.emplace_back(std::move(tracks));
  }
}

void WebRtcIngestReceiver::push_frame(uint32_t track_id, const TimelinePoint& point, bool keyframe,
                                      base::Buffer payload, int64_t timescale) {
  auto frame = std::make_shared<media::MediaFrame>();
  frame->track_id = track_id;
  frame->dts = point.dts;
  frame->keyframe = keyframe;
  frame->discontinuity = point.discontinuity;
  frame->payload = std::move(payload);
  if (options_.wall_clock_offset_us) {
    frame->wall_clock_us = *origin_us_ + *options_.wall_clock_offset_us +
                           base::rescale(point.dts, timescale, base::kMicrosPerSecond);
  }
  if (point.discontinuity) ++stats_.discontinuities;
  pending_.emplace_back(media::FramePtr(std::move(frame)));
  ++pending_frames_;
}

void WebRtcIngestReceiver::poll(int64_t now_us, WebRtcIngestOutput& out) {
  out.tracks_changed = false;
  out.tracks.clear();
  out.frames.clear();
  if (video_) {
    video_->depacketizer.poll(now_us, units_);
    take_units(now_us);
    if (audio_ && !declared_ && options_.audio_only_after_us > 0 && audio_->first_arrival_us &&
        now_us - *audio_->first_arrival_us >= options_.audio_only_after_us) {
      declare_tracks();  // no video yet: go on with audio; video joins when it comes
    }
  }
  while (!pending_.empty()) {
    if (auto* tracks = std::get_if<std::vector<media::TrackInfo>>(&pending_.front())) {
      if (!out.frames.empty()) break;  // the change goes with the next poll
      out.tracks_changed = true;
      out.tracks = std::move(*tracks);
    } else {
      media::FramePtr frame = std::move(std::get<media::FramePtr>(pending_.front()));
      ++stats_.frames;
      if (frame->keyframe && frame->track_id == kWebRtcVideoTrackId) ++stats_.keyframes;
      out.frames.push_back(std::move(frame));
      --pending_frames_;
    }
    pending_.pop_front();
  }
  update_loss();
}

void WebRtcIngestReceiver::update_loss() {
  stats_.lost =
      (video_ ? video_->depacketizer.stats().lost : 0) + (audio_ ? audio_->statistics.lost() : 0);
}

void WebRtcIngestReceiver::on_rtcp(std::span<const uint8_t> packet, int64_t now_us) {
  ++stats_.rtcp_packets;
  auto compound = protocol::rtp::parse_rtcp(packet);
  if (compound.error) ++stats_.rtcp_malformed;  // what was read before the error still counts
  for (const auto& message : compound.messages) {
    if (const auto* sr = std::get_if<protocol::rtp::SenderReport>(&message)) {
      ++stats_.sender_reports;
      if (video_ && video_->ssrc == sr->ssrc)
        video_->statistics.on_sender_report(sr->ntp_time, now_us);
      if (audio_ && audio_->ssrc == sr->ssrc)
        audio_->statistics.on_sender_report(sr->ntp_time, now_us);
    } else if (std::holds_alternative<protocol::rtp::Bye>(message)) {
      ++stats_.byes;
    }
  }
}

}  // namespace vela::ingest
