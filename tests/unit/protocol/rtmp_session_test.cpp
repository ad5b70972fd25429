#include <gtest/gtest.h>

#include <algorithm>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/byte_writer.hpp"
#include "protocol/rtmp/chunk_reader.hpp"
#include "protocol/rtmp/chunk_writer.hpp"
#include "protocol/rtmp/command.hpp"
#include "protocol/rtmp/handshake_digest.hpp"
#include "protocol/rtmp/server_session.hpp"

namespace vela::protocol::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;
using format::Amf0Value;

Bytes amf(std::vector<Amf0Value> values) {
  Bytes out;
  base::ByteWriter w(out);
  format::amf0_encode_all(values, w);
  return out;
}

// A C0+C1 as an ffmpeg/librtmp client sends it, with or without the digest.
Bytes client_c0c1(bool digest) {
  std::array<uint8_t, kHandshakeSize> c1;
  std::mt19937 rng(42);
  for (auto& b : c1) b = static_cast<uint8_t>(rng());
  c1[0] = c1[1] = c1[2] = c1[3] = 0;
  if (digest) {
    c1[4] = 9;  // ffmpeg: 9.0.124.2
    c1[5] = 0;
    c1[6] = 124;
    c1[7] = 2;
    write_digest(c1, DigestSchema::schema1, fp_key_text());
  } else {
    c1[4] = c1[5] = c1[6] = c1[7] = 0;
  }
  Bytes out(1 + c1.size());
  out[0] = 3;  // C0: RTMP version
  std::copy(c1.begin(), c1.end(), out.begin() + 1);
  return out;
}

// Drives a ServerSession the way ffmpeg publishes, and decodes what the server answers.
class Publisher {
 public:
  explicit Publisher(ServerSessionConfig config = {}) : session_(config) {}

  ServerSession& session() { return session_; }

  void handshake(bool digest = false) {
    Bytes c0c1 = client_c0c1(digest);
    ASSERT_TRUE(session_.feed(c0c1, 1000).ok());
    Bytes s = session_.take_output();
    ASSERT_EQ(s.size(), 1 + 2 * kHandshakeSize);
    s0s1s2_ = s;
    // C2 plus the client's Set Chunk Size in the same segment, as ffmpeg often does.
    Bytes c2(s.begin() + 1, s.begin() + 1 + kHandshakeSize);
    Bytes chunk;
    writer_.write({2, kTypeSetChunkSize, 0, 0}, u32_payload(4096), chunk);
    writer_.set_chunk_size(4096);
    c2.insert(c2.end(), chunk.begin(), chunk.end());
    ASSERT_TRUE(session_.feed(c2, 1001).ok());
    ASSERT_TRUE(session_.handshake_done());
  }

  const Bytes& s0s1s2() const { return s0s1s2_; }

  Bytes encode(uint32_t csid, uint8_t type, uint32_t msid, const Bytes& payload, uint32_t ts = 0) {
    Bytes out;
    writer_.write({csid, type, msid, ts}, payload, out);
    return out;
  }

  base::Status send(uint32_t csid, uint8_t type, uint32_t msid, const Bytes& payload,
                    uint32_t ts = 0) {
    return session_.feed(encode(csid, type, msid, payload, ts), 2000);
  }

