#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "base/byte_reader.hpp"
#include "protocol/rtmp/client_session.hpp"
#include "protocol/rtmp/handshake_digest.hpp"
#include "protocol/rtmp/server_session.hpp"

namespace vela::protocol::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;
using format::Amf0Value;

ClientSessionConfig client_config(std::string key = "demo") {
  ClientSessionConfig config;
  config.app = "live";
  config.tc_url = "rtmp://127.0.0.1:1935/live";
  config.stream_key = std::move(key);
  return config;
}

// Our ClientSession talking to our ServerSession in memory. Bytes move in pieces of
// `piece` bytes, so every split point of the handshake and the chunk stream is exercised.
class Loop {
 public:
  explicit Loop(size_t piece = 1 << 20, ClientSessionConfig config = client_config())
      : client_(std::move(config)), piece_(piece) {}

  ClientSession& client() { return client_; }
  ServerSession& server() { return server_; }

  // Shuttles bytes until both sides are quiet; server events are collected, and a
  // publish request is answered per accept_.
  void run() {
    for (int round = 0; round < 100; ++round) {
      Bytes to_server = client_.take_output();
      Bytes to_client = server_.take_output();
      if (to_server.empty() && to_client.empty()) return;
      for (size_t at = 0; at < to_server.size(); at += piece_) {
        size_t n = std::min(piece_, to_server.size() - at);
        auto status = server_.feed(std::span(to_server).subspan(at, n), 1000);
        ASSERT_TRUE(status.ok()) << status.error().message;
      }
      for (auto& event : server_.take_events()) {
        if (auto* request = std::get_if<PublishRequested>(&event)) {
          requested_ = *request;
          if (accept_) {
            server_.accept_publish();
          } else {
            server_.reject_publish("NetStream.Publish.BadName", "stream is already live");
          }
        }
        server_events_.push_back(std::move(event));
      }
      for (size_t at = 0; at < to_client.size(); at += piece_) {
        size_t n = std::min(piece_, to_client.size() - at);
        client_status_ = client_.feed(std::span(to_client).subspan(at, n));
        if (!client_status_) return;
      }
      for (auto& event : client_.take_events()) client_events_.push_back(std::move(event));
    }
    FAIL() << "the sessions never went quiet";
  }

  void reject_publish() { accept_ = false; }
  const base::Status& client_status() const { return client_status_; }
  std::vector<SessionEvent>& server_events() { return server_events_; }
  std::vector<ClientEvent>& client_events() { return client_events_; }
  const PublishRequested& requested() const { return requested_; }

 private:
  ClientSession client_;
  ServerSession server_;
  size_t piece_;
  bool accept_ = true;
  base::Status client_status_;
  PublishRequested requested_;
  std::vector<SessionEvent> server_events_;
  std::vector<ClientEvent> client_events_;
};

template <class T>
std::vector<T> events_of(const std::vector<ClientEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

template <class T>
std::vector<T> events_of(const std::vector<SessionEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

void publish(Loop& loop) {
  ASSERT_TRUE(loop.client().start(5000).ok());
  loop.run();
  ASSERT_TRUE(loop.client_status().ok()) << loop.client_status().error().message;
}

TEST(RtmpClientSession, PublishesToOurServer) {
  Loop loop;
  publish(loop);
  EXPECT_TRUE(loop.client().publishing());
  EXPECT_TRUE(loop.server().publishing());
  auto connected = events_of<Connected>(loop.server_events());
  ASSERT_EQ(connected.size(), 1u);
  EXPECT_EQ(connected[0].app, "live");
  EXPECT_EQ(connected[0].tc_url, "rtmp://127.0.0.1:1935/live");
  EXPECT_EQ(loop.requested().stream_name, "demo");
  EXPECT_EQ(loop.requested().publish_type, "live");
  EXPECT_EQ(events_of<ConnectAccepted>(loop.client_events()).size(), 1u);
  auto started = events_of<PublishStarted>(loop.client_events());
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].stream_id, loop.requested().stream_id);
  EXPECT_EQ(started[0].description, "demo is now published.");
}

