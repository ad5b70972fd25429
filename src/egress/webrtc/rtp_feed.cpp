#include "egress/webrtc/rtp_feed.hpp"

#include <algorithm>
#include <bit>

#include "base/time.hpp"
#include "media/codec/h264.hpp"

namespace vela::egress {
namespace {

constexpr int64_t kOpusClockRate = 48'000;

bool same_track(const std::optional<media::TrackInfo>& a, const media::TrackInfo* b) {
  if (!a || !b) return !a && !b;
  auto ca = a->codec_config.span();
  auto cb = b->codec_config.span();
  return a->id == b->id && a->codec == b->codec && a->timescale == b->timescale &&
         std::equal(ca.begin(), ca.end(), cb.begin(), cb.end());
}

// SPS + PPS of an avcC as RTP payloads (one STAP-A when they fit), made once per track.
std::vector<protocol::rtp::RtpPayload> parameter_set_payloads(const media::TrackInfo& track,
                                                              size_t max_payload) {
  auto config = media::codec::parse_avc_config(track.codec_config.span());
  if (!config) return {};
  std::vector<uint8_t> avcc;
  auto append = [&](const base::Buffer& nal) {
    uint32_t n = static_cast<uint32_t>(nal.size());
    avcc.insert(avcc.end(), {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)});
    avcc.insert(avcc.end(), nal.span().begin(), nal.span().end());
  };
  for (const auto& sps : config->sps) append(sps);
  for (const auto& pps : config->pps) append(pps);
  auto payloads = protocol::rtp::packetize_h264(base::Buffer::adopt(std::move(avcc)), max_payload);
  if (!payloads) return {};
  for (auto& p : *payloads) p.marker = false;  // the access unit continues with the slices
  return std::move(*payloads);
}

bool carries_sps(std::span<const uint8_t> access_unit) {
  media::codec::AvccNalIterator it(access_unit);
  while (auto nal = it.next()) {
    if (!nal->empty() && media::codec::nal_type((*nal)[0]) == media::codec::kNalSps) return true;
  }
  return false;
}

}  // namespace

RtpFeed::History::History(size_t capacity) : slots(std::bit_ceil(std::max<size_t>(capacity, 1))) {}

void RtpFeed::History::put(const SharedRtpPacketPtr& packet) {
  slots[packet->sequence & (slots.size() - 1)] = packet;
}

SharedRtpPacketPtr RtpFeed::History::get(uint16_t sequence) const {
  const auto& p = slots[sequence & (slots.size() - 1)];
  return p && p->sequence == sequence ? p : nullptr;
}

RtpFeed::RtpFeed(std::shared_ptr<router::Stream> stream, runtime::Shard& shard,
                 RtpFeedOptions options, RtpFeedTracks tracks)
    : stream_(std::move(stream)),
      shard_(shard),
      options_(options),
      tracks_(std::move(tracks)),
      video_history_(options.video_history),
      audio_history_(options.audio_history) {}

RtpFeed::~RtpFeed() {
  unsubscribe();
}

void RtpFeed::add_listener(RtpFeedListener* listener) {
  if (ended_) {
    listener->on_feed_ended();
    return;
  }
  listeners_.push_back(listener);
  ++listener_count_;
  if (gop_valid_ && !gop_.empty()) {
    ++delivering_;  // keeps listeners_ stable if the listener changes the set meanwhile
    listener->on_rtp_packets(gop_, true);
    --delivering_;
    compact_listeners();
  }
  if (listener_count_ > 0 && stream_ && !subscription_ && !ended_) subscribe();
}

void RtpFeed::remove_listener(RtpFeedListener* listener) {
  auto it = std::find(listeners_.begin(), listeners_.end(), listener);
  if (it == listeners_.end()) return;
  *it = nullptr;
  --listener_count_;
  compact_listeners();
  if (listener_count_ == 0) unsubscribe();
}

void RtpFeed::compact_listeners() {
  if (delivering_ > 0) return;
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), nullptr), listeners_.end());
}

SharedRtpPacketPtr RtpFeed::find(media::MediaKind kind, uint16_t sequence) const {
  return kind == media::MediaKind::video ? video_history_.get(sequence)
                                         : audio_history_.get(sequence);
}

void RtpFeed::subscribe() {
  std::weak_ptr<RtpFeed> weak = weak_from_this();
  subscribing_ = true;
  subscription_ = stream_->subscribe(
      shard_.index(), options_.subscription_frames,
      [weak] {
        if (auto self = weak.lock()) self->on_ready();
      },
      true);
  subscribing_ = false;
  seen_dropped_ = 0;
  // Whatever the stream replays now (its cached GOP, pushed here at once or posted from the
  // home shard in one closure) is drained in one go, after it has all arrived.
  catching_up_ = true;
  schedule_drain();
}

void RtpFeed::unsubscribe() {
  if (subscription_ && stream_) stream_->unsubscribe(shard_.index(), subscription_);
  subscription_.reset();
  catching_up_ = false;
  gop_.clear();
  gop_valid_ = false;
}

void RtpFeed::on_ready() {
  if (subscribing_ || !subscription_) return;
  if (catching_up_)
    schedule_drain();
  else
    drain();
}

void RtpFeed::schedule_drain() {
  if (drain_posted_) return;
  drain_posted_ = true;
  std::weak_ptr<RtpFeed> weak = weak_from_this();
  shard_.post([weak] {
    if (auto self = weak.lock()) {
      self->drain_posted_ = false;
      self->drain();
    }
  });
}

