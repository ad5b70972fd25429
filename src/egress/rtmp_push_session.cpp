#include "egress/rtmp_push_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "egress/rtmp_url.hpp"
#include "format/flv_build.hpp"
#include "protocol/rtmp/client_session.hpp"

namespace vela::egress {

namespace {

namespace asio = boost::asio;
namespace rtmp = protocol::rtmp;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using base::Status;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Status fail(std::string message) {
  return base::make_error(std::move(message));
}

rtmp::ClientSessionConfig client_config(const RtmpUrl& url) {
  rtmp::ClientSessionConfig config;
  config.app = url.app;
  config.tc_url = url.tc_url;
  config.stream_key = url.key;
  return config;
}

// The attempt's state, shared by the coroutine and the PushSession handle, so that the
// handle may be destroyed right after stop() while Asio operations are still unwinding.
class RtmpPush : public std::enable_shared_from_this<RtmpPush> {
 public:
  RtmpPush(RtmpUrl url, std::string redacted, std::shared_ptr<router::Stream> stream,
           runtime::Shard& shard, RtmpPushOptions options)
      : url_(std::move(url)),
        redacted_(std::move(redacted)),
        stream_(std::move(stream)),
        shard_(shard),
        options_(options),
        protocol_(client_config(url_)),
        socket_(shard.io()),
        resolver_(shard.io()),
        deadline_(shard.io()),
        write_timer_(shard.io()),
        wake_(shard.io()) {}

