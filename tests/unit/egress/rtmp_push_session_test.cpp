// RtmpPushSession against an in-process RTMP server (our ServerSession behind a loopback
// acceptor), all on one shard whose io_context the test runs itself.
#include "egress/rtmp_push_session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <variant>

#include "format/flv.hpp"
#include "protocol/rtmp/server_session.hpp"

namespace vela::egress {
namespace {

namespace asio = boost::asio;
namespace rtmp = protocol::rtmp;
using asio::ip::tcp;
using Bytes = std::vector<uint8_t>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A one-connection RTMP server: accepts or refuses the publish, records what arrives.
class FakeServer {
 public:
  enum class Mode { accept, reject, close_after_publish, stall_after_publish };

  FakeServer(asio::io_context& io, Mode mode)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), mode_(mode) {
    asio::co_spawn(io, serve(), asio::detached);
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(std::string key = "secretkey") const {
    return "rtmp://127.0.0.1:" + std::to_string(port()) + "/live/" + key;
  }
  void close() {
    boost::system::error_code ignored;
    if (socket_) socket_->close(ignored);
  }

  std::vector<rtmp::SessionEvent> events;
  std::string published_name;
  bool connection_ended = false;

 private:
  asio::awaitable<void> serve();

  tcp::acceptor acceptor_;
  std::optional<tcp::socket> socket_;
  Mode mode_;
};

asio::awaitable<void> FakeServer::serve() {
  socket_.emplace(acceptor_.get_executor());
  auto [accept_error] = co_await acceptor_.async_accept(*socket_, kTuple);
  rtmp::ServerSession session;
  Bytes buffer(64 * 1024);
  while (!accept_error) {
    auto [read_error, n] = co_await socket_->async_read_some(asio::buffer(buffer), kTuple);
    if (read_error) break;
    if (!session.feed(std::span(buffer.data(), n), 0)) break;
    bool close_now = false;
    bool stall = false;
    for (auto& event : session.take_events()) {
      if (auto* request = std::get_if<rtmp::PublishRequested>(&event)) {
        published_name = request->stream_name;
        if (mode_ == Mode::reject) {
          session.reject_publish("NetStream.Publish.BadName", "already publishing");
        } else {
          session.accept_publish();
          close_now = mode_ == Mode::close_after_publish;
          stall = mode_ == Mode::stall_after_publish;
        }
      }
      events.push_back(std::move(event));
    }
    Bytes out = session.take_output();
    auto [write_error, written] = co_await asio::async_write(*socket_, asio::buffer(out), kTuple);
    if (write_error || close_now) break;
    if (stall) {  // stop reading, keep the connection open
      asio::steady_timer forever(acceptor_.get_executor(), std::chrono::seconds(10));
      co_await forever.async_wait(kTuple);
      break;
    }
  }
  connection_ended = true;
  boost::system::error_code ignored;
  socket_->close(ignored);
}

media::TrackInfo video_track() {
  media::TrackInfo t;
  t.id = 1;
  t.kind = media::MediaKind::video;
  t.codec = media::Codec::h264;
  t.codec_config = base::Buffer::copy_of(Bytes{0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0, 0});
  t.width = 640;
  t.height = 360;
  return t;
}

media::TrackInfo audio_track() {
  media::TrackInfo t;
  t.id = 2;
  t.kind = media::MediaKind::audio;
  t.codec = media::Codec::aac;
  t.timescale = 48000;
  t.codec_config = base::Buffer::copy_of(Bytes{0x11, 0x90});
  t.sample_rate = 48000;
  t.channels = 2;
  return t;
}

media::FramePtr frame(uint32_t track, int64_t dts, bool key, Bytes payload) {
  auto f = std::make_shared<media::MediaFrame>();
  f->track_id = track;
  f->dts = dts;
  f->keyframe = key;
  f->payload = base::Buffer::copy_of(payload);
  return f;
}

class RtmpPushTest : public ::testing::Test {
 protected:
  RtmpPushTest()
      : shards_(1),
        stream_(std::make_shared<router::Stream>("demo", shards_, 0, router::StreamOptions{})) {}

