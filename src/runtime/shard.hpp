#pragma once
// A shard is one event-loop thread with its own io_context. Objects created on a shard are
// touched only by that shard's thread; other threads reach them by post().
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace vela::runtime {

class Shard {
 public:
  explicit Shard(size_t index);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;
  ~Shard();

  size_t index() const { return index_; }
  boost::asio::io_context& io() { return io_; }
  // Runs fn on this shard's thread. Callable from any thread.
  template <class Fn>
  void post(Fn&& fn) {
    boost::asio::post(io_, std::forward<Fn>(fn));
  }
  bool running_in_this_thread() { return io_.get_executor().running_in_this_thread(); }

  void start();  // launches the thread
  void stop();   // lets the loop finish once outstanding work is done (drops the work guard)
  // After stop(): true once the loop has run out of work and returned (nothing is left in
  // the io_context), false if work is still pending at the deadline.
  bool wait_stopped_until(std::chrono::steady_clock::time_point deadline);
  void abort();  // stops the loop now; pending handlers stay until the Shard is destroyed
  void join();

 private:
  size_t index_;
  boost::asio::io_context io_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::promise<void> ran_out_;  // set by the thread when io_.run() returns
  std::future<void> ran_out_future_ = ran_out_.get_future();
  std::thread thread_;
};

// The fixed set of shards, one per core by default.
class ShardSet {
 public:
  explicit ShardSet(size_t count);
  size_t size() const { return shards_.size(); }
  Shard& at(size_t i) { return *shards_[i]; }
  void start();
  void stop();
  // stop() on every shard, then waits until each has run out of work; false (and the
  // indices of the shards still busy in `busy`) if some had not by the deadline.
  bool stop_and_wait_until(std::chrono::steady_clock::time_point deadline, std::vector<size_t>& busy);
  void abort();
  void join();

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace vela::runtime