  void command(std::vector<Amf0Value> values, uint32_t msid = 0) {
    auto st = send(msid == 0 ? 3 : 8, kTypeCommandAmf0, msid, amf(std::move(values)));
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  // Everything the server sent since the last call, as messages.
  std::vector<Message> replies() {
    from_server_.feed(session_.take_output());
    std::vector<Message> out;
    for (;;) {
      auto next = from_server_.read();
      EXPECT_TRUE(next.ok());
      if (!next.ok() || !next.value()) return out;
      out.push_back(std::move(*next.value()));
    }
  }

  std::vector<SessionEvent> events() { return session_.take_events(); }

 private:
  ServerSession session_;
  ChunkWriter writer_;
  ChunkReader from_server_;
  Bytes s0s1s2_;
};

std::vector<Amf0Value> decode(const Message& m) {
  auto v = format::amf0_decode_all(m.payload.span());
  EXPECT_TRUE(v.ok());
  return v.ok() ? v.value() : std::vector<Amf0Value>{};
}

uint32_t u32_at(const Message& m, size_t at) {
  base::ByteReader r(m.payload.span());
  r.skip(at);
  return r.u32be();
}

void connect(Publisher& p, const std::string& app = "live") {
  p.command({Amf0Value::string("connect"), Amf0Value::number(1),
             Amf0Value::object({{"app", Amf0Value::string(app)},
                                {"type", Amf0Value::string("nonprivate")},
                                {"flashVer", Amf0Value::string("FMLE/3.0 (compatible; Lavf)")},
                                {"tcUrl", Amf0Value::string("rtmp://localhost/" + app)}})});
}

// Connect, releaseStream, FCPublish, createStream and publish; returns the request.
PublishRequested start_publish(Publisher& p, const std::string& name = "key") {
  connect(p);
  p.command({Amf0Value::string("releaseStream"), Amf0Value::number(2), Amf0Value::null(),
             Amf0Value::string(name)});
  p.command({Amf0Value::string("FCPublish"), Amf0Value::number(3), Amf0Value::null(),
             Amf0Value::string(name)});
  p.command({Amf0Value::string("createStream"), Amf0Value::number(4), Amf0Value::null()});
  p.replies();
  p.events();
  p.command({Amf0Value::string("publish"), Amf0Value::number(5), Amf0Value::null(),
             Amf0Value::string(name), Amf0Value::string("live")},
            1);
  auto events = p.events();
  EXPECT_EQ(events.size(), 1u);
  if (events.size() != 1 || !std::holds_alternative<PublishRequested>(events[0])) return {};
  return std::get<PublishRequested>(events[0]);
}

TEST(ServerSession, ConnectRepliesLikeRealServers) {
  Publisher p;
  p.handshake();
  connect(p);
  auto replies = p.replies();
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].header.type_id, kTypeWindowAckSize);
  EXPECT_EQ(u32_at(replies[0], 0), 2'500'000u);
  EXPECT_EQ(replies[1].header.type_id, kTypeSetPeerBandwidth);
  EXPECT_EQ(replies[1].payload.size(), 5u);
  EXPECT_EQ(replies[2].header.type_id, kTypeSetChunkSize);
  EXPECT_EQ(u32_at(replies[2], 0), 4096u);
  ASSERT_EQ(replies[3].header.type_id, kTypeCommandAmf0);
  auto result = decode(replies[3]);
  ASSERT_EQ(result.size(), 4u);
  EXPECT_EQ(result[0].as_string(), "_result");
  EXPECT_EQ(result[1].as_number(), 1);
  EXPECT_EQ(result[2].string_at("fmsVer"), "FMS/3,0,1,123");
  EXPECT_EQ(result[3].string_at("code"), "NetConnection.Connect.Success");
  EXPECT_EQ(result[3].string_at("level"), "status");

  auto events = p.events();
  ASSERT_EQ(events.size(), 1u);
  const auto& connected = std::get<Connected>(events[0]);
  EXPECT_EQ(connected.app, "live");
  EXPECT_EQ(connected.tc_url, "rtmp://localhost/live");
  EXPECT_EQ(connected.flash_version, "FMLE/3.0 (compatible; Lavf)");
}

