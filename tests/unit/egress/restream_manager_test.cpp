// RestreamDestination and RestreamManager with scripted push sessions, on one shard whose
// io_context the test runs itself.
#include "egress/restream_manager.hpp"

#include <gtest/gtest.h>

#include "egress/rtmp_push_session.hpp"

namespace vela::egress {
namespace {

using namespace std::chrono_literals;
using asio_io = boost::asio::io_context;

// A push attempt the test drives by hand.
struct FakePush {
  std::string url;
  std::function<void()> on_live;
  std::function<void(std::string)> on_closed;
  uint64_t bytes = 0;
  bool stopped = false;

  void go_live() { on_live(); }
  void close(std::string reason) { std::exchange(on_closed, nullptr)(std::move(reason)); }
};

class FakePushSession : public PushSession {
 public:
  explicit FakePushSession(std::shared_ptr<FakePush> push) : push_(std::move(push)) {}
  void start(std::function<void()> on_live, std::function<void(std::string)> on_closed) override {
    push_->on_live = std::move(on_live);
    push_->on_closed = std::move(on_closed);
  }
  void stop() override {
    push_->stopped = true;
    push_->on_live = nullptr;
    push_->on_closed = nullptr;
  }
  uint64_t bytes_sent() const override { return push_->bytes; }

 private:
  std::shared_ptr<FakePush> push_;
};

class RestreamTest : public ::testing::Test {
 protected:
  RestreamTest() : shards_(1) {}

  asio_io& io() { return shards_.at(0).io(); }

  template <class Pred>
  bool run_until(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!pred() && std::chrono::steady_clock::now() < deadline) io().run_one_for(10ms);
    return pred();
  }
  void run_for(std::chrono::milliseconds d) { io().run_for(d); }

  PushTarget fake_target() {
    PushTarget target = rtmp_push_target();  // rtmp:// validation and redaction
    target.make = [this](const std::string& url, std::shared_ptr<router::Stream>, runtime::Shard&) {
      auto push = std::make_shared<FakePush>();
      push->url = url;
      pushes_.push_back(push);
      return std::make_unique<FakePushSession>(push);
    };
    return target;
  }

  std::shared_ptr<router::Stream> make_stream(std::string name = "demo") {
    return std::make_shared<router::Stream>(std::move(name), shards_, 0, router::StreamOptions{});
  }

  std::vector<std::shared_ptr<FakePush>> pushes_to(const std::string& url) const {
    std::vector<std::shared_ptr<FakePush>> out;
    for (const auto& p : pushes_) {
      if (p->url == url) out.push_back(p);
    }
    return out;
  }

