#include "egress/srt_push_session.hpp"

#include <spdlog/spdlog.h>
#include <srt/srt.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "egress/srt_ts_sender.hpp"
#include "protocol/srt/srt_url.hpp"

namespace vela::egress {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kConnectPoll = 20ms;
constexpr auto kLivePoll = 250ms;
constexpr int kConnectTimeoutMs = 5000;
constexpr int kLingerSeconds = 1;
constexpr size_t kQueueFrames = 512;

template <class T>
bool set_flag(SRTSOCKET socket, SRT_SOCKOPT option, const T& value) {
  return srt_setsockflag(socket, option, &value, sizeof(value)) != SRT_ERROR;
}

class SrtPushConnection : public std::enable_shared_from_this<SrtPushConnection> {
 public:
  SrtPushConnection(const std::string& url, std::shared_ptr<router::Stream> stream,
                    runtime::Shard& shard)
      : url_(url),
        log_prefix_("srt push stream=" + stream->name() + " to " +
                    protocol::srt::redact_srt_url(url)),
        stream_(std::move(stream)),
        shard_(shard),
        resolver_(shard.io()),
        timer_(shard.io()) {}

  ~SrtPushConnection() { release(); }

  void start(std::function<void()> on_live, std::function<void(std::string)> on_closed) {
    on_live_ = std::move(on_live);
    on_closed_ = std::move(on_closed);
    auto url = protocol::srt::parse_srt_url(url_);
    if (!url) return fail_later(url.error().message);
    if (base::Status opened = open_socket(*url); !opened) return fail_later(opened.error().message);
    std::weak_ptr<SrtPushConnection> weak = weak_from_this();
    resolver_.async_resolve(url->host, std::to_string(url->port),
                            [weak](const boost::system::error_code& error,
                                   const asio::ip::udp::resolver::results_type& results) {
                              auto self = weak.lock();
                              if (!self || error == asio::error::operation_aborted) return;
                              if (error || results.empty()) {
                                self->fail("cannot resolve the host: " + error.message());
                                return;
                              }
                              self->connect(results.begin()->endpoint());
                            });
  }

  void stop() {
    if (done_) return;
    done_ = true;
    spdlog::info("{}: stopped", log_prefix_);
    release();
  }

  uint64_t bytes_sent() const { return bytes_.value(); }

 private:
  base::Status open_socket(const protocol::srt::SrtUrl& url) {
    if (srt_startup() < 0)
      return base::make_error(std::string("libsrt start-up failed: ") + srt_getlasterror_str());
    srt_started_ = true;
    socket_ = srt_create_socket();
    if (socket_ == SRT_INVALID_SOCK) {
      return base::make_error(std::string("cannot create an SRT socket: ") +
                              srt_getlasterror_str());
    }
    const bool non_blocking = false;
    const int live = SRTT_LIVE;
    // With non-blocking sends, libsrt lingers in the background: srt_close returns at once
    // and the stream's last bytes still go out.
    const linger flush_on_close{1, kLingerSeconds};
    bool ok = set_flag(socket_, SRTO_TRANSTYPE, live) &&
              set_flag(socket_, SRTO_SNDSYN, non_blocking) &&
              set_flag(socket_, SRTO_RCVSYN, non_blocking) &&
              set_flag(socket_, SRTO_CONNTIMEO, kConnectTimeoutMs) &&
              set_flag(socket_, SRTO_LINGER, flush_on_close);
    if (ok && !url.stream_id.empty()) {
      ok = srt_setsockflag(socket_, SRTO_STREAMID, url.stream_id.data(),
                           static_cast<int>(url.stream_id.size())) != SRT_ERROR;
    }
    if (ok && !url.passphrase.empty()) {
      ok = srt_setsockflag(socket_, SRTO_PASSPHRASE, url.passphrase.data(),
                           static_cast<int>(url.passphrase.size())) != SRT_ERROR;
    }
    if (ok && url.pbkeylen) ok = set_flag(socket_, SRTO_PBKEYLEN, *url.pbkeylen);
    if (ok && url.latency_ms) ok = set_flag(socket_, SRTO_LATENCY, *url.latency_ms);
    if (!ok)
      return base::make_error(std::string("cannot set SRT options: ") + srt_getlasterror_str());
    return {};
  }

  void connect(const asio::ip::udp::endpoint& endpoint) {
    if (done_) return;
    if (srt_connect(socket_, endpoint.data(), static_cast<int>(endpoint.size())) == SRT_ERROR) {
      fail(std::string("connect failed: ") + srt_getlasterror_str());
      return;
    }
    poll_after(kConnectPoll);
  }