TEST(ServerSession, FullPublishFlow) {
  Publisher p;
  p.handshake();
  connect(p);
  p.replies();
  p.events();

  p.command({Amf0Value::string("releaseStream"), Amf0Value::number(2), Amf0Value::null(),
             Amf0Value::string("key")});
  auto release = p.replies();
  ASSERT_EQ(release.size(), 1u);
  EXPECT_EQ(decode(release[0])[0].as_string(), "_result");
  EXPECT_EQ(decode(release[0])[1].as_number(), 2);

  p.command({Amf0Value::string("FCPublish"), Amf0Value::number(3), Amf0Value::null(),
             Amf0Value::string("key")});
  auto fc = p.replies();
  ASSERT_EQ(fc.size(), 1u) << "no onFCPublish: nothing says Publish.Start before the key is checked";
  EXPECT_EQ(decode(fc[0])[0].as_string(), "_result");
  EXPECT_EQ(decode(fc[0])[1].as_number(), 3);

  p.command({Amf0Value::string("createStream"), Amf0Value::number(4), Amf0Value::null()});
  auto created = p.replies();
  ASSERT_EQ(created.size(), 1u);
  auto cs = decode(created[0]);
  ASSERT_EQ(cs.size(), 4u);
  EXPECT_EQ(cs[0].as_string(), "_result");
  EXPECT_EQ(cs[1].as_number(), 4);
  EXPECT_TRUE(cs[2].is_null());
  EXPECT_EQ(cs[3].as_number(), 1);

  p.command({Amf0Value::string("publish"), Amf0Value::number(5), Amf0Value::null(),
             Amf0Value::string("key?token=abc&x=1"), Amf0Value::string("live")},
            1);
  EXPECT_TRUE(p.replies().empty());  // nothing until the owner decides
  auto events = p.events();
  ASSERT_EQ(events.size(), 1u);
  const auto& request = std::get<PublishRequested>(events[0]);
  EXPECT_EQ(request.stream_id, 1u);
  EXPECT_EQ(request.app, "live");
  EXPECT_EQ(request.stream_name, "key");
  EXPECT_EQ(request.query, "token=abc&x=1");
  EXPECT_EQ(request.publish_type, "live");
  EXPECT_FALSE(p.session().publishing());

  p.session().accept_publish();
  EXPECT_TRUE(p.session().publishing());
  auto accepted = p.replies();
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_EQ(accepted[0].header.type_id, kTypeUserControl);
  EXPECT_EQ(accepted[0].payload.size(), 6u);
  EXPECT_EQ(u32_at(accepted[0], 2), 1u);  // StreamBegin 1
  EXPECT_EQ(accepted[1].header.stream_id, 1u);
  auto status = decode(accepted[1]);
  ASSERT_EQ(status.size(), 4u);
  EXPECT_EQ(status[0].as_string(), "onStatus");
  EXPECT_EQ(status[3].string_at("code"), "NetStream.Publish.Start");
  EXPECT_EQ(status[3].string_at("level"), "status");

  // ffmpeg: @setDataFrame with an ECMA array, then media on stream 1.
  Amf0Value meta = Amf0Value::ecma_array(
      {{"width", Amf0Value::number(1280)}, {"height", Amf0Value::number(720)}});
  ASSERT_TRUE(
      p.send(4, kTypeDataAmf0, 1,
             amf({Amf0Value::string("@setDataFrame"), Amf0Value::string("onMetaData"), meta}))
          .ok());
  Bytes avc_config = {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F};
  Bytes aac_config = {0xAF, 0, 0x12, 0x10};
  Bytes frame(5000, 0x27);
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, avc_config, 0).ok());
  ASSERT_TRUE(p.send(4, kTypeAudio, 1, aac_config, 0).ok());
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, frame, 33).ok());
  events = p.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(std::get<MetaData>(events[0]).metadata, meta);
  const auto& v0 = std::get<VideoMessage>(events[1]);
  EXPECT_EQ(v0.timestamp_ms, 0);
  EXPECT_EQ(Bytes(v0.payload.span().begin(), v0.payload.span().end()), avc_config);
  const auto& a0 = std::get<AudioMessage>(events[2]);
  EXPECT_EQ(Bytes(a0.payload.span().begin(), a0.payload.span().end()), aac_config);
  const auto& v1 = std::get<VideoMessage>(events[3]);
  EXPECT_EQ(v1.timestamp_ms, 33);
  EXPECT_EQ(v1.payload.size(), frame.size());

  // ffmpeg's goodbye: FCUnpublish then deleteStream; one Unpublished event.
  p.command({Amf0Value::string("FCUnpublish"), Amf0Value::number(6), Amf0Value::null(),
             Amf0Value::string("key")});
  p.command({Amf0Value::string("deleteStream"), Amf0Value::number(7), Amf0Value::null(),
             Amf0Value::number(1)});
  events = p.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<Unpublished>(events[0]).stream_id, 1u);
  EXPECT_FALSE(p.session().publishing());
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, frame, 66).ok());
  EXPECT_TRUE(p.events().empty());
}

