#include "ingest/whip_session.hpp"

#include <spdlog/spdlog.h>

#include "base/time.hpp"
#include "ingest/publication.hpp"
#include "rtc/rtc_endpoint.hpp"

namespace vela::ingest {

namespace {

WebRtcIngestOptions receiver_options() {
  WebRtcIngestOptions options;
  options.feedback_ssrc = rtc::random_ssrc();
  // Times passed in are monotonic; frames carry wall-clock time (program date-time).
  options.wall_clock_offset_us = base::wall_clock_micros() - base::monotonic_micros();
  return options;
}

}  // namespace

WhipSession::WhipSession(PublishContext& context, std::shared_ptr<router::Stream> stream,
                         const protocol::sdp::Negotiated& negotiated, std::weak_ptr<rtc::PeerConnection> connection,
                         int64_t keyframe_interval_us)
    : context_(context),
      stream_(std::move(stream)),
      connection_(std::move(connection)),
      receiver_(negotiated, receiver_options()),
      keyframe_interval_us_(keyframe_interval_us),
      frames_in_(context.metrics.counter("vela_whip_frames_total", "Media frames received over WHIP")) {}

WhipSession::~WhipSession() { end_publish(); }

void WhipSession::start() {
  std::string remote = "browser";
  stream_->status().set_ingest({"webrtc", remote, {}});
  // A WHEP viewer (or another egress) that needs a keyframe asks the stream; the request
  // becomes a PLI on the next tick, rate-limited by the receiver.
  stream_->set_keyframe_requester([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->keyframe_wanted_ = true;
  });
  context_.observer.on_publish_start(stream_);
}

void WhipSession::on_connected(int64_t) {
  if (auto connection = connection_.lock(); connection && connection->selected_path()) {
    stream_->status().set_ingest({"webrtc", connection->selected_path()->remote.to_string(), {}});
  }
}

void WhipSession::on_rtp(std::span<uint8_t> packet, int64_t now_us) {
  receiver_.on_rtp(packet, now_us);
  // A frame completes on its last packet: publish at once, not on the next tick.
  publish_ready(now_us);
}

void WhipSession::on_rtcp(std::span<uint8_t> packet, int64_t now_us) { receiver_.on_rtcp(packet, now_us); }

void WhipSession::on_tick(int64_t now_us) {
  if (keyframe_interval_us_ > 0 && now_us - last_keyframe_request_us_ >= keyframe_interval_us_) keyframe_wanted_ = true;
  if (keyframe_wanted_) {
    keyframe_wanted_ = false;
    last_keyframe_request_us_ = now_us;
    receiver_.request_keyframe(now_us);
  }
  publish_ready(now_us);
  send_feedback(now_us);
}

void WhipSession::publish_ready(int64_t now_us) {
  if (!stream_) return;
  output_.tracks_changed = false;
  output_.frames.clear();
  receiver_.poll(now_us, output_);
  if (output_.tracks_changed) stream_->set_tracks(output_.tracks);
  for (const auto& frame : output_.frames) stream_->publish(frame);
  frames_in_.add(output_.frames.size());
}

void WhipSession::send_feedback(int64_t now_us) {
  auto connection = connection_.lock();
  if (!connection) return;
  feedback_.clear();
  receiver_.take_feedback(now_us, feedback_);
  for (auto& packet : feedback_) connection->send_rtcp(packet);
}

void WhipSession::on_closed(const std::string& reason) {
  if (stream_) spdlog::info("whip stream={} ended: {}", stream_->name(), reason);
  end_publish();
}

void WhipSession::end_publish() {
  if (!stream_) return;
  auto stream = std::move(stream_);
  stream_.reset();
  stream->set_keyframe_requester(nullptr);
  end_publication(context_, stream);
}

}  // namespace vela::ingest