TEST(RtmpClientSession, EverySplitOfTheServerBytesWorks) {
  for (size_t piece : {1, 7, 1536, 1537, 3073}) {
    Loop loop(piece);
    publish(loop);
    EXPECT_TRUE(loop.client().publishing()) << "piece " << piece;
  }
}

TEST(RtmpClientSession, QueryInTheKeyReachesTheServer) {
  Loop loop(1 << 20, client_config("demo?token=abc"));
  publish(loop);
  EXPECT_EQ(loop.requested().stream_name, "demo");
  EXPECT_EQ(loop.requested().query, "token=abc");
}

TEST(RtmpClientSession, MetadataAndMediaArriveIntact) {
  Loop loop;
  publish(loop);
  Bytes video(100'000);  // spans many 4096-byte chunks
  for (size_t i = 0; i < video.size(); ++i) video[i] = static_cast<uint8_t>(i * 7);
  Bytes audio = {0xAF, 0x01, 1, 2, 3};
  ASSERT_TRUE(
      loop.client().send_metadata(Amf0Value::ecma_array({{"width", Amf0Value::number(640)}})));
  ASSERT_TRUE(loop.client().send_video(40, video));
  ASSERT_TRUE(loop.client().send_audio(0x1'0000'0005, audio));  // wraps on the 32-bit clock
  loop.run();

  auto metadata = events_of<MetaData>(loop.server_events());
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata[0].metadata.number_at("width"), 640);
  auto videos = events_of<VideoMessage>(loop.server_events());
  ASSERT_EQ(videos.size(), 1u);
  EXPECT_EQ(videos[0].timestamp_ms, 40);
  EXPECT_TRUE(std::ranges::equal(videos[0].payload.span(), video));
  auto audios = events_of<AudioMessage>(loop.server_events());
  ASSERT_EQ(audios.size(), 1u);
  EXPECT_EQ(audios[0].timestamp_ms, 5);
  EXPECT_TRUE(std::ranges::equal(audios[0].payload.span(), audio));
}

TEST(RtmpClientSession, NoMediaBeforePublishing) {
  ClientSession client(client_config());
  ASSERT_TRUE(client.start(0).ok());
  client.take_output();
  Bytes body = {0x17, 1, 0, 0, 0};
  EXPECT_FALSE(client.send_video(0, body));
  EXPECT_FALSE(client.send_metadata(Amf0Value::object()));
  EXPECT_EQ(client.pending_output(), 0u);
}

TEST(RtmpClientSession, OversizedBodyIsRefused) {
  Loop loop;
  publish(loop);
  Bytes huge(0x1000000);
  EXPECT_FALSE(loop.client().send_video(0, huge));
  EXPECT_EQ(loop.client().pending_output(), 0u);
}

TEST(RtmpClientSession, UnpublishEndsThePublication) {
  Loop loop;
  publish(loop);
  loop.client().unpublish();
  loop.run();
  EXPECT_FALSE(loop.client().publishing());
  EXPECT_FALSE(loop.server().publishing());
  EXPECT_EQ(events_of<Unpublished>(loop.server_events()).size(), 1u);
  Bytes body = {0xAF, 1, 0};
  EXPECT_FALSE(loop.client().send_audio(0, body));
}

TEST(RtmpClientSession, RefusedPublishFailsWithTheServersReason) {
  Loop loop;
  loop.reject_publish();
  ASSERT_TRUE(loop.client().start(0).ok());
  loop.run();
  ASSERT_FALSE(loop.client_status().ok());
  const std::string& message = loop.client_status().error().message;
  EXPECT_NE(message.find("NetStream.Publish.BadName"), std::string::npos) << message;
  EXPECT_NE(message.find("stream is already live"), std::string::npos) << message;
  EXPECT_FALSE(loop.client().publishing());
  EXPECT_TRUE(loop.client().failed());
  // Sticky: later input gets the same error.
  Bytes more = {0};
  EXPECT_EQ(loop.client().feed(more).error().message, message);
}

