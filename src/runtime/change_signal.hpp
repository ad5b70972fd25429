#pragma once
// Parks coroutines on one shard until something changes or a deadline passes: blocking
// playlist reloads wait here for the next part. Shard-local: every call on the owning
// shard's thread. Waking is O(waiters) and happens once per change, not per request.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <list>

namespace vela::runtime {

class ChangeSignal {
 public:
  // True when notified, false when the deadline passed first.
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) {
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor, deadline);
    auto it = waiters_.insert(waiters_.end(), &timer);
    auto [error] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    waiters_.erase(it);
    co_return error == boost::asio::error::operation_aborted;
  }

  void notify_all() {
    for (auto* timer : waiters_) timer->cancel();
  }

  size_t waiting() const { return waiters_.size(); }

 private:
  std::list<boost::asio::steady_timer*> waiters_;
};

}  // namespace vela::runtime