  void start(std::function<void()> on_live, std::function<void(std::string)> on_closed) {
    on_live_ = std::move(on_live);
    on_closed_ = std::move(on_closed);
    auto self = shared_from_this();
    asio::co_spawn(shard_.io(), run(), [self](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        self->finish(std::string("internal error: ") + error.what());
      }
    });
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    on_live_ = nullptr;
    on_closed_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    resolver_.cancel();
    deadline_.cancel();
    write_timer_.cancel();
    wake_.cancel();
  }

  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  asio::awaitable<void> run() {
    auto self = shared_from_this();  // alive until the coroutine ends
    Status status = co_await connect();
    if (status) status = co_await negotiate();
    if (status) {
      if (on_live_) on_live_();
      subscribe();
      auto result = co_await (read_loop() || write_loop());
      status = result.index() == 0 ? std::get<0>(result) : std::get<1>(result);
      stream_->unsubscribe(shard_.index(), subscription_);
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
    finish(status ? std::string("closed") : status.error().message);
  }

  void finish(std::string reason) {
    if (stopped_) return;
    stopped_ = true;
    on_live_ = nullptr;
    if (auto on_closed = std::exchange(on_closed_, nullptr)) on_closed(std::move(reason));
  }

  asio::awaitable<Status> connect() {
    deadline_.expires_after(options_.connect_timeout);
    auto resolved =
        co_await (resolver_.async_resolve(url_.host, std::to_string(url_.port), kTuple) ||
                  deadline_.async_wait(kTuple));
    if (resolved.index() == 1) co_return fail("timed out resolving " + url_.host);
    auto [resolve_error, endpoints] = std::get<0>(resolved);
    if (resolve_error)
      co_return fail("cannot resolve " + url_.host + ": " + resolve_error.message());
    auto connected =
        co_await (asio::async_connect(socket_, endpoints, kTuple) || deadline_.async_wait(kTuple));
    if (connected.index() == 1)
      co_return fail("timed out connecting to " + url_.host + ":" + std::to_string(url_.port));
    auto [connect_error, endpoint] = std::get<0>(connected);
    if (connect_error) {
      co_return fail("cannot connect to " + url_.host + ":" + std::to_string(url_.port) + ": " +
                     connect_error.message());
    }
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    co_return Status{};
  }

  // Handshake, connect, createStream and publish, until NetStream.Publish.Start.
  asio::awaitable<Status> negotiate() {
    if (Status started = protocol_.start(monotonic_ms()); !started) co_return started;
    deadline_.expires_after(options_.publish_timeout);
    std::vector<uint8_t> buffer(16 * 1024);
    for (;;) {
      if (Status written = co_await write_output(); !written) co_return written;
      auto read = co_await (socket_.async_read_some(asio::buffer(buffer), kTuple) ||
                            deadline_.async_wait(kTuple));
      if (read.index() == 1) {
        co_return fail("timed out waiting for the destination to accept the publish");
      }
      auto [error, n] = std::get<0>(read);
      if (error) co_return read_failure(error);
      if (Status fed = protocol_.feed(std::span(buffer.data(), n)); !fed) co_return fed;
      for (auto& event : protocol_.take_events()) {
        if (std::holds_alternative<rtmp::PublishStarted>(event)) {
          co_return co_await write_output();
        }
        log_status(event);
      }
    }
  }

  asio::awaitable<Status> read_loop() {
    std::vector<uint8_t> buffer(16 * 1024);
    for (;;) {
      auto [error, n] = co_await socket_.async_read_some(asio::buffer(buffer), kTuple);
      if (error) co_return read_failure(error);
      if (Status fed = protocol_.feed(std::span(buffer.data(), n)); !fed) co_return fed;
      for (auto& event : protocol_.take_events()) log_status(event);
      // Ping responses and acknowledgements go out with the next write.
      if (protocol_.pending_output() > 0) wake_.cancel();
    }
  }

  asio::awaitable<Status> write_loop() {
    for (;;) {
      if (stopped_) co_return fail("stopped");
      if (Status queued = queue_frames(); !queued) co_return queued;
      if (subscription_->ended() && subscription_->empty()) {
        protocol_.unpublish();
        Status flushed = co_await write_output();  // best effort: the attempt ends either way
        co_return flushed ? fail("the stream ended") : flushed;
      }
      if (protocol_.pending_output() > 0) {
        if (Status written = co_await write_output(); !written) co_return written;
        continue;
      }
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(kTuple);
    }
  }

  void subscribe() {
    std::weak_ptr<RtmpPush> weak = weak_from_this();
    // Runs synchronously from Stream::publish() on this shard: only wake the writer.
    subscription_ = stream_->subscribe(shard_.index(), options_.queue_frames, [weak] {
      if (auto self = weak.lock()) self->wake_.cancel();
    });
  }

  // Moves frames from the subscription into the protocol's output, up to a batch.
  Status queue_frames() {
    const auto& tracks = stream_->tracks(shard_.index());
    while (protocol_.pending_output() < options_.max_batch_bytes) {
      media::FramePtr frame = subscription_->pop();
      if (!frame) break;
      auto track = std::find_if(tracks.begin(), tracks.end(),
                                [&](const auto& t) { return t.id == frame->track_id; });
      if (track == tracks.end()) continue;  // frames before their track was announced
      if (Status sent = send_frame(tracks, *track, *frame); !sent) return sent;
    }
    return {};
  }

  Status send_frame(const std::vector<media::TrackInfo>& tracks, const media::TrackInfo& track,
                    const media::MediaFrame& frame) {
    scratch_.clear();
    auto timestamp = format::build_flv_frame(track, frame, scratch_);
    if (!timestamp)
      return fail("cannot send track " + std::to_string(track.id) + ": " +
                  timestamp.error().message);
    if (configs_changed(tracks)) {
      if (Status sent = send_headers(tracks, *timestamp); !sent) return sent;
    }
    bool sent = track.kind == media::MediaKind::video ? protocol_.send_video(*timestamp, scratch_)
                                                      : protocol_.send_audio(*timestamp, scratch_);
    if (!sent)
      return fail("frame of " + std::to_string(scratch_.size()) +
                  " bytes does not fit an RTMP message");
    return {};
  }

  bool configs_changed(const std::vector<media::TrackInfo>& tracks) const {
    if (tracks.size() != sent_configs_.size()) return true;
    for (size_t i = 0; i < tracks.size(); ++i) {
      if (!std::ranges::equal(tracks[i].codec_config.span(), sent_configs_[i].span())) return true;
    }
    return false;
  }

  // onMetaData and every track's sequence header, before the first frame and after a change.
  Status send_headers(const std::vector<media::TrackInfo>& tracks, int64_t timestamp_ms) {
    protocol_.send_metadata(format::build_flv_metadata(tracks));
    sent_configs_.clear();
    std::vector<uint8_t> body;
    for (const auto& t : tracks) {
      body.clear();
      if (Status built = format::build_flv_sequence_header(t, body); !built) return built;
      if (t.kind == media::MediaKind::video) {
        protocol_.send_video(timestamp_ms, body);
      } else {
        protocol_.send_audio(timestamp_ms, body);
      }
      sent_configs_.push_back(t.codec_config);
    }
    return {};
  }

  asio::awaitable<Status> write_output() {
    std::vector<uint8_t> output = protocol_.take_output();
    if (output.empty()) co_return Status{};
    write_timer_.expires_after(options_.write_timeout);
    auto result = co_await (asio::async_write(socket_, asio::buffer(output), kTuple) ||
                            write_timer_.async_wait(kTuple));
    if (result.index() == 1) {
      co_return fail("destination stalled: a write took longer than " +
                     std::to_string(options_.write_timeout.count() / 1000) + " s");
    }
    auto [error, n] = std::get<0>(result);
    bytes_sent_ += n;
    if (error) co_return fail("write failed: " + error.message());
    co_return Status{};
  }

  Status read_failure(const boost::system::error_code& error) const {
    if (error == asio::error::eof) return fail("the destination closed the connection");
    return fail("read failed: " + error.message());
  }

  void log_status(const rtmp::ClientEvent& event) const {
    if (auto* status = std::get_if<rtmp::StatusReceived>(&event)) {
      spdlog::info("restream stream={} dest={} status {}: {}", stream_->name(), redacted_,
                   status->code, status->description);
    }
  }

  RtmpUrl url_;
  std::string redacted_;
  std::shared_ptr<router::Stream> stream_;
  runtime::Shard& shard_;
  RtmpPushOptions options_;
  rtmp::ClientSession protocol_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;     // connect, then negotiate
  asio::steady_timer write_timer_;  // one write
  asio::steady_timer wake_;         // the writer parks here until frames or output arrive
  std::shared_ptr<router::Subscription> subscription_;
  std::vector<base::Buffer> sent_configs_;  // per track, as announced to the destination
  std::vector<uint8_t> scratch_;            // one frame's FLV body, reused
  std::function<void()> on_live_;
  std::function<void(std::string)> on_closed_;
  uint64_t bytes_sent_ = 0;
  bool stopped_ = false;
};

class RtmpPushSession : public PushSession {
 public:
  explicit RtmpPushSession(std::shared_ptr<RtmpPush> push) : push_(std::move(push)) {}
  ~RtmpPushSession() override { stop(); }

