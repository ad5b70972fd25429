#include "rtc/rtc_endpoint.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>
#include <type_traits>

#include "base/time.hpp"

namespace vela::rtc {
namespace {

namespace asio = boost::asio;

// Two shards running on their own threads, a port on each, and a session on shard 1.
class RtcEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certificate_ = *protocol::dtls::DtlsCertificate::generate();
    for (size_t i = 0; i < 2; ++i) {
      RtcPortOptions options;
      options.address = asio::ip::make_address("127.0.0.1");
      options.port = 0;
      ports_.push_back(std::make_unique<RtcPort>(shards_.at(i), options, metrics_));
      ASSERT_TRUE(ports_.back()->start().ok());
    }
    PeerConnectionParams params;
    params.id = "1-session";
    params.local_ice = {"srvU", "server-password-0123456"};
    params.remote_ice = {"brwU", "browser-password-6543210"};
    params.certificate = certificate_;
    params.remote_fingerprint = certificate_->fingerprint_sha256();
    session_ = std::make_shared<PeerConnection>(params, *ports_[1], base::monotonic_micros());
    session_->set_resource("/whep/cam");
    ASSERT_TRUE(ports_[1]->add(session_).ok());
    endpoint_ = std::make_unique<RtcEndpoint>(shards_, std::vector<RtcPort*>{ports_[0].get(), ports_[1].get()},
                                              certificate_, RtcEndpointOptions{});
    shards_.start();
    shard_thread_ = on_shard(1, [] { return std::this_thread::get_id(); });
  }
  void TearDown() override {
    for (size_t i = 0; i < 2; ++i) on_shard(i, [&] { ports_[i]->stop(); return 0; });
    shards_.stop();
    shards_.join();
  }

  template <class Fn>
  std::invoke_result_t<Fn> on_shard(size_t shard, Fn fn) {
    std::promise<std::invoke_result_t<Fn>> done;
    shards_.at(shard).post([&] { done.set_value(fn()); });
    return done.get_future().get();
  }

  // with_session called from a coroutine on shard 0; returns its answer and fn's thread.
  std::pair<bool, std::thread::id> call_from_shard0(std::string id, std::string resource) {
    std::thread::id ran_on;
    auto answer = asio::co_spawn(
        shards_.at(0).io(),
        [&]() -> asio::awaitable<bool> {
          bool found = co_await endpoint_->with_session(id, resource, [&](PeerConnection&) {
            ran_on = std::this_thread::get_id();
          });
          // And the caller is back on its own shard.
          EXPECT_TRUE(shards_.at(0).running_in_this_thread());
          co_return found;
        },
        asio::use_future);
    return {answer.get(), ran_on};
  }

  runtime::ShardSet shards_{2};
  base::MetricsRegistry metrics_;
  std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate_;
  std::vector<std::unique_ptr<RtcPort>> ports_;
  std::shared_ptr<PeerConnection> session_;
  std::unique_ptr<RtcEndpoint> endpoint_;
  std::thread::id shard_thread_;
};

TEST_F(RtcEndpointTest, WithSessionActsOnTheSessionsShardAndComesBack) {
  auto [found, ran_on] = call_from_shard0("1-session", "/whep/cam");
  EXPECT_TRUE(found);
  EXPECT_EQ(ran_on, shard_thread_) << "a session is only touched on its own shard";
}

TEST_F(RtcEndpointTest, WithSessionFindsNothingForOtherResourcesOrShards) {
  EXPECT_FALSE(call_from_shard0("1-session", "/whip/cam").first);
  EXPECT_FALSE(call_from_shard0("1-other", "/whep/cam").first);
  EXPECT_FALSE(call_from_shard0("7-session", "/whep/cam").first);
  EXPECT_FALSE(call_from_shard0("junk", "/whep/cam").first);
}

}  // namespace
}  // namespace vela::rtc