TEST(ServerSession, DigestHandshakeThenPublish) {
  Publisher p;
  p.handshake(/*digest=*/true);
  const Bytes& s = p.s0s1s2();
  std::array<uint8_t, kHandshakeSize> s1;
  std::copy(s.begin() + 1, s.begin() + 1 + kHandshakeSize, s1.begin());
  EXPECT_TRUE(has_valid_digest(s1, DigestSchema::schema1, fms_key_text()));
  auto request = start_publish(p);
  EXPECT_EQ(request.stream_name, "key");
}

TEST(ServerSession, RejectPublish) {
  Publisher p;
  p.handshake();
  start_publish(p);
  p.session().reject_publish("NetStream.Publish.BadName", "Stream is already live.");
  auto replies = p.replies();
  ASSERT_EQ(replies.size(), 1u);
  auto status = decode(replies[0]);
  EXPECT_EQ(status[0].as_string(), "onStatus");
  EXPECT_EQ(status[3].string_at("level"), "error");
  EXPECT_EQ(status[3].string_at("code"), "NetStream.Publish.BadName");
  EXPECT_EQ(status[3].string_at("description"), "Stream is already live.");
  EXPECT_FALSE(p.session().publishing());
  // Late decisions and media are ignored.
  p.session().accept_publish();
  EXPECT_TRUE(p.replies().empty());
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, {0x17, 1, 0, 0, 0}).ok());
  EXPECT_TRUE(p.events().empty());
}

TEST(ServerSession, BogusDeleteStreamIdsAreIgnoredAndCloseStreamEnds) {
  Publisher p;
  p.handshake();
  start_publish(p);
  p.session().accept_publish();
  for (double id : {std::nan(""), 1e300, -1.0, 2.0}) {
    p.command({Amf0Value::string("deleteStream"), Amf0Value::number(0), Amf0Value::null(),
               Amf0Value::number(id)});
  }
  EXPECT_TRUE(p.events().empty());
  EXPECT_TRUE(p.session().publishing());
  p.command({Amf0Value::string("closeStream"), Amf0Value::number(0), Amf0Value::null()}, 1);
  auto events = p.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<Unpublished>(events[0]).stream_id, 1u);
}

TEST(ServerSession, MediaBeforeAcceptIsDropped) {
  Publisher p;
  p.handshake();
  start_publish(p);
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, {0x17, 1, 0, 0, 0}).ok());
  EXPECT_TRUE(p.events().empty());
  p.session().accept_publish();
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, {0x17, 1, 0, 0, 0}).ok());
  EXPECT_EQ(p.events().size(), 1u);
}

TEST(ServerSession, QueryFromAppAndEmptyName) {
  Publisher p;
  p.handshake();
  connect(p, "live/?secret=1");
  p.command({Amf0Value::string("createStream"), Amf0Value::number(2), Amf0Value::null()});
  p.replies();
  EXPECT_EQ(std::get<Connected>(p.events()[0]).app, "live");
  p.command({Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
             Amf0Value::string("")},
            1);
  EXPECT_TRUE(p.events().empty());
  auto bad = p.replies();
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(decode(bad[0])[3].string_at("code"), "NetStream.Publish.BadName");
  p.command({Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
             Amf0Value::string("cam")},
            1);
  auto events = p.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<PublishRequested>(events[0]).query, "secret=1");
  EXPECT_EQ(std::get<PublishRequested>(events[0]).publish_type, "live");
}

