#include "egress/restream_destination.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace vela::egress {

namespace {

constexpr std::chrono::seconds kRefreshInterval{1};

}  // namespace

const char* to_string(RestreamState state) {
  switch (state) {
    case RestreamState::connecting:
      return "connecting";
    case RestreamState::live:
      return "live";
    case RestreamState::backing_off:
      return "failed";
    case RestreamState::stopped:
      return "stopped";
  }
  return "unknown";
}

RestreamDestination::RestreamDestination(std::string url, std::string redacted_url,
                                         std::shared_ptr<router::Stream> stream,
                                         runtime::Shard& shard, PushSessionFactory factory,
                                         Backoff backoff, Report report)
    : url_(std::move(url)),
      redacted_url_(std::move(redacted_url)),
      stream_(std::move(stream)),
      shard_(shard),
      factory_(std::move(factory)),
      backoff_(std::move(backoff)),
      report_(std::move(report)),
      retry_timer_(shard.io()),
      refresh_timer_(shard.io()) {}

RestreamDestination::~RestreamDestination() {
  stopped_ = true;  // no report from a destructor: the owner is tearing down
  if (session_) session_->stop();
}

void RestreamDestination::start() {
  spdlog::info("restream stream={} dest={} starting", stream_->name(), redacted_url_);
  attempt();
}

void RestreamDestination::stop() {
  if (stopped_) return;
  stopped_ = true;
  retry_timer_.cancel();
  refresh_timer_.cancel();
  if (session_) {
    bytes_before_ = bytes_now();
    session_->stop();
    session_.reset();
  }
  status_.state = RestreamState::stopped;
  status_.bytes_sent = bytes_before_;
  spdlog::info("restream stream={} dest={} stopped after {} attempts, {} bytes", stream_->name(),
               redacted_url_, status_.attempts, bytes_before_);
  report();
}

void RestreamDestination::attempt() {
  if (stopped_) return;
  retired_.reset();
  ++status_.attempts;
  status_.state = RestreamState::connecting;
  status_.retry_in_ms = 0;
  session_ = factory_(url_, stream_, shard_);
  std::weak_ptr<RestreamDestination> weak = weak_from_this();
  session_->start(
      [weak] {
        if (auto self = weak.lock()) self->on_live();
      },
      [weak](std::string reason) {
        if (auto self = weak.lock()) self->on_closed(std::move(reason));
      });
  report();
  schedule_refresh();
}

void RestreamDestination::on_live() {
  if (stopped_) return;
  backoff_.live(Backoff::Clock::now());
  status_.state = RestreamState::live;
  spdlog::info("restream stream={} dest={} live (attempt {})", stream_->name(), redacted_url_,
               status_.attempts);
  report();
}

void RestreamDestination::on_closed(std::string reason) {
  if (stopped_) return;
  bytes_before_ = bytes_now();
  retired_ = std::move(session_);
  auto wait = backoff_.closed(Backoff::Clock::now());
  status_.state = RestreamState::backing_off;
  status_.last_error = std::move(reason);
  status_.retry_in_ms = wait.count();
  status_.bytes_sent = bytes_before_;
  spdlog::warn("restream stream={} dest={} attempt {} ended: {}; retrying in {:.1f} s",
               stream_->name(), redacted_url_, status_.attempts, status_.last_error,
               static_cast<double>(wait.count()) / 1000);
  report();
  retry_timer_.expires_after(wait);
  std::weak_ptr<RestreamDestination> weak = weak_from_this();
  retry_timer_.async_wait([weak](boost::system::error_code error) {
    if (auto self = weak.lock(); self && !error) self->attempt();
  });
}

void RestreamDestination::schedule_refresh() {
  refresh_timer_.expires_after(kRefreshInterval);
  std::weak_ptr<RestreamDestination> weak = weak_from_this();
  refresh_timer_.async_wait([weak](boost::system::error_code error) {
    auto self = weak.lock();
    if (!self || error || self->stopped_ || !self->session_) return;
    self->report();
    self->schedule_refresh();
  });
}

uint64_t RestreamDestination::bytes_now() const {
  return bytes_before_ + (session_ ? session_->bytes_sent() : 0);
}

void RestreamDestination::report() {
  status_.bytes_sent = bytes_now();
  if (report_) report_(status_);
}

}  // namespace vela::egress