// A scripted server: the handshake, then chunks written by the test.
class FakeServer {
 public:
  explicit FakeServer(ClientSessionConfig config = client_config()) : client_(std::move(config)) {
    EXPECT_TRUE(client_.start(0).ok());
    Bytes c0c1 = client_.take_output();
    EXPECT_EQ(c0c1.size(), 1 + kHandshakeSize);
    EXPECT_EQ(c0c1[0], 3);
    // A zero version field asks for the simple handshake.
    EXPECT_TRUE(std::all_of(c0c1.begin() + 5, c0c1.begin() + 9, [](uint8_t b) { return b == 0; }));
    s1_.assign(kHandshakeSize, 0x5A);
    Bytes s0s1s2 = {3};
    s0s1s2.insert(s0s1s2.end(), s1_.begin(), s1_.end());
    s0s1s2.insert(s0s1s2.end(), c0c1.begin() + 1, c0c1.end());
    auto status = client_.feed(s0s1s2);
    EXPECT_TRUE(status.ok());
    Bytes out = client_.take_output();
    EXPECT_GE(out.size(), kHandshakeSize);
    EXPECT_TRUE(std::equal(s1_.begin(), s1_.end(), out.begin())) << "C2 echoes S1";
    from_client_.feed(std::span(out).subspan(kHandshakeSize));
  }

  ClientSession& client() { return client_; }

  base::Status send(uint8_t type, uint32_t msid, const Bytes& payload, uint32_t csid = 3) {
    Bytes out;
    writer_.write({csid, type, msid, 0}, payload, out);
    return client_.feed(out);
  }
  base::Status command(std::string_view name, double tx, std::vector<Amf0Value> args,
                       uint32_t msid = 0) {
    return send(kTypeCommandAmf0, msid, encode_command(name, tx, Amf0Value::null(), args));
  }

  // What the client sent since the last call.
  std::vector<Message> received() {
    from_client_.feed(client_.take_output());
    std::vector<Message> out;
    for (;;) {
      auto next = from_client_.read();
      EXPECT_TRUE(next.ok());
      if (!next.ok() || !next.value()) return out;
      out.push_back(std::move(*next.value()));
    }
  }
  std::vector<std::string> received_commands() {
    std::vector<std::string> names;
    for (const auto& m : received()) {
      if (m.header.type_id != kTypeCommandAmf0) continue;
      auto command = parse_command(m.payload.span());
      names.push_back(command.ok() ? command->name : "?");
    }
    return names;
  }

  void connect_ok() {
    ASSERT_TRUE(
        command("_result", 1, {status_info("status", "NetConnection.Connect.Success", "ok")}).ok());
  }

 private:
  ClientSession client_;
  Bytes s1_;
  ChunkWriter writer_;
  ChunkReader from_client_;
};

TEST(RtmpClientSession, SendsChunkSizeAndConnectAfterTheHandshake) {
  FakeServer server;
  auto messages = server.received();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].header.type_id, kTypeSetChunkSize);
  base::ByteReader r(messages[0].payload.span());
  EXPECT_EQ(r.u32be(), 4096u);
  auto connect = parse_command(messages[1].payload.span());
  ASSERT_TRUE(connect.ok());
  EXPECT_EQ(connect->name, "connect");
  EXPECT_EQ(connect->object.string_at("app"), "live");
  EXPECT_EQ(connect->object.string_at("tcUrl"), "rtmp://127.0.0.1:1935/live");
  EXPECT_FALSE(connect->object.string_at("flashVer").empty());
}