TEST(ServerSession, PingAndAcknowledgement) {
  Publisher p;
  p.handshake();
  ASSERT_TRUE(p.send(2, kTypeUserControl, 0, user_control_payload(kUserPingRequest, 777)).ok());
  auto pong = p.replies();
  ASSERT_EQ(pong.size(), 1u);
  base::ByteReader r(pong[0].payload.span());
  EXPECT_EQ(r.u16be(), kUserPingResponse);
  EXPECT_EQ(r.u32be(), 777u);

  ASSERT_TRUE(p.send(2, kTypeWindowAckSize, 0, u32_payload(10000)).ok());
  start_publish(p);
  p.session().accept_publish();
  p.replies();
  // Send media until an Acknowledgement appears; its sequence number is the byte count.
  std::vector<Message> acks;
  for (int i = 0; i < 10 && acks.empty(); ++i) {
    Bytes chunk = p.encode(6, kTypeVideo, 1, Bytes(3000, 0x27), 40 * i);
    ASSERT_TRUE(p.session().feed(chunk, 0).ok());
    for (auto& m : p.replies()) {
      if (m.header.type_id == kTypeAcknowledgement) acks.push_back(m);
    }
  }
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_GT(u32_at(acks[0], 0), 10000u);
}

TEST(ServerSession, TimestampsUnwrapPast32Bits) {
  Publisher p;
  p.handshake();
  start_publish(p);
  p.session().accept_publish();
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, {0x17, 1, 0, 0, 0}, 0xFFFFFFF0u).ok());
  ASSERT_TRUE(p.send(6, kTypeVideo, 1, {0x27, 1, 0, 0, 0}, 0x10).ok());
  auto events = p.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<VideoMessage>(events[0]).timestamp_ms, 0xFFFFFFF0LL);
  EXPECT_EQ(std::get<VideoMessage>(events[1]).timestamp_ms, 0x100000010LL);
}

TEST(ServerSession, UnknownCommandsAndPlay) {
  Publisher p;
  p.handshake();
  connect(p);
  p.replies();
  p.command({Amf0Value::string("someVendorCall"), Amf0Value::number(9), Amf0Value::null()});
  auto err = p.replies();
  ASSERT_EQ(err.size(), 1u);
  EXPECT_EQ(decode(err[0])[0].as_string(), "_error");
  EXPECT_EQ(decode(err[0])[1].as_number(), 9);
  p.command({Amf0Value::string("someNotification"), Amf0Value::number(0), Amf0Value::null()});
  EXPECT_TRUE(p.replies().empty());
  p.command({Amf0Value::string("play"), Amf0Value::number(0), Amf0Value::null(),
             Amf0Value::string("key")},
            1);
  auto play = p.replies();
  ASSERT_EQ(play.size(), 1u);
  EXPECT_EQ(decode(play[0])[3].string_at("code"), "NetStream.Play.Failed");
}

TEST(ServerSession, Amf3CommandEnvelope) {
  Publisher p;
  p.handshake();
  Bytes payload = {0};
  Bytes body = amf({Amf0Value::string("connect"), Amf0Value::number(1),
                    Amf0Value::object({{"app", Amf0Value::string("live")}})});
  payload.insert(payload.end(), body.begin(), body.end());
  ASSERT_TRUE(p.send(3, kTypeCommandAmf3, 0, payload).ok());
  EXPECT_EQ(p.replies().size(), 4u);
}

