#include "runtime/shard.hpp"

#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace vela::runtime {
namespace {

using namespace std::chrono_literals;

TEST(ShardSet, StopAndWaitReturnsOnceEveryShardRanOutOfWork) {
  ShardSet shards(2);
  shards.start();
  std::atomic<int> ran{0};
  for (size_t i = 0; i < shards.size(); ++i) shards.at(i).post([&] { ran.fetch_add(1); });
  std::vector<size_t> busy;
  EXPECT_TRUE(shards.stop_and_wait_until(std::chrono::steady_clock::now() + 10s, busy));
  EXPECT_TRUE(busy.empty());
  EXPECT_EQ(ran.load(), 2);  // work posted before stop() ran; nothing was dropped
  shards.join();
}

TEST(ShardSet, StopAndWaitNamesTheShardsStillBusyAtTheDeadline) {
  ShardSet shards(2);
  boost::asio::steady_timer pending(shards.at(1).io(), std::chrono::hours(1));
  pending.async_wait([](const boost::system::error_code&) {});
  shards.start();
  std::vector<size_t> busy;
  EXPECT_FALSE(shards.stop_and_wait_until(std::chrono::steady_clock::now() + 50ms, busy));
  EXPECT_EQ(busy, std::vector<size_t>{1});

  // Once the timer is cancelled on its shard, that shard runs out of work too.
  std::promise<void> cancelled;
  shards.at(1).post([&] {
    pending.cancel();
    cancelled.set_value();
  });
  cancelled.get_future().wait();
  EXPECT_TRUE(shards.stop_and_wait_until(std::chrono::steady_clock::now() + 10s, busy));
  EXPECT_TRUE(busy.empty());
  shards.join();
}

}  // namespace
}  // namespace vela::runtime
