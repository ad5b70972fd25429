#include "egress/srt_play_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vela::egress {

SrtPlayMetrics::SrtPlayMetrics(base::MetricsRegistry& metrics)
    : send(metrics, "play"),
      viewers(metrics.gauge("vela_srt_viewers", "SRT viewers (m=request) connected")),
      sessions(metrics.counter("vela_srt_play_sessions_total", "SRT viewer sessions started")) {}

SrtPlaySession::SrtPlaySession(runtime::Shard& shard, SRTSOCKET socket, uint64_t id,
                               std::shared_ptr<router::Stream> stream, SrtPlayOptions options,
                               SrtPlayMetrics& metrics, CloseSocket close_socket)
    : shard_(shard),
      id_(id),
      stream_(std::move(stream)),
      metrics_(metrics),
      close_socket_(std::move(close_socket)) {
  // The sender holds a weak reference back: the session owns it, the listener owns the
  // session until the socket is closed.
  sender_ = std::make_shared<SrtTsSender>(
      shard_, stream_, socket, options.queue_frames, metrics_.send,
      fmt::format("srt play session={:x} stream={}", id_, stream_->name()),
      [this](std::string reason) {
        spdlog::info("srt play session={:x} stream={} closing: {}", id_, stream_->name(), reason);
        close_socket_(std::move(reason));
      });
}

void SrtPlaySession::start() {
  if (started_ || closed_) return;
  started_ = true;
  metrics_.viewers.add(1);
  metrics_.sessions.add();
  spdlog::info("srt play session={:x} stream={} shard={} started", id_, stream_->name(),
               shard_.index());
  sender_->start();
}

void SrtPlaySession::on_socket_closed(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  sender_->stop();
  if (started_) metrics_.viewers.add(-1);
  const SrtTsFeed& feed = sender_->feed();
  spdlog::info(
      "srt play session={:x} stream={} ended: {} (sent {} bytes, {} frames dropped, {} "
      "send-buffer skips)",
      id_, stream_->name(), reason, sender_->bytes_sent(), feed.dropped_frames(), feed.skips());
}

}  // namespace vela::egress