TEST(ServerSession, ProtocolViolationsAreStickyErrors) {
  Publisher p;
  p.handshake();
  auto st = p.send(8, kTypeCommandAmf0, 1,
                   amf({Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
                        Amf0Value::string("key")}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("publish before connect"), std::string::npos);
  auto again = p.session().feed(Bytes{0x03}, 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, st.error().message);

  Publisher garbage;
  garbage.handshake();
  EXPECT_FALSE(garbage.send(3, kTypeCommandAmf0, 0, {0x02, 0x00, 0x10}).ok());

  Publisher not_created;
  not_created.handshake();
  connect(not_created);
  EXPECT_FALSE(not_created
                   .send(8, kTypeCommandAmf0, 3,
                         amf({Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
                              Amf0Value::string("key")}))
                   .ok());

  Publisher twice;
  twice.handshake();
  connect(twice);
  auto st2 = twice.send(3, kTypeCommandAmf0, 0,
                        amf({Amf0Value::string("connect"), Amf0Value::number(2),
                             Amf0Value::object({{"app", Amf0Value::string("live")}})}));
  EXPECT_FALSE(st2.ok());

  ServerSession rtmpe;
  EXPECT_FALSE(rtmpe.feed(Bytes{6}, 0).ok());

  Publisher short_ping;
  short_ping.handshake();
  EXPECT_FALSE(short_ping.send(2, kTypeUserControl, 0, {0, 6, 1}).ok());
}

TEST(ServerSession, CreateStreamIsBounded) {
  ServerSessionConfig config;
  config.max_streams = 2;
  Publisher p(config);
  p.handshake();
  connect(p);
  p.command({Amf0Value::string("createStream"), Amf0Value::number(2), Amf0Value::null()});
  p.command({Amf0Value::string("createStream"), Amf0Value::number(3), Amf0Value::null()});
  EXPECT_FALSE(
      p.send(3, kTypeCommandAmf0, 0,
             amf({Amf0Value::string("createStream"), Amf0Value::number(4), Amf0Value::null()}))
          .ok());
}

// The whole client byte stream, fed one byte at a time, gives the same events.
TEST(ServerSession, ByteAtATimeFeeding) {
  Publisher builder;  // only used to encode chunks
  Bytes stream = client_c0c1(true);
  // The client's C2 content is not checked; any 1536 bytes do.
  stream.insert(stream.end(), kHandshakeSize, 0x42);
  auto add = [&](uint32_t csid, uint8_t type, uint32_t msid, const Bytes& payload,
                 uint32_t ts = 0) {
    Bytes b = builder.encode(csid, type, msid, payload, ts);
    stream.insert(stream.end(), b.begin(), b.end());
  };
  add(3, kTypeCommandAmf0, 0,
      amf({Amf0Value::string("connect"), Amf0Value::number(1),
           Amf0Value::object({{"app", Amf0Value::string("live")}})}));
  add(3, kTypeCommandAmf0, 0,
      amf({Amf0Value::string("createStream"), Amf0Value::number(2), Amf0Value::null()}));
  add(8, kTypeCommandAmf0, 1,
      amf({Amf0Value::string("publish"), Amf0Value::number(3), Amf0Value::null(),
           Amf0Value::string("k"), Amf0Value::string("live")}));
  size_t publish_end = stream.size();
  add(6, kTypeVideo, 1, Bytes(300, 0x17), 0xFFFFFF + 100);  // extended ts across chunks
  add(4, kTypeAudio, 1, {0xAF, 1, 2}, 0xFFFFFF + 110);

  ServerSession session;
  std::vector<SessionEvent> events;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(session.feed(std::span(stream).subspan(i, 1), 0).ok()) << i;
    for (auto& e : session.take_events()) {
      if (std::holds_alternative<PublishRequested>(e)) {
        EXPECT_EQ(i + 1, publish_end);
        session.accept_publish();
      }
      events.push_back(std::move(e));
    }
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<Connected>(events[0]));
  EXPECT_EQ(std::get<VideoMessage>(events[2]).timestamp_ms, 0xFFFFFF + 100);
  EXPECT_EQ(std::get<VideoMessage>(events[2]).payload.size(), 300u);
  EXPECT_EQ(std::get<AudioMessage>(events[3]).timestamp_ms, 0xFFFFFF + 110);
}

}  // namespace
}  // namespace vela::protocol::rtmp