  runtime::ShardSet shards_;
  std::vector<std::shared_ptr<FakePush>> pushes_;
};

BackoffOptions quick_backoff() {
  BackoffOptions backoff;
  backoff.min = 20ms;
  backoff.max = 80ms;
  backoff.stable = 10s;
  backoff.jitter = 0;
  return backoff;
}

TEST_F(RestreamTest, DestinationRetriesWithBackoffAndCountsBytes) {
  std::vector<RestreamStatus> reports;
  auto stream = make_stream();
  auto destination = std::make_shared<RestreamDestination>(
      "rtmp://h/live/k", "rtmp://h/live/****", stream, shards_.at(0), fake_target().make,
      Backoff(quick_backoff(), 1), [&](const RestreamStatus& s) { reports.push_back(s); });
  destination->start();
  ASSERT_EQ(pushes_.size(), 1u);
  EXPECT_EQ(destination->status().state, RestreamState::connecting);
  EXPECT_EQ(destination->status().attempts, 1u);

  pushes_[0]->bytes = 1000;
  pushes_[0]->go_live();
  EXPECT_EQ(destination->status().state, RestreamState::live);
  pushes_[0]->close("the destination closed the connection");
  EXPECT_EQ(destination->status().state, RestreamState::backing_off);
  EXPECT_STREQ(to_string(destination->status().state), "failed");
  EXPECT_EQ(destination->status().last_error, "the destination closed the connection");
  EXPECT_EQ(destination->status().retry_in_ms, 20);
  EXPECT_EQ(destination->status().bytes_sent, 1000u);

  ASSERT_TRUE(run_until([&] { return pushes_.size() == 2; }));
  EXPECT_EQ(destination->status().state, RestreamState::connecting);
  EXPECT_EQ(destination->status().attempts, 2u);
  pushes_[1]->bytes = 500;
  pushes_[1]->close("cannot connect");
  EXPECT_EQ(destination->status().retry_in_ms, 40) << "doubled: the live period was not stable";
  EXPECT_EQ(destination->status().bytes_sent, 1500u);
  ASSERT_TRUE(run_until([&] { return pushes_.size() == 3; }));

  destination->stop();
  EXPECT_TRUE(pushes_[2]->stopped);
  EXPECT_EQ(reports.back().state, RestreamState::stopped);
  EXPECT_EQ(reports.back().attempts, 3u);
  run_for(200ms);
  EXPECT_EQ(pushes_.size(), 3u) << "no attempt after stop";
}

TEST_F(RestreamTest, StopDuringBackoffCancelsTheRetry) {
  auto destination = std::make_shared<RestreamDestination>("rtmp://h/live/k", "x", make_stream(),
                                                           shards_.at(0), fake_target().make,
                                                           Backoff(quick_backoff(), 1), nullptr);
  destination->start();
  pushes_[0]->close("refused");
  destination->stop();
  run_for(100ms);
  EXPECT_EQ(pushes_.size(), 1u);
  EXPECT_EQ(destination->status().state, RestreamState::stopped);
  EXPECT_EQ(destination->status().last_error, "refused");
}

TEST_F(RestreamTest, ManagerFollowsPublicationsAndApiChanges) {
  RestreamManager manager(shards_, {quick_backoff(), 8}, {{"rtmp", fake_target()}});
  ASSERT_TRUE(manager.add_configured("demo", "rtmp://127.0.0.1:1936/live/s3cret").ok());
  auto listed = manager.list("demo");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].url, "rtmp://127.0.0.1:1936/live/****");
  EXPECT_TRUE(listed[0].configured);
  EXPECT_EQ(listed[0].status.state, RestreamState::stopped);
  EXPECT_TRUE(manager.list("other").empty());

  auto stream = make_stream();
  manager.on_publish_start(stream);
  ASSERT_EQ(pushes_.size(), 1u);
  EXPECT_EQ(pushes_[0]->url, "rtmp://127.0.0.1:1936/live/s3cret");
  pushes_[0]->go_live();
  EXPECT_EQ(manager.list("demo")[0].status.state, RestreamState::live);

  // Added while live: started on the home shard.
  auto added = manager.add("demo", "rtmp://other.example/app/key2");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_FALSE(added->configured);
  EXPECT_EQ(added->status.state, RestreamState::connecting);
  ASSERT_TRUE(run_until([&] { return pushes_.size() == 2; }));

  // One failing destination leaves the other alone.
  pushes_[1]->close("cannot resolve other.example");
  listed = manager.list("demo");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].status.state, RestreamState::live);
  EXPECT_EQ(listed[1].status.state, RestreamState::backing_off);
  EXPECT_EQ(listed[1].status.last_error, "cannot resolve other.example");
  EXPECT_FALSE(pushes_[0]->stopped);

  // Removal stops its pushes (on the home shard).
  EXPECT_TRUE(manager.remove("demo", added->id));
  EXPECT_FALSE(manager.remove("demo", added->id));
  EXPECT_FALSE(manager.remove("nope", 1));
  run_for(100ms);
  EXPECT_EQ(pushes_to("rtmp://other.example/app/key2").size(), 1u) << "no retry after removal";
  EXPECT_EQ(manager.list("demo").size(), 1u);

  // The stream ends: pushes stop; a re-publish pushes again.
  manager.on_publish_end(stream);
  EXPECT_TRUE(pushes_[0]->stopped);
  EXPECT_EQ(manager.list("demo")[0].status.state, RestreamState::stopped);
  auto api_added = manager.add("demo", "rtmp://third.example/live/k3");
  ASSERT_TRUE(api_added.ok());
  EXPECT_EQ(api_added->status.state, RestreamState::stopped);
  run_for(50ms);
  size_t before = pushes_.size();
  auto again = make_stream();
  manager.on_publish_start(again);
  EXPECT_EQ(pushes_.size(), before + 2) << "configured and API-added destinations push again";
  EXPECT_EQ(manager.list("demo")[0].status.attempts, 1u) << "counters start again";
  manager.on_publish_end(again);
}