TEST(RtmpClientSession, ConnectRefusedByError) {
  FakeServer server;
  auto status = server.command("_error", 1,
                               {status_info("error", "NetConnection.Connect.Rejected", "bad app")});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("NetConnection.Connect.Rejected (bad app)"),
            std::string::npos)
      << status.error().message;
}

TEST(RtmpClientSession, ConnectResultWithAnotherCodeIsARefusal) {
  FakeServer server;
  auto status =
      server.command("_result", 1, {status_info("error", "NetConnection.Connect.Failed", "no")});
  EXPECT_FALSE(status.ok());
}

TEST(RtmpClientSession, ErrorsForOptionalCallsAreIgnored) {
  FakeServer server;
  server.connect_ok();
  EXPECT_EQ(server.received_commands(),
            (std::vector<std::string>{"connect", "releaseStream", "FCPublish", "createStream"}));
  EXPECT_TRUE(
      server.command("_error", 2, {status_info("error", "NetConnection.Call.Failed", "?")}).ok());
  EXPECT_TRUE(
      server.command("_error", 3, {status_info("error", "NetConnection.Call.Failed", "?")}).ok());
  EXPECT_TRUE(server.command("onBWDone", 0, {}).ok());
  ASSERT_TRUE(server.command("_result", 4, {Amf0Value::number(7)}).ok());
  auto messages = server.received();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.stream_id, 7u);
  auto publish = parse_command(messages[0].payload.span());
  ASSERT_TRUE(publish.ok());
  EXPECT_EQ(publish->name, "publish");
  EXPECT_EQ(publish->arg(0).as_string(), "demo");
  EXPECT_EQ(publish->arg(1).as_string(), "live");
}

TEST(RtmpClientSession, CreateStreamWithoutAStreamIdFails) {
  for (Amf0Value id : {Amf0Value::null(), Amf0Value::number(0), Amf0Value::number(-3),
                       Amf0Value::number(1e12), Amf0Value::string("1")}) {
    FakeServer server;
    server.connect_ok();
    EXPECT_FALSE(server.command("_result", 4, {id}).ok());
  }
}

TEST(RtmpClientSession, ResultsOutOfOrderFail) {
  FakeServer server;
  EXPECT_FALSE(server.command("_result", 4, {Amf0Value::number(1)}).ok())
      << "createStream before connect";
  FakeServer twice;
  twice.connect_ok();
  EXPECT_FALSE(
      twice.command("_result", 1, {status_info("status", "NetConnection.Connect.Success", "")})
          .ok());
}

TEST(RtmpClientSession, StatusesAfterPublishing) {
  FakeServer server;
  server.connect_ok();
  ASSERT_TRUE(server.command("_result", 4, {Amf0Value::number(1)}).ok());
  // A status before Publish.Start is reported, not taken as the start.
  ASSERT_TRUE(
      server.command("onStatus", 0, {status_info("status", "NetStream.Publish.Idle", "idle")}, 1)
          .ok());
  EXPECT_FALSE(server.client().publishing());
  ASSERT_TRUE(
      server.command("onStatus", 0, {status_info("status", "NetStream.Publish.Start", "go")}, 1)
          .ok());
  EXPECT_TRUE(server.client().publishing());
  auto events = server.client().take_events();
  EXPECT_EQ(events_of<StatusReceived>(events).size(), 1u);
  EXPECT_EQ(events_of<PublishStarted>(events).size(), 1u);
  // An error status later ends the session.
  auto status = server.command("onStatus", 0,
                               {status_info("error", "NetStream.Publish.Denied", "kicked")}, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("kicked"), std::string::npos);
}

TEST(RtmpClientSession, ServerCloseFails) {
  FakeServer server;
  server.connect_ok();
  EXPECT_FALSE(server.command("close", 0, {}).ok());
}

