#pragma once
// One restream destination of one live stream: starts push attempts (PushSessions) one
// after another, waiting between them per Backoff, until stop(). Its status (state, bytes
// sent by all attempts of this publication, attempts, last error) is reported through a
// callback on every change and once a second while an attempt runs.
//
// Threading: created, started, stopped and destroyed on the stream's home shard; the
// report callback runs there too. Held by shared_ptr (timers and callbacks hold weak
// references, so destroying it at any time is safe).
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "egress/push_session.hpp"
#include "egress/restream_backoff.hpp"

namespace vela::egress {

enum class RestreamState {
  connecting,   // an attempt is under way, not yet accepted by the destination
  live,         // media flows
  backing_off,  // the last attempt failed; waiting before the next (shown as "failed")
  stopped,      // the stream is not live, or the destination was removed
};

const char* to_string(RestreamState state);

struct RestreamStatus {
  RestreamState state = RestreamState::stopped;
  uint64_t bytes_sent = 0;  // all attempts since the stream went live
  uint32_t attempts = 0;    // attempts started since the stream went live
  std::string last_error;   // why the last attempt ended; empty if none has
  int64_t retry_in_ms = 0;  // backing_off: wait chosen before the next attempt
};

class RestreamDestination : public std::enable_shared_from_this<RestreamDestination> {
 public:
  using Report = std::function<void(const RestreamStatus&)>;

  RestreamDestination(std::string url, std::string redacted_url,
                      std::shared_ptr<router::Stream> stream, runtime::Shard& shard,
                      PushSessionFactory factory, Backoff backoff, Report report);
  ~RestreamDestination();

  void start();  // the first attempt, now
  void stop();   // ends the attempt and any wait; reports `stopped`. Idempotent.

  const RestreamStatus& status() const { return status_; }

 private:
  void attempt();
  void on_live();
  void on_closed(std::string reason);
  void schedule_refresh();
  uint64_t bytes_now() const;
  void report();

  std::string url_;
  std::string redacted_url_;
  std::shared_ptr<router::Stream> stream_;
  runtime::Shard& shard_;
  PushSessionFactory factory_;
  Backoff backoff_;
  Report report_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer refresh_timer_;
  std::unique_ptr<PushSession> session_;
  std::unique_ptr<PushSession> retired_;  // the ended attempt, freed outside its own callback
  uint64_t bytes_before_ = 0;             // bytes of ended attempts
  RestreamStatus status_;
  bool stopped_ = false;
};

}  // namespace vela::egress