  asio::io_context& io() { return shards_.at(0).io(); }

  // Runs the shard's loop in this thread until pred() holds or 5 s pass.
  template <class Pred>
  bool run_until(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!pred() && std::chrono::steady_clock::now() < deadline)
      io().run_one_for(std::chrono::milliseconds(10));
    return pred();
  }

  void start(const std::string& url, RtmpPushOptions options = {}) {
    session_ = make_rtmp_push_session(url, stream_, shards_.at(0), options);
    session_->start([this] { live_ = true; },
                    [this](std::string reason) { closed_.push_back(std::move(reason)); });
  }

  void publish_gop(int64_t start_ms) {
    stream_->publish(frame(1, start_ms * 90, true, {0, 0, 0, 2, 0x65, 0x88}));
    stream_->publish(frame(2, start_ms * 48, true, {0x21, 0x10}));
    stream_->publish(frame(1, (start_ms + 40) * 90, false, {0, 0, 0, 2, 0x41, 0x9A}));
  }

  runtime::ShardSet shards_;
  std::shared_ptr<router::Stream> stream_;
  std::unique_ptr<PushSession> session_;
  bool live_ = false;
  std::vector<std::string> closed_;
};

template <class T>
std::vector<T> events_of(const std::vector<rtmp::SessionEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

TEST_F(RtmpPushTest, PushesHeadersAndFramesInOrder) {
  FakeServer server(io(), FakeServer::Mode::accept);
  stream_->set_tracks({video_track(), audio_track()});
  publish_gop(1000);  // cached GOP: sent once the push subscribes
  start(server.url());
  ASSERT_TRUE(run_until([&] { return live_; })) << (closed_.empty() ? "" : closed_[0]);
  EXPECT_EQ(server.published_name, "secretkey");
  publish_gop(2000);
  ASSERT_TRUE(run_until([&] { return events_of<rtmp::VideoMessage>(server.events).size() >= 5; }));

  auto metadata = events_of<rtmp::MetaData>(server.events);
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata[0].metadata.number_at("width"), 640);
  auto videos = events_of<rtmp::VideoMessage>(server.events);
  auto header = format::parse_flv_video(videos[0].payload.span());
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->packet_type, format::FlvPacketType::sequence_header);
  std::vector<int64_t> times;
  for (size_t i = 1; i < videos.size(); ++i) {
    auto tag = format::parse_flv_video(videos[i].payload.span());
    ASSERT_TRUE(tag.ok());
    EXPECT_EQ(tag->packet_type, format::FlvPacketType::coded_frames);
    times.push_back(videos[i].timestamp_ms);
  }
  EXPECT_EQ(times, (std::vector<int64_t>{1000, 1040, 2000, 2040}));
  auto audios = events_of<rtmp::AudioMessage>(server.events);
  ASSERT_EQ(audios.size(), 3u);  // sequence header + two frames
  EXPECT_EQ(format::parse_flv_audio(audios[0].payload.span())->packet_type,
            format::FlvPacketType::sequence_header);
  EXPECT_EQ(audios[1].timestamp_ms, 1000);
  EXPECT_GT(session_->bytes_sent(), 3073u);
  EXPECT_TRUE(closed_.empty());
}

