#include "egress/srt_ts_sender.hpp"

#include <spdlog/spdlog.h>

#include "base/time.hpp"

namespace vela::egress {

SrtSendCounters::SrtSendCounters(base::MetricsRegistry& metrics, const std::string& kind)
    : bytes(metrics.counter("vela_srt_sent_bytes_total", "MPEG-TS bytes sent over SRT, by kind",
                            "kind=\"" + kind + "\"")),
      dropped_frames(metrics.counter("vela_srt_send_dropped_frames_total",
                                     "Frames not sent over SRT (slow receiver), by kind",
                                     "kind=\"" + kind + "\"")),
      skips(metrics.counter("vela_srt_send_buffer_full_total",
                            "SRT send buffer full: skipped to the next keyframe, by kind",
                            "kind=\"" + kind + "\"")) {}

SrtTsSender::SrtTsSender(runtime::Shard& shard, std::shared_ptr<router::Stream> stream,
                         SRTSOCKET socket, size_t queue_frames, SrtSendCounters& counters,
                         std::string log_prefix, std::function<void(std::string reason)> on_end)
    : shard_(shard),
      stream_(std::move(stream)),
      socket_(socket),
      queue_frames_(queue_frames),
      counters_(counters),
      log_prefix_(std::move(log_prefix)),
      on_end_(std::move(on_end)) {}

void SrtTsSender::start() {
  auto keep = shared_from_this();  // on_end may drop the owner's reference
  std::weak_ptr<SrtTsSender> weak = keep;
  subscription_ = stream_->subscribe(shard_.index(), queue_frames_, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
  drain();  // subscribe() queued the cached GOP (or the end) before subscription_ was set
}

void SrtTsSender::stop() {
  if (stopped_) return;
  stopped_ = true;
  account_drops();
  if (subscription_) stream_->unsubscribe(shard_.index(), subscription_);
}

void SrtTsSender::drain() {
  if (stopped_ || !subscription_) return;
  const auto& tracks = stream_->tracks(shard_.index());
  while (auto frame = subscription_->pop()) {
    if (tracks.empty()) continue;  // nothing is announced yet
    if (base::Status status = feed_.update_tracks(tracks); !status) {
      end("cannot send the stream as MPEG-TS: " + status.error().message);
      return;
    }
    if (base::Status status = feed_.push(*frame); !status) {
      if (log_limit_.allow(base::wall_clock_micros())) {
        spdlog::warn("{} frame skipped: {}", log_prefix_, status.error().message);
      }
    }
    if (!send_messages()) return;
  }
  account_drops();
  if (subscription_->ended()) {
    auto rest = feed_.flush();
    if (!rest.empty() && !send(rest)) return;
    end("stream ended");
  }
}

bool SrtTsSender::send_messages() {
  while (feed_.has_message()) {
    if (!send(feed_.message())) return false;
    if (feed_.queued() == 0) break;  // the buffer was full: the feed skipped
    feed_.pop_message();
  }
  return true;
}

// False when the sender ended; a full buffer makes the feed skip and is not an end.
bool SrtTsSender::send(std::span<const uint8_t> message) {
  int n = srt_sendmsg(socket_, reinterpret_cast<const char*>(message.data()),
                      static_cast<int>(message.size()), -1, 0);
  if (n != SRT_ERROR) {
    bytes_sent_ += message.size();
    counters_.bytes.add(message.size());
    return true;
  }
  if (srt_getlasterror(nullptr) == SRT_EASYNCSND) {
    counters_.skips.add();
    if (log_limit_.allow(base::wall_clock_micros())) {
      spdlog::warn("{} send buffer full: dropping {} queued bytes, resuming at the next keyframe",
                   log_prefix_, feed_.queued());
    }
    feed_.skip_to_keyframe();
    return true;
  }
  end(std::string("send failed: ") + srt_getlasterror_str());
  return false;
}

void SrtTsSender::account_drops() {
  uint64_t dropped = feed_.dropped_frames() + (subscription_ ? subscription_->dropped() : 0);
  counters_.dropped_frames.add(dropped - dropped_reported_);
  dropped_reported_ = dropped;
}

void SrtTsSender::end(std::string reason) {
  if (stopped_) return;
  stop();
  if (on_end_) on_end_(std::move(reason));
}

}  // namespace vela::egress
