#include "egress/whep_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "base/time.hpp"

namespace vela::egress {

namespace {
// How long a new viewer waits for the replayed GOP before asking for a fresh keyframe.
constexpr int64_t kKeyframeGraceUs = 300'000;
// How often the rendition is reconsidered.
constexpr int64_t kEvaluationIntervalUs = 1'000'000;
// A move waits this long for the target's keyframe before it is given up.
constexpr int64_t kSwitchTimeoutUs = 10'000'000;
// Video feeds left behind that still answer NACKs.
constexpr size_t kRetiredFeeds = 3;

std::string describe(const std::string& rendition) { return rendition.empty() ? "source" : rendition; }

}  // namespace

WhepSession::Membership::Membership(WhepSession& session, std::shared_ptr<RtpFeed> feed, Role role,
                                    uint32_t source, std::string rendition)
    : session(session), feed(std::move(feed)), role(role), source(source), rendition(std::move(rendition)) {}

WhepSession::Membership::~Membership() { leave(); }

void WhepSession::Membership::on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) {
  session.on_packets(*this, packets, replayed);
}

void WhepSession::Membership::on_feed_ended() {
  listening = false;
  session.on_feed_ended();
}

void WhepSession::Membership::listen() {
  if (listening || session.ended_) return;
  listening = true;
  feed->add_listener(this);  // may call back at once (the cached GOP, or the end)
}

void WhepSession::Membership::leave() {
  if (listening) feed->remove_listener(this);
  listening = false;
}

WhepSession::WhepSession(std::shared_ptr<router::Stream> stream, size_t shard, FeedSource feeds,
                         ViewerSenderConfig config, std::weak_ptr<rtc::PeerConnection> connection,
                         RenditionSelectorOptions selector_options)
    : stream_(std::move(stream)),
      shard_(shard),
      feeds_(std::move(feeds)),
      sender_(std::move(config)),
      connection_(std::move(connection)),
      selector_(selector_options) {}

WhepSession::~WhepSession() { leave_feeds(); }

std::string WhepSession::rendition() const { return video_ ? video_->rendition : std::string(); }

std::string WhepSession::id() const {
  auto connection = connection_.lock();
  return connection ? connection->id() : std::string("-");
}

std::unique_ptr<WhepSession::Membership> WhepSession::join(Role role, const std::string& rendition) {
  RtpFeedTracks tracks;
  tracks.audio = role == Role::audio;
  if (role == Role::audio)
    tracks.video.reset();
  else
    tracks.video = rendition;
  return std::make_unique<Membership>(*this, feeds_(tracks), role, next_source_++, rendition);
}

std::vector<RenditionRung> WhepSession::rungs() const {
  std::vector<RenditionRung> rungs;
  // A source with B-frames does not play over WebRTC; its B-frame-free copy (made by the
  // transcode module once B-frames are seen) takes the source's place among the rungs.
  const auto& derived = stream_->derived_tracks(shard_);
  bool source_replaced = std::any_of(derived.begin(), derived.end(),
                                     [](const media::TrackInfo& t) { return media::is_webrtc_only_track(t.id); });
  for (const auto& t : stream_->tracks(shard_)) {
    if (source_replaced) break;
    if (t.kind == media::MediaKind::video && t.codec == media::Codec::h264) {
      rungs.push_back({"", t.bitrate});
      break;
    }
  }
  for (const auto& t : derived) {
    if (t.kind == media::MediaKind::video && t.codec == media::Codec::h264 && !t.rendition.empty())
      rungs.push_back({t.rendition, t.bitrate});
  }
  // Best first; a rung of unknown bitrate (the source without a nominal rate) tops the ladder.
  auto key = [](const RenditionRung& r) { return r.bitrate ? r.bitrate : std::numeric_limits<uint64_t>::max(); };
  std::stable_sort(rungs.begin(), rungs.end(), [&](const auto& a, const auto& b) { return key(a) > key(b); });
  return rungs;
}

void WhepSession::on_connected(int64_t now_us) {
  if (connected_ || ended_) return;
  connected_ = true;
  connected_us_ = last_evaluation_us_ = now_us;
  last_evaluation_bytes_ = sender_.stats().bytes;
  if (sender_.config().video.enabled) {
    selector_.set_rungs(rungs());
    video_ = join(Role::video, selector_.start(now_us));
    std::string ladder;
    for (const auto& r : selector_.rungs()) ladder += fmt::format(" {}@{}k", describe(r.name), r.bitrate / 1000);
    spdlog::info("whep stream={} session={} starts on rendition {} (rungs:{})", stream_->name(), id(),
                 describe(video_->rendition), ladder);
  }
  if (sender_.config().audio.enabled) audio_ = join(Role::audio, {});
  // Joining replays the feed's cached GOP to us, so the first picture comes at once.
  if (video_) video_->listen();
  if (audio_) audio_->listen();
}

void WhepSession::on_rtp(std::span<uint8_t>, int64_t) {}  // a WHEP viewer sends no media

void WhepSession::on_rtcp(std::span<uint8_t> packet, int64_t now_us) {
  auto connection = connection_.lock();
  if (!connection || !connected_) return;
  auto actions = sender_.on_rtcp(packet, now_us, [this](media::MediaKind kind, uint32_t source, uint16_t sequence) {
    return find(kind, source, sequence);
  });
  for (auto& retransmission : actions.retransmissions) connection->send_rtp(retransmission);
  if (actions.keyframe_wanted) stream_->request_keyframe();
}

