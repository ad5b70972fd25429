#include "ingest/rtmp_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include "base/time.hpp"
#include "ingest/publication.hpp"
#include "runtime/listener.hpp"

namespace vela::ingest {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
namespace rtmp = protocol::rtmp;

namespace {

int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

rtmp::ServerSessionConfig protocol_config(const RtmpSessionLimits& limits) {
  rtmp::ServerSessionConfig config;
  config.limits.max_message_size = std::min<uint32_t>(limits.max_message_bytes, 0xFFFFFF);
  return config;
}

}  // namespace

RtmpSession::RtmpSession(runtime::Shard& shard, PublishContext& context, uint64_t id,
                         RtmpSessionLimits limits)
    : shard_(shard),
      context_(context),
      id_(id),
      limits_(limits),
      protocol_(protocol_config(limits)),
      bytes_in_(context.metrics.counter("vela_rtmp_received_bytes_total", "Bytes received from RTMP publishers")),
      frames_in_(context.metrics.counter("vela_rtmp_frames_total", "Media frames received over RTMP")) {}

RtmpSession::~RtmpSession() { end_publish(); }

asio::awaitable<void> RtmpSession::run(tcp::socket& socket) {
  std::vector<uint8_t> buffer(64 * 1024);
  remote_ = runtime::peer_address(socket);
  std::string reason = "peer closed the connection";
  const char* kind = "closed";  // bounded label for the metric; `reason` has the detail
  asio::steady_timer idle(socket.get_executor());
  for (;;) {
    idle.expires_after(limits_.idle_timeout);
    auto result = co_await (socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)) ||
                            idle.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (result.index() == 1) {
      reason = "idle timeout";
      kind = "idle";
      break;
    }
    auto [read_error, n] = std::get<0>(result);
    if (read_error) {
      if (read_error != asio::error::eof) {
        reason = "read failed: " + read_error.message();
        kind = "io";
      }
      break;
    }
    bytes_in_.add(n);
    base::Status status = protocol_.feed(std::span(buffer.data(), n), monotonic_ms());
    auto events = protocol_.take_events();
    for (auto& event : events) {
      if (status) status = handle(event);
    }
    std::vector<uint8_t> output = protocol_.take_output();
    if (!output.empty()) {
      auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(output),
                                                               asio::as_tuple(asio::use_awaitable));
      if (write_error) {
        reason = "write failed: " + write_error.message();
        kind = "io";
        break;
      }
    }
    if (!status) {
      reason = status.error().message;
      kind = "protocol";
      spdlog::warn("rtmp session={:x} stream={} closing: {}", id_, stream_ ? stream_->name() : "-", reason);
      break;
    }
  }
  spdlog::info("rtmp session={:x} stream={} ended: {}", id_, stream_ ? stream_->name() : "-", reason);
  context_.metrics
      .counter("vela_rtmp_sessions_closed_total", "RTMP sessions closed, by reason",
               std::string("reason=\"") + kind + "\"")
      .add();
  end_publish();
  boost::system::error_code ignored;
  socket.close(ignored);
}

base::Status RtmpSession::handle(rtmp::SessionEvent& event) {
  if (auto* request = std::get_if<rtmp::PublishRequested>(&event)) {
    on_publish_requested(*request);
  } else if (auto* metadata = std::get_if<rtmp::MetaData>(&event)) {
    assembler_.on_metadata(metadata->metadata);
  } else if (auto* video = std::get_if<rtmp::VideoMessage>(&event)) {
    if (stream_) return publish(assembler_.on_video(video->timestamp_ms, video->payload, base::wall_clock_micros()));
  } else if (auto* audio = std::get_if<rtmp::AudioMessage>(&event)) {
    if (stream_) return publish(assembler_.on_audio(audio->timestamp_ms, audio->payload, base::wall_clock_micros()));
  } else if (std::holds_alternative<rtmp::Unpublished>(event)) {
    end_publish();
  }
  return {};
}

void RtmpSession::on_publish_requested(const rtmp::PublishRequested& request) {
  // Logged with the client's address (never the key) and counted by reason.
  auto refuse = [&](const char* code, const char* label, const std::string& reason) {
    spdlog::warn("rtmp session={:x} from {} publish refused: {}", id_, remote_, reason);
    context_.metrics
        .counter("vela_rtmp_refused_total", "RTMP connections and publishes refused, by reason",
                 std::string("reason=\"") + label + "\"")
        .add();
    protocol_.reject_publish(code, reason);
  };
  if (stream_) return refuse("NetStream.Publish.BadName", "bad_request", "this connection is already publishing");
  auto name = context_.authorizer.authorize(request.app, request.stream_name);
  if (!name) return refuse("NetStream.Publish.Denied", "auth", name.error().message);
  auto stream = context_.registry.claim(*name, shard_.index());
  if (!stream) return refuse("NetStream.Publish.BadName", "live", stream.error().message);
  stream_ = std::move(*stream);
  stream_->status().set_ingest({"rtmp", remote_, {}});
  protocol_.accept_publish();
  spdlog::info("rtmp session={:x} stream={} publishing", id_, stream_->name());
  context_.observer.on_publish_start(stream_);
}

base::Status RtmpSession::publish(base::Result<std::vector<AssembledOutput>> outputs) {
  if (!outputs) return outputs.error();
  frames_in_.add(publish_outputs(*stream_, *outputs));
  return {};
}

void RtmpSession::end_publish() {
  if (!stream_) return;
  auto stream = std::move(stream_);
  stream_.reset();
  spdlog::info("rtmp session={:x} stream={} unpublished", id_, stream->name());
  end_publication(context_, stream);
}

}  // namespace vela::ingest