TEST_F(RestreamTest, DestinationAddedToALiveStreamWithoutDestinationsIsPushedAtOnce) {
  RestreamManager manager(shards_, {quick_backoff(), 8}, {{"rtmp", fake_target()}});
  auto stream = make_stream();
  manager.on_publish_start(stream);  // live with no destination yet
  EXPECT_TRUE(pushes_.empty());
  EXPECT_TRUE(manager.list("demo").empty());

  auto added = manager.add("demo", "rtmp://127.0.0.1:1936/live/late");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->status.state, RestreamState::connecting);
  ASSERT_TRUE(run_until([&] { return pushes_.size() == 1; })) << "pushed now, as the stream is live";
  EXPECT_EQ(pushes_[0]->url, "rtmp://127.0.0.1:1936/live/late");
  pushes_[0]->go_live();
  EXPECT_EQ(manager.list("demo")[0].status.state, RestreamState::live);
  EXPECT_EQ(manager.list("demo")[0].status.attempts, 1u);

  // Once the stream ended and its destination is removed, nothing of the name is kept; a
  // later publish of it starts nothing.
  manager.on_publish_end(stream);
  EXPECT_TRUE(pushes_[0]->stopped);
  EXPECT_TRUE(manager.remove("demo", added->id));
  auto again = make_stream();
  manager.on_publish_start(again);
  manager.on_publish_end(again);
  run_for(50ms);
  EXPECT_EQ(pushes_.size(), 1u);
  EXPECT_TRUE(manager.list("demo").empty());
}

TEST_F(RestreamTest, ManagerRefusesNamesThatCannotBePublishedAndBoundsTheTotal) {
  RestreamManager manager(shards_, {quick_backoff(), 2, 3}, {{"rtmp", fake_target()}});
  for (std::string name : {std::string(), std::string("has space"), std::string(129, 'a'), std::string("<b>x</b>"),
                           std::string(".hidden"), std::string("a/b")}) {
    auto refused = manager.add(name, "rtmp://127.0.0.1/live/k");
    ASSERT_FALSE(refused.ok()) << name;
    EXPECT_NE(refused.error().message.find("invalid stream name"), std::string::npos);
    EXPECT_TRUE(manager.list(name).empty());
  }
  ASSERT_TRUE(manager.add("one", "rtmp://127.0.0.1/live/1").ok());
  ASSERT_TRUE(manager.add("one", "rtmp://127.0.0.1/live/2").ok());
  auto per_stream = manager.add("one", "rtmp://127.0.0.1/live/3");
  ASSERT_FALSE(per_stream.ok());
  EXPECT_NE(per_stream.error().message.find("restream.max_per_stream"), std::string::npos);
  auto third = manager.add("two", "rtmp://127.0.0.1/live/4");
  ASSERT_TRUE(third.ok());
  auto total = manager.add("three", "rtmp://127.0.0.1/live/5");
  ASSERT_FALSE(total.ok());
  EXPECT_NE(total.error().message.find("restream.max_destinations"), std::string::npos);
  EXPECT_TRUE(manager.list("three").empty());
  // A removal makes room again.
  EXPECT_TRUE(manager.remove("two", third->id));
  EXPECT_TRUE(manager.add("three", "rtmp://127.0.0.1/live/5").ok());
}

TEST_F(RestreamTest, ManagerRefusesBadDestinations) {
  RestreamManager manager(shards_, {quick_backoff(), 2}, {{"rtmp", fake_target()}});
  auto bad = manager.add("demo", "rtmp://host-only");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad RTMP URL"), std::string::npos);
  auto srt = manager.add("demo", "srt://h:9000?streamid=x");  // no srt target in this manager
  ASSERT_FALSE(srt.ok());
  EXPECT_NE(srt.error().message.find("supported: rtmp://"), std::string::npos);
  auto http = manager.add("demo", "http://h/x");
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().message.find("supported: rtmp://"), std::string::npos);
  EXPECT_FALSE(manager.add("", "rtmp://h/live/k").ok());

  ASSERT_TRUE(manager.add("demo", "rtmp://h/live/1").ok());
  ASSERT_TRUE(manager.add("demo", "rtmp://h/live/2").ok());
  auto full = manager.add("demo", "rtmp://h/live/3");
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("max_per_stream"), std::string::npos);
  EXPECT_TRUE(manager.add("other", "rtmp://h/live/3").ok()) << "the bound is per stream";
}

TEST_F(RestreamTest, RedactionOfUnknownSchemes) {
  RestreamManager manager(shards_, {}, {{"rtmp", fake_target()}});
  EXPECT_EQ(manager.redact("rtmp://h/live/key"), "rtmp://h/live/****");
  EXPECT_EQ(manager.redact("srt://h:9000?passphrase=abcdefghijk"), "srt://h:9000?****");
  EXPECT_EQ(manager.redact("garbage"), "****");
}

}  // namespace
}  // namespace vela::egress