SharedRtpPacketPtr WhepSession::find(media::MediaKind kind, uint32_t source, uint16_t sequence) const {
  for (const auto* member : {&audio_, &video_}) {
    if (*member && (*member)->source == source) return (*member)->feed->find(kind, sequence);
  }
  for (const auto& [retired_source, feed] : retired_) {
    if (retired_source == source) return feed->find(kind, sequence);
  }
  return nullptr;
}

void WhepSession::on_tick(int64_t now_us) {
  auto connection = connection_.lock();
  if (!connection) return;
  // No picture yet (the cached GOP was too long to replay, or the publisher has not sent a
  // keyframe since): ask the publisher. The stream rate-limits; RTMP/SRT sources ignore it.
  if (connected_ && !ended_ && sender_.waiting_for_keyframe() && now_us - connected_us_ > kKeyframeGraceUs) {
    stream_->request_keyframe();
  }
  evaluate(now_us);
  reports_.clear();
  sender_.take_reports(now_us, reports_);
  for (auto& report : reports_) connection->send_rtcp(report);
}

void WhepSession::evaluate(int64_t now_us) {
  if (!video_ || ended_ || now_us - last_evaluation_us_ < kEvaluationIntervalUs) return;
  const auto& stats = sender_.stats();
  const auto received_bps = static_cast<uint64_t>(static_cast<double>(stats.bytes - last_evaluation_bytes_) * 8e6 /
                                                  static_cast<double>(now_us - last_evaluation_us_));
  last_evaluation_us_ = now_us;
  last_evaluation_bytes_ = stats.bytes;
  selector_.set_rungs(rungs());
  if (pending_) {
    if (now_us - pending_since_us_ < kSwitchTimeoutUs) return;
    spdlog::info("whep stream={} session={} rendition {} -> {} given up: no keyframe", stream_->name(), id(),
                 describe(video_->rendition), describe(pending_->rendition));
    pending_.reset();
    selector_.set_current(video_->rendition, now_us);
    return;
  }
  if (sender_.waiting_for_keyframe()) return;  // nothing measured yet
  RenditionSample sample{now_us, stats.bandwidth_estimate_bps, sender_.estimated_loss(), received_bps,
                         sender_.receiver_limit_bps()};
  auto target = selector_.update(sample);
  if (!target || *target == video_->rendition) return;
  spdlog::info("whep stream={} session={} rendition {} -> {} wanted: estimate {} kbit/s (receiver's {}) loss {:.3f} "
               "received {} kbit/s",
               stream_->name(), id(), describe(video_->rendition), describe(*target), sample.estimate_bps / 1000,
               sample.receiver_limit_bps / 1000, sample.loss, received_bps / 1000);
  pending_ = join(Role::pending, *target);
  pending_since_us_ = now_us;
  pending_->listen();
  // WHIP publishers send keyframes when asked (the renditions follow the source's).
  stream_->request_keyframe();
}

void WhepSession::on_packets(Membership& member, std::span<const SharedRtpPacketPtr> packets, bool replayed) {
  if (!connected_ || ended_) return;
  if (member.role != Role::pending) {
    send(packets, replayed, member.source);
    return;
  }
  // The target's packets count from its first live keyframe on (renditions' keyframes share
  // their PTS, so the picture moves without a jump).
  if (replayed) return;
  auto key = std::find_if(packets.begin(), packets.end(), [](const SharedRtpPacketPtr& p) {
    return p->kind == media::MediaKind::video && p->keyframe_start;
  });
  if (key == packets.end()) return;
  complete_switch();
  send(packets.subspan(static_cast<size_t>(key - packets.begin())), false, video_->source);
}

void WhepSession::complete_switch() {
  spdlog::info("whep stream={} session={} rendition {} -> {} at keyframe: estimate {} kbit/s", stream_->name(), id(),
               describe(video_->rendition), describe(pending_->rendition),
               sender_.stats().bandwidth_estimate_bps / 1000);
  video_->leave();
  retired_.emplace_back(video_->source, video_->feed);
  if (retired_.size() > kRetiredFeeds) retired_.erase(retired_.begin());
  video_ = std::move(pending_);
  video_->role = Role::video;
}

void WhepSession::send(std::span<const SharedRtpPacketPtr> packets, bool replayed, uint32_t source) {
  auto connection = connection_.lock();
  if (!connection) return;
  int64_t now_us = base::monotonic_micros();
  for (const auto& packet : packets) {
    if (sender_.write(*packet, replayed, now_us, scratch_, source)) connection->send_rtp(scratch_);
  }
}

void WhepSession::on_feed_ended() {
  if (ended_) return;
  ended_ = true;
  if (auto connection = connection_.lock()) connection->close("stream ended");
}

void WhepSession::on_closed(const std::string&) {
  const auto& stats = sender_.stats();
  spdlog::info("whep stream={} viewer done: rtp {} retransmitted {} nacks {} (missed {}) plis {} firs {} skipped {} "
               "loss {:.3f} rtt {} ms estimate {} kbit/s rendition {} switches {}",
               stream_->name(), stats.packets, stats.retransmitted, stats.nacks, stats.nack_misses, stats.plis,
               stats.firs, stats.skipped, stats.loss_fraction, stats.rtt_us / 1000, stats.bandwidth_estimate_bps / 1000,
               describe(rendition()), stats.switches);
  ended_ = true;
  leave_feeds();
}

void WhepSession::leave_feeds() {
  // Memberships stay allocated (one of them may be calling us); they only stop listening.
  for (auto* member : {&audio_, &video_, &pending_}) {
    if (*member) (*member)->leave();
  }
}

}  // namespace vela::egress