void RtpFeed::drain() {
  auto subscription = subscription_;
  if (!subscription) return;
  set_tracks(stream_->tracks(shard_.index()), stream_->derived_tracks(shard_.index()));
  const bool replayed = catching_up_;
  catching_up_ = false;
  while (subscription_ == subscription) {
    auto frame = subscription->pop();
    if (!frame) break;
    if (subscription->dropped() > seen_dropped_) {
      // The subscription fell behind and resumed at this keyframe; viewers see a jump.
      if (!replayed) ++stats_.gaps;
      seen_dropped_ = subscription->dropped();
    }
    on_frame(*frame, replayed);
  }
  if (subscription_ == subscription && subscription->ended()) end();
}

void RtpFeed::set_tracks(const std::vector<media::TrackInfo>& tracks,
                         const std::vector<media::TrackInfo>& derived_tracks) {
  const media::TrackInfo* video = nullptr;
  const media::TrackInfo* audio = nullptr;
  if (tracks_.video) {
    // The source's tracks have no rendition name, so "" finds the source's video.
    const auto& list = tracks_.video->empty() ? tracks : derived_tracks;
    for (const auto& t : list) {
      if (!video && t.kind == media::MediaKind::video && t.codec == media::Codec::h264 &&
          t.rendition == *tracks_.video) {
        video = &t;
      }
    }
  }
  for (const auto* list : {&tracks, &derived_tracks}) {
    for (const auto& t : *list) {
      if (tracks_.audio && !audio && t.kind == media::MediaKind::audio &&
          t.codec == media::Codec::opus) {
        audio = &t;
      }
    }
  }
  if (!same_track(video_track_, video)) {
    video_track_ = video ? std::optional(*video) : std::nullopt;
    parameter_sets_ = video ? parameter_set_payloads(*video, options_.max_payload)
                            : std::vector<protocol::rtp::RtpPayload>{};
    gop_.clear();
    gop_valid_ = false;
  }
  if (!same_track(audio_track_, audio)) audio_track_ = audio ? std::optional(*audio) : std::nullopt;
}

void RtpFeed::on_frame(const media::MediaFrame& frame, bool replayed) {
  if (ended_) return;
  std::vector<SharedRtpPacketPtr> packets;
  if (video_track_ && frame.track_id == video_track_->id) {
    packetize_video(frame, packets);
  } else if (audio_track_ && frame.track_id == audio_track_->id) {
    packetize_audio(frame, packets);
  } else {
    ++stats_.ignored_frames;
    return;
  }
  if (packets.empty()) return;
  ++stats_.frames;
  stats_.packets += packets.size();
  deliver(packets, replayed);
}

void RtpFeed::packetize_video(const media::MediaFrame& frame,
                              std::vector<SharedRtpPacketPtr>& out) {
  auto payloads = protocol::rtp::packetize_h264(frame.payload, options_.max_payload);
  if (!payloads) {
    ++stats_.bad_frames;
    return;
  }
  const auto timestamp = static_cast<uint32_t>(frame.pts());
  bool first = true;
  auto add = [&](const protocol::rtp::RtpPayload& p) {
    out.push_back(make_packet(media::MediaKind::video, timestamp, p.marker, frame.keyframe && first,
                              p.data, frame.dts));
    first = false;
  };
  if (frame.keyframe && !carries_sps(frame.payload.span())) {
    for (const auto& p : parameter_sets_) add(p);
  }
  for (const auto& p : *payloads) add(p);

  if (frame.keyframe) {
    gop_.clear();
    gop_valid_ = true;
  }
  if (!gop_valid_) return;
  if (gop_.size() + out.size() > options_.max_gop_packets) {
    gop_.clear();  // too long to replay: new listeners wait for the next keyframe
    gop_valid_ = false;
    return;
  }
  gop_.insert(gop_.end(), out.begin(), out.end());
}

void RtpFeed::packetize_audio(const media::MediaFrame& frame,
                              std::vector<SharedRtpPacketPtr>& out) {
  if (frame.payload.empty() || audio_track_->timescale <= 0) {
    ++stats_.bad_frames;
    return;
  }
  const auto timestamp =
      static_cast<uint32_t>(base::rescale(frame.dts, audio_track_->timescale, kOpusClockRate));
  out.push_back(
      make_packet(media::MediaKind::audio, timestamp, false, false, frame.payload, frame.dts));
}

SharedRtpPacketPtr RtpFeed::make_packet(media::MediaKind kind, uint32_t timestamp, bool marker,
                                        bool keyframe_start, base::Buffer payload, int64_t dts) {
  auto packet = std::make_shared<SharedRtpPacket>();
  packet->kind = kind;
  packet->sequence = kind == media::MediaKind::video ? video_sequence_++ : audio_sequence_++;
  packet->timestamp = timestamp;
  packet->marker = marker;
  packet->keyframe_start = keyframe_start;
  packet->payload = std::move(payload);
  packet->frame_dts = dts;
  SharedRtpPacketPtr shared = std::move(packet);
  (kind == media::MediaKind::video ? video_history_ : audio_history_).put(shared);
  return shared;
}

void RtpFeed::deliver(std::span<const SharedRtpPacketPtr> packets, bool replayed) {
  // Listeners added meanwhile (index >= n) were given the GOP, which holds these packets.
  const size_t n = listeners_.size();
  ++delivering_;
  for (size_t i = 0; i < n; ++i) {
    if (listeners_[i]) listeners_[i]->on_rtp_packets(packets, replayed);
  }
  --delivering_;
  compact_listeners();
}

void RtpFeed::end() {
  if (ended_) return;
  ended_ = true;
  unsubscribe();
  const size_t n = listeners_.size();
  ++delivering_;
  for (size_t i = 0; i < n; ++i) {
    if (listeners_[i]) listeners_[i]->on_feed_ended();
  }
  --delivering_;
  compact_listeners();
}

}  // namespace vela::egress