  void poll_after(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    std::weak_ptr<SrtPushConnection> weak = weak_from_this();
    timer_.async_wait([weak](const boost::system::error_code& error) {
      auto self = weak.lock();
      if (self && !error) self->poll();
    });
  }

  void poll() {
    if (done_) return;
    SRT_SOCKSTATUS state = srt_getsockstate(socket_);
    if (state == SRTS_CONNECTED) {
      if (!live_) go_live();
      if (!done_) poll_after(kLivePoll);
      return;
    }
    if (live_) return fail("connection lost");
    if (state == SRTS_OPENED || state == SRTS_CONNECTING) return poll_after(kConnectPoll);
    fail(std::string("connect failed: ") + srt_rejectreason_str(srt_getrejectreason(socket_)));
  }

  void go_live() {
    live_ = true;
    spdlog::info("{}: connected", log_prefix_);
    if (on_live_) on_live_();
    if (done_) return;  // stopped from on_live
    std::weak_ptr<SrtPushConnection> weak = weak_from_this();
    sender_ = std::make_shared<SrtTsSender>(shard_, stream_, socket_, kQueueFrames, counters_,
                                            log_prefix_, [weak](std::string reason) {
                                              if (auto self = weak.lock())
                                                self->fail(std::move(reason));
                                            });
    sender_->start();
  }

  // From start(): the supervisor hears of the failure from the event loop, not re-entrantly.
  void fail_later(std::string reason) {
    std::weak_ptr<SrtPushConnection> weak = weak_from_this();
    shard_.post([weak, reason = std::move(reason)] {
      if (auto self = weak.lock()) self->fail(reason);
    });
  }

  void fail(std::string reason) {
    if (done_) return;
    done_ = true;
    spdlog::warn("{}: closed: {}", log_prefix_, reason);
    release();
    if (auto on_closed = std::move(on_closed_)) on_closed(std::move(reason));
  }

  void release() {
    if (sender_) sender_->stop();  // kept: release() may run inside one of its calls
    timer_.cancel();
    resolver_.cancel();
    if (socket_ != SRT_INVALID_SOCK) srt_close(socket_);
    socket_ = SRT_INVALID_SOCK;
    if (srt_started_) srt_cleanup();
    srt_started_ = false;
  }

  std::string url_;
  std::string log_prefix_;
  std::shared_ptr<router::Stream> stream_;
  runtime::Shard& shard_;
  asio::ip::udp::resolver resolver_;
  asio::steady_timer timer_;
  SRTSOCKET socket_ = SRT_INVALID_SOCK;
  bool srt_started_ = false;
  bool live_ = false;
  bool done_ = false;
  std::function<void()> on_live_;
  std::function<void(std::string)> on_closed_;
  base::Counter bytes_;
  base::Counter dropped_frames_;
  base::Counter skips_;
  SrtSendCounters counters_{bytes_, dropped_frames_, skips_};
  std::shared_ptr<SrtTsSender> sender_;
};

class SrtPushSession final : public PushSession {
 public:
  explicit SrtPushSession(std::shared_ptr<SrtPushConnection> connection)
      : connection_(std::move(connection)) {}
  ~SrtPushSession() override { connection_->stop(); }

  void start(std::function<void()> on_live,
             std::function<void(std::string reason)> on_closed) override {
    connection_->start(std::move(on_live), std::move(on_closed));
  }
  void stop() override { connection_->stop(); }
  uint64_t bytes_sent() const override { return connection_->bytes_sent(); }

 private:
  std::shared_ptr<SrtPushConnection> connection_;
};

}  // namespace

std::unique_ptr<PushSession> make_srt_push_session(const std::string& url,
                                                   std::shared_ptr<router::Stream> stream,
                                                   runtime::Shard& shard) {
  return std::make_unique<SrtPushSession>(
      std::make_shared<SrtPushConnection>(url, std::move(stream), shard));
}

PushTarget srt_push_target() {
  PushTarget target;
  target.make = make_srt_push_session;
  target.validate = [](const std::string& url) -> base::Status {
    auto parsed = protocol::srt::parse_srt_url(url);
    if (!parsed) return parsed.error();
    return {};
  };
  target.redact = [](const std::string& url) { return protocol::srt::redact_srt_url(url); };
  return target;
}

}  // namespace vela::egress
