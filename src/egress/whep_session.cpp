#include "egress/whep_session.hpp"

#include <spdlog/spdlog.h>

#include "base/time.hpp"

namespace vela::egress {

namespace {
// How long a new viewer waits for the replayed GOP before asking for a fresh keyframe.
constexpr int64_t kKeyframeGraceUs = 300'000;
}  // namespace

WhepSession::WhepSession(std::shared_ptr<router::Stream> stream, std::shared_ptr<RtpFeed> feed,
                         ViewerSenderConfig config, std::weak_ptr<rtc::PeerConnection> connection)
    : stream_(std::move(stream)), feed_(std::move(feed)), sender_(std::move(config)), connection_(std::move(connection)) {}

WhepSession::~WhepSession() { leave_feed(); }

void WhepSession::on_connected(int64_t now_us) {
  if (listening_ || !feed_) return;
  connected_us_ = now_us;
  listening_ = true;
  // Joining replays the feed's cached GOP to us, so the first picture comes at once.
  feed_->add_listener(this);
}

void WhepSession::on_rtp(std::span<uint8_t>, int64_t) {}  // a WHEP viewer sends no media

void WhepSession::on_rtcp(std::span<uint8_t> packet, int64_t now_us) {
  auto connection = connection_.lock();
  if (!connection || !feed_) return;
  auto actions = sender_.on_rtcp(packet, now_us, [this](media::MediaKind kind, uint16_t sequence) {
    return feed_->find(kind, sequence);
  });
  for (auto& retransmission : actions.retransmissions) connection->send_rtp(retransmission);
  if (actions.keyframe_wanted) stream_->request_keyframe();
}

void WhepSession::on_tick(int64_t now_us) {
  auto connection = connection_.lock();
  if (!connection) return;
  // No picture yet (the cached GOP was too long to replay, or the publisher has not sent a
  // keyframe since): ask the publisher. The stream rate-limits; RTMP/SRT sources ignore it.
  if (listening_ && sender_.waiting_for_keyframe() && now_us - connected_us_ > kKeyframeGraceUs) {
    stream_->request_keyframe();
  }
  reports_.clear();
  sender_.take_reports(now_us, reports_);
  for (auto& report : reports_) connection->send_rtcp(report);
}

void WhepSession::on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) {
  auto connection = connection_.lock();
  if (!connection) return;
  int64_t now_us = base::monotonic_micros();
  for (const auto& packet : packets) {
    if (sender_.write(*packet, replayed, now_us, scratch_)) connection->send_rtp(scratch_);
  }
}

void WhepSession::on_feed_ended() {
  listening_ = false;
  if (auto connection = connection_.lock()) connection->close("stream ended");
}

void WhepSession::on_closed(const std::string&) {
  const auto& stats = sender_.stats();
  spdlog::info("whep stream={} viewer done: rtp {} retransmitted {} nacks {} (missed {}) plis {} firs {} skipped {} "
               "loss {:.3f} rtt {} ms estimate {} kbit/s",
               stream_->name(), stats.packets, stats.retransmitted, stats.nacks, stats.nack_misses, stats.plis,
               stats.firs, stats.skipped, stats.loss_fraction, stats.rtt_us / 1000, stats.bandwidth_estimate_bps / 1000);
  leave_feed();
}

void WhepSession::leave_feed() {
  if (listening_ && feed_) feed_->remove_listener(this);
  listening_ = false;
  feed_.reset();
}

}  // namespace vela::egress