  void start(std::function<void()> on_live, std::function<void(std::string)> on_closed) override {
    push_->start(std::move(on_live), std::move(on_closed));
  }
  void stop() override { push_->stop(); }
  uint64_t bytes_sent() const override { return push_->bytes_sent(); }

 private:
  std::shared_ptr<RtmpPush> push_;
};

// An attempt that cannot start (a URL that does not parse): closes at once, posted so the
// caller's start() returns first, as with any other attempt.
class RefusedPushSession : public PushSession {
 public:
  RefusedPushSession(runtime::Shard& shard, std::string reason)
      : shard_(shard), reason_(std::move(reason)), alive_(std::make_shared<bool>(true)) {}
  ~RefusedPushSession() override { stop(); }

  void start(std::function<void()>, std::function<void(std::string)> on_closed) override {
    std::weak_ptr<bool> alive = alive_;
    shard_.post([alive, on_closed = std::move(on_closed), reason = reason_] {
      if (auto live = alive.lock(); live && *live) on_closed(reason);
    });
  }
  void stop() override { *alive_ = false; }
  uint64_t bytes_sent() const override { return 0; }

 private:
  runtime::Shard& shard_;
  std::string reason_;
  std::shared_ptr<bool> alive_;
};

}  // namespace

std::unique_ptr<PushSession> make_rtmp_push_session(const std::string& url,
                                                    std::shared_ptr<router::Stream> stream,
                                                    runtime::Shard& shard,
                                                    RtmpPushOptions options) {
  auto parsed = parse_rtmp_url(url);
  if (!parsed) return std::make_unique<RefusedPushSession>(shard, parsed.error().message);
  auto push = std::make_shared<RtmpPush>(std::move(*parsed), redact_rtmp_url(url),
                                         std::move(stream), shard, options);
  return std::make_unique<RtmpPushSession>(std::move(push));
}

PushTarget rtmp_push_target(RtmpPushOptions options) {
  PushTarget target;
  target.make = [options](const std::string& url, std::shared_ptr<router::Stream> stream,
                          runtime::Shard& shard) {
    return make_rtmp_push_session(url, std::move(stream), shard, options);
  };
  target.validate = [](const std::string& url) -> base::Status {
    auto parsed = parse_rtmp_url(url);
    if (!parsed) return parsed.error();
    return {};
  };
  target.redact = [](const std::string& url) { return redact_rtmp_url(url); };
  return target;
}

}  // namespace vela::egress
