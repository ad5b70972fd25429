#include "ingest/srt_session.hpp"

#include <spdlog/spdlog.h>

#include "base/time.hpp"
#include "ingest/publication.hpp"

namespace vela::ingest {

SrtSession::SrtSession(runtime::Shard& shard, PublishContext& context, uint64_t id,
                       std::string stream_name, CloseSocket close_socket)
    : shard_(shard),
      context_(context),
      id_(id),
      stream_name_(std::move(stream_name)),
      close_socket_(std::move(close_socket)),
      frames_in_(
          context.metrics.counter("vela_srt_frames_total", "Media frames received over SRT")) {}

void SrtSession::start() {
  if (closed_ || stream_) return;
  auto stream = context_.registry.claim(stream_name_, shard_.index());
  if (!stream) {
    fail("publish refused: " + stream.error().message, "conflict");
    return;
  }
  stream_ = std::move(*stream);
  stream_->status().set_ingest({"srt", remote_, {}});
  spdlog::info("srt session={:x} stream={} publishing", id_, stream_name_);
  context_.observer.on_publish_start(stream_);
}

void SrtSession::on_bytes(const base::Buffer& bytes) {
  if (closed_ || !stream_) return;
  auto outputs = assembler_.feed(bytes.span(), base::wall_clock_micros());
  if (!outputs) {
    fail("bad MPEG-TS: " + outputs.error().message, "protocol");
    return;
  }
  frames_in_.add(publish_outputs(*stream_, *outputs));
  for (auto& cue : assembler_.take_cues()) {
    spdlog::info("srt session={:x} stream={} scte35 {} event={} out={} pts={}", id_, stream_name_, cue.command,
                 cue.event_id, cue.out_of_network, cue.pts ? std::to_string(*cue.pts) : "now");
    stream_->status().add_cue(std::move(cue));
  }
}

void SrtSession::on_transport_stats(std::vector<std::pair<std::string, int64_t>> stats) {
  if (stream_) stream_->status().set_transport(std::move(stats));
}

void SrtSession::on_closed(std::string_view reason) {
  if (!closed_) spdlog::info("srt session={:x} stream={} ended: {}", id_, stream_name_, reason);
  closed_ = true;
  end_publish();
}

void SrtSession::fail(std::string reason, const char* kind) {
  spdlog::warn("srt session={:x} stream={} closing: {}", id_, stream_name_, reason);
  context_.metrics
      .counter("vela_srt_sessions_failed_total", "SRT sessions ended by the server, by reason",
               std::string("reason=\"") + kind + "\"")
      .add();
  closed_ = true;
  end_publish();
  close_socket_(std::move(reason));
}

void SrtSession::end_publish() {
  if (!stream_) return;
  auto stream = std::move(stream_);
  stream_.reset();
  spdlog::info("srt session={:x} stream={} unpublished", id_, stream->name());
  end_publication(context_, stream);
}

}  // namespace vela::ingest