TEST(RtmpClientSession, AnswersPingsAndAcknowledges) {
  FakeServer server;
  server.received();
  ASSERT_TRUE(
      server.send(kTypeUserControl, 0, user_control_payload(kUserPingRequest, 1234), 2).ok());
  auto messages = server.received();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.type_id, kTypeUserControl);
  base::ByteReader ping(messages[0].payload.span());
  EXPECT_EQ(ping.u16be(), kUserPingResponse);
  EXPECT_EQ(ping.u32be(), 1234u);

  // A window of 1000 bytes: the handshake alone (3073 bytes) is past it.
  auto ack_value = [&]() -> uint32_t {
    auto acks = server.received();
    EXPECT_EQ(acks.size(), 1u);
    if (acks.size() != 1 || acks[0].header.type_id != kTypeAcknowledgement) return 0;
    return base::ByteReader(acks[0].payload.span()).u32be();
  };
  ASSERT_TRUE(server.send(kTypeWindowAckSize, 0, u32_payload(1000), 2).ok());
  uint32_t first = ack_value();
  EXPECT_GT(first, 1 + 2 * kHandshakeSize);
  ASSERT_TRUE(server.command("onBWDone", 0, {Amf0Value::string(std::string(500, 'x'))}).ok());
  EXPECT_TRUE(server.received().empty()) << "less than a window since the last acknowledgement";
  ASSERT_TRUE(server.command("onBWDone", 0, {Amf0Value::string(std::string(600, 'x'))}).ok());
  EXPECT_GT(ack_value(), first + 1100);
}

TEST(RtmpClientSession, ServerChunkSizeIsApplied) {
  FakeServer server;
  server.connect_ok();
  ASSERT_TRUE(server.send(kTypeSetChunkSize, 0, u32_payload(60000), 2).ok());
  Bytes big;
  ChunkWriter writer;
  writer.set_chunk_size(60000);
  writer.write({3, kTypeCommandAmf0, 0, 0},
               encode_command("_result", 4, Amf0Value::null(), std::array{Amf0Value::number(1)}),
               big);
  ASSERT_TRUE(server.client().feed(big).ok());
  auto commands = server.received_commands();
  EXPECT_EQ(commands.back(), "publish");
}

TEST(RtmpClientSession, HostileServerInput) {
  {  // not an RTMP server
    ClientSession client(client_config());
    ASSERT_TRUE(client.start(0).ok());
    Bytes http = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
    auto status = client.feed(http);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("S0"), std::string::npos);
  }
  {  // bytes before start
    ClientSession client(client_config());
    Bytes b = {3};
    EXPECT_FALSE(client.feed(b).ok());
  }
  {  // a command that is not AMF0
    FakeServer server;
    EXPECT_FALSE(server.send(kTypeCommandAmf0, 0, {0xFF, 0x00}).ok());
  }
  {  // truncated control messages
    FakeServer server;
    EXPECT_FALSE(server.send(kTypeWindowAckSize, 0, {0, 1}, 2).ok());
    FakeServer ping;
    EXPECT_FALSE(ping.send(kTypeUserControl, 0, {0, 6, 0}, 2).ok());
  }
  {  // onStatus without an info object
    FakeServer server;
    EXPECT_FALSE(server.command("onStatus", 0, {Amf0Value::string("x")}).ok());
  }
  {  // a message over the client's small limit
    FakeServer server;
    Bytes big(100'000, 0);
    auto status = server.send(kTypeDataAmf0, 0, big);
    EXPECT_FALSE(status.ok());
  }
  {  // media and data from the server are ignored
    FakeServer server;
    EXPECT_TRUE(server.send(kTypeVideo, 1, {0x17, 0, 0, 0, 0}, 6).ok());
    EXPECT_TRUE(
        server.send(kTypeDataAmf0, 1, encode_command("|RtmpSampleAccess", 0, Amf0Value::null()), 5)
            .ok());
  }
}

}  // namespace
}  // namespace vela::protocol::rtmp