TEST_F(RtmpPushTest, NewTrackConfigurationResendsHeaders) {
  FakeServer server(io(), FakeServer::Mode::accept);
  stream_->set_tracks({video_track()});
  start(server.url());
  ASSERT_TRUE(run_until([&] { return live_; }));
  stream_->publish(frame(1, 90'000, true, {0, 0, 0, 1, 0x65}));
  ASSERT_TRUE(run_until([&] { return events_of<rtmp::VideoMessage>(server.events).size() >= 2; }));
  auto changed = video_track();
  changed.codec_config = base::Buffer::copy_of(Bytes{0x01, 0x4D, 0x00, 0x28, 0xFF, 0xE1, 0, 0});
  stream_->set_tracks({changed});
  stream_->publish(frame(1, 180'000, true, {0, 0, 0, 1, 0x65}));
  ASSERT_TRUE(run_until([&] { return events_of<rtmp::VideoMessage>(server.events).size() >= 4; }));
  auto videos = events_of<rtmp::VideoMessage>(server.events);
  EXPECT_EQ(format::parse_flv_video(videos[2].payload.span())->packet_type,
            format::FlvPacketType::sequence_header);
  EXPECT_EQ(videos[2].payload.span()[6], 0x4D);
  EXPECT_EQ(events_of<rtmp::MetaData>(server.events).size(), 2u);
}

TEST_F(RtmpPushTest, RefusedPublishClosesWithTheServersReason) {
  FakeServer server(io(), FakeServer::Mode::reject);
  start(server.url());
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_FALSE(live_);
  EXPECT_NE(closed_[0].find("NetStream.Publish.BadName"), std::string::npos) << closed_[0];
}

TEST_F(RtmpPushTest, ConnectionRefused) {
  uint16_t port;
  {
    tcp::acceptor probe(io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  start("rtmp://127.0.0.1:" + std::to_string(port) + "/live/k");
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_NE(closed_[0].find("cannot connect to 127.0.0.1"), std::string::npos) << closed_[0];
}

TEST_F(RtmpPushTest, SilentServerTimesOut) {
  tcp::acceptor silent(io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket accepted(io());
  silent.async_accept(accepted, [](boost::system::error_code) {});
  RtmpPushOptions options;
  options.publish_timeout = std::chrono::milliseconds(200);
  start("rtmp://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/live/k", options);
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_NE(closed_[0].find("timed out"), std::string::npos) << closed_[0];
}

TEST_F(RtmpPushTest, DestinationClosingEndsTheAttempt) {
  FakeServer server(io(), FakeServer::Mode::close_after_publish);
  start(server.url());
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_TRUE(live_);
  EXPECT_NE(closed_[0].find("closed the connection"), std::string::npos) << closed_[0];
}

TEST_F(RtmpPushTest, StalledDestinationEndsTheAttemptWithBoundedMemory) {
  FakeServer server(io(), FakeServer::Mode::stall_after_publish);
  stream_->set_tracks({video_track()});
  RtmpPushOptions options;
  options.write_timeout = std::chrono::milliseconds(300);
  options.queue_frames = 8;
  start(server.url(), options);
  ASSERT_TRUE(run_until([&] { return live_; }));
  // 1 MB keyframes, far more than the socket buffers hold: the writer blocks, the
  // subscription drops what does not fit, and the stalled write ends the attempt.
  Bytes big(1 << 20, 0x11);
  for (int i = 0; i < 64 && closed_.empty(); ++i) {
    stream_->publish(frame(1, (i + 1) * 3000, true, big));
    io().run_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_NE(closed_[0].find("stalled"), std::string::npos) << closed_[0];
  EXPECT_LT(session_->bytes_sent(), 64u << 20) << "not everything was written";
}

TEST_F(RtmpPushTest, StreamEndEndsTheAttempt) {
  FakeServer server(io(), FakeServer::Mode::accept);
  start(server.url());
  ASSERT_TRUE(run_until([&] { return live_; }));
  stream_->end();
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_EQ(closed_[0], "the stream ended");
  EXPECT_TRUE(run_until([&] { return !events_of<rtmp::Unpublished>(server.events).empty(); }))
      << "unpublished politely";
}

TEST_F(RtmpPushTest, StopIsSilentAndDestroyable) {
  FakeServer server(io(), FakeServer::Mode::accept);
  start(server.url());
  ASSERT_TRUE(run_until([&] { return live_; }));
  session_->stop();
  session_.reset();
  EXPECT_TRUE(run_until([&] { return server.connection_ended; }));
  publish_gop(0);  // no subscriber left to wake
  io().run_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(closed_.empty());
}

TEST_F(RtmpPushTest, BadUrlClosesAtOnce) {
  start("rtmp://host-only");
  ASSERT_TRUE(run_until([&] { return !closed_.empty(); }));
  EXPECT_NE(closed_[0].find("bad RTMP URL"), std::string::npos) << closed_[0];
}

}  // namespace
}  // namespace vela::egress
