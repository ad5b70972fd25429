#pragma once
// A bounded pool of threads for blocking or CPU-heavy work (disk sync, encoding) that must
// never run on a shard. submit() refuses work beyond the queue limit instead of growing.
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>

namespace vela::runtime {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_pending) : pool_(threads), max_pending_(max_pending) {}
  ~WorkerPool() { join(); }

  // Callable from any thread. False (and fn is not run) when max_pending jobs are queued.
  bool submit(std::function<void()> fn) {
    if (pending_.fetch_add(1) >= max_pending_) {
      pending_.fetch_sub(1);
      return false;
    }
    boost::asio::post(pool_, [this, fn = std::move(fn)] {
      fn();
      pending_.fetch_sub(1);
    });
    return true;
  }
  size_t pending() const { return pending_.load(); }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
  size_t max_pending_;
  std::atomic<size_t> pending_{0};
};

}  // namespace vela::runtime
