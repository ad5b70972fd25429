#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "base/byte_writer.hpp"
#include "protocol/rtmp/chunk_reader.hpp"
#include "protocol/rtmp/chunk_writer.hpp"

namespace vela::protocol::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;

// Hand-built chunks, to test the reader against exactly what a client puts on the wire.
class Wire {
 public:
  Wire& basic(uint8_t fmt, uint32_t csid) {
    base::ByteWriter w(bytes_);
    if (csid < 64) {
      w.u8(static_cast<uint8_t>(fmt << 6 | csid));
    } else if (csid < 320) {
      w.u8(static_cast<uint8_t>(fmt << 6));
      w.u8(static_cast<uint8_t>(csid - 64));
    } else {
      w.u8(static_cast<uint8_t>(fmt << 6 | 1));
      w.u8(static_cast<uint8_t>((csid - 64) & 0xFF));
      w.u8(static_cast<uint8_t>((csid - 64) >> 8));
    }
    return *this;
  }
  Wire& fmt0(uint32_t csid, uint32_t ts, uint32_t len, uint8_t type, uint32_t msid) {
    basic(0, csid);
    base::ByteWriter w(bytes_);
    w.u24be(ts >= 0xFFFFFF ? 0xFFFFFF : ts);
    w.u24be(len);
    w.u8(type);
    w.u32le(msid);
    if (ts >= 0xFFFFFF) w.u32be(ts);
    return *this;
  }
  Wire& fmt1(uint32_t csid, uint32_t delta, uint32_t len, uint8_t type) {
    basic(1, csid);
    base::ByteWriter w(bytes_);
    w.u24be(delta);
    w.u24be(len);
    w.u8(type);
    return *this;
  }
  Wire& fmt2(uint32_t csid, uint32_t delta) {
    basic(2, csid);
    base::ByteWriter(bytes_).u24be(delta);
    return *this;
  }
  Wire& fmt3(uint32_t csid) { return basic(3, csid); }
  Wire& u32be(uint32_t v) {
    base::ByteWriter(bytes_).u32be(v);
    return *this;
  }
  Wire& data(const Bytes& d) {
    bytes_.insert(bytes_.end(), d.begin(), d.end());
    return *this;
  }
  Wire& fill(uint8_t v, size_t n) {
    bytes_.insert(bytes_.end(), n, v);
    return *this;
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

Bytes pattern(size_t n, uint8_t seed = 0) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
  return out;
}

// Feeds everything at once and collects messages; fails the test on error.
std::vector<Message> read_all(ChunkReader& reader, const Bytes& bytes) {
  reader.feed(bytes);
  std::vector<Message> out;
  for (;;) {
    auto next = reader.read();
    EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().message);
    if (!next.ok() || !next.value()) return out;
    out.push_back(std::move(*next.value()));
  }
}

// Feeds in pieces of the given sizes (cycled).
std::vector<Message> read_split(const Bytes& bytes, std::vector<size_t> pieces,
                                ChunkReaderLimits limits = {}) {
  ChunkReader reader(limits);
  std::vector<Message> out;
  size_t at = 0, i = 0;
  while (at < bytes.size()) {
    size_t n = std::min(pieces[i++ % pieces.size()], bytes.size() - at);
    reader.feed(std::span(bytes).subspan(at, n));
    at += n;
    for (;;) {
      auto next = reader.read();
      EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().message);
      if (!next.ok() || !next.value()) break;
      out.push_back(std::move(*next.value()));
    }
  }
  return out;
}

Bytes payload_of(const Message& m) {
  return Bytes(m.payload.span().begin(), m.payload.span().end());
}

std::string first_error(const Bytes& bytes, ChunkReaderLimits limits = {}) {
  ChunkReader reader(limits);
  reader.feed(bytes);
  for (;;) {
    auto next = reader.read();
    if (!next.ok()) return next.error().message;
    if (!next.value()) return "";
  }
}

TEST(ChunkReader, SingleChunkMessage) {
  Wire wire;
  wire.fmt0(3, 1000, 5, 20, 0).data({1, 2, 3, 4, 5});
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].header.chunk_stream_id, 3u);
  EXPECT_EQ(msgs[0].header.type_id, 20);
  EXPECT_EQ(msgs[0].header.stream_id, 0u);
  EXPECT_EQ(msgs[0].header.timestamp, 1000u);
  EXPECT_EQ(payload_of(msgs[0]), (Bytes{1, 2, 3, 4, 5}));
}

TEST(ChunkReader, MultiChunkMessageWithContinuations) {
  Bytes body = pattern(300);
  Wire wire;
  wire.fmt0(6, 40, 300, 9, 1).data(Bytes(body.begin(), body.begin() + 128));
  wire.fmt3(6).data(Bytes(body.begin() + 128, body.begin() + 256));
  wire.fmt3(6).data(Bytes(body.begin() + 256, body.end()));
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].header.stream_id, 1u);
  EXPECT_EQ(msgs[0].header.timestamp, 40u);
  EXPECT_EQ(payload_of(msgs[0]), body);
}

TEST(ChunkReader, HeaderCompressionTypes) {
  Wire wire;
  wire.fmt0(4, 1000, 2, 8, 1).data({0xAF, 1});  // absolute 1000
  wire.fmt1(4, 20, 3, 9).data({0x17, 1, 2});    // +20, new length and type
  wire.fmt2(4, 33).data({0x27, 1, 2});          // +33, same length and type
  wire.fmt3(4).data({0x27, 3, 4});              // new message, +33 again
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0].header.timestamp, 1000u);
  EXPECT_EQ(msgs[1].header.timestamp, 1020u);
  EXPECT_EQ(msgs[1].header.type_id, 9);
  EXPECT_EQ(msgs[1].header.stream_id, 1u);  // inherited
  EXPECT_EQ(msgs[2].header.timestamp, 1053u);
  EXPECT_EQ(msgs[3].header.timestamp, 1086u);
  EXPECT_EQ(payload_of(msgs[3]), (Bytes{0x27, 3, 4}));
}

TEST(ChunkReader, Fmt3AfterFmt0RepeatsTheTimestampFieldAsDelta) {
  // What ffmpeg and GStreamer mean when they send fmt 3 after fmt 0 (their writers pick
  // fmt 3 when the new delta equals the previous timestamp field).
  Wire wire;
  wire.fmt0(4, 40, 1, 9, 1).data({1});
  wire.fmt3(4).data({2});
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].header.timestamp, 80u);
}

TEST(ChunkReader, TimestampDeltasWrapAt32Bits) {
  Wire wire;
  wire.fmt0(4, 0xFFFFFFF0u, 1, 9, 1).data({1});
  wire.fmt2(4, 0x20).data({2});
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].header.timestamp, 0xFFFFFFF0u);
  EXPECT_EQ(msgs[1].header.timestamp, 0x10u);
}

TEST(ChunkReader, ExtendedTimestampRepeatedInContinuationChunks) {
  // As ffmpeg and librtmp send it: every fmt-3 chunk repeats the 4-byte timestamp.
  Bytes body = pattern(200);
  Wire wire;
  wire.fmt0(4, 0x01000000, 200, 9, 1).data(Bytes(body.begin(), body.begin() + 128));
  wire.fmt3(4).u32be(0x01000000).data(Bytes(body.begin() + 128, body.end()));
  // Next message: fmt 3 as a new message, delta repeated in the extended field.
  wire.fmt3(4).u32be(0x01000000).data(Bytes(body.begin(), body.begin() + 128));
  wire.fmt3(4).u32be(0x01000000).data(Bytes(body.begin() + 128, body.end()));
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].header.timestamp, 0x01000000u);
  EXPECT_EQ(payload_of(msgs[0]), body);
  EXPECT_EQ(msgs[1].header.timestamp, 0x02000000u);
  EXPECT_EQ(payload_of(msgs[1]), body);
}

TEST(ChunkReader, ExtendedTimestampOmittedInContinuationIsTolerated) {
  Bytes body = pattern(200, 9);
  Wire wire;
  wire.fmt0(4, 0xFFFFFF, 200, 9, 1).data(Bytes(body.begin(), body.begin() + 128));
  wire.fmt3(4).data(Bytes(body.begin() + 128, body.end()));
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].header.timestamp, 0xFFFFFFu);
  EXPECT_EQ(payload_of(msgs[0]), body);
}

TEST(ChunkReader, ExtendedDeltaInFmt1) {
  Wire wire;
  wire.fmt0(4, 10, 1, 9, 1).data({1});
  wire.fmt1(4, 0xFFFFFF, 1, 9).u32be(0x02000000).data({2});
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].header.timestamp, 0x0200000Au);
}

TEST(ChunkReader, InterleavedChunkStreams) {
  Bytes video = pattern(250, 1), audio = pattern(150, 2);
  Wire wire;
  wire.fmt0(6, 0, 250, 9, 1).data(Bytes(video.begin(), video.begin() + 128));
  wire.fmt0(4, 0, 150, 8, 1).data(Bytes(audio.begin(), audio.begin() + 128));
  wire.fmt3(6).data(Bytes(video.begin() + 128, video.end()));
  wire.fmt3(4).data(Bytes(audio.begin() + 128, audio.end()));
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].header.type_id, 9);
  EXPECT_EQ(payload_of(msgs[0]), video);
  EXPECT_EQ(msgs[1].header.type_id, 8);
  EXPECT_EQ(payload_of(msgs[1]), audio);
}

TEST(ChunkReader, TwoAndThreeByteBasicHeaders) {
  Wire wire;
  wire.fmt0(64, 1, 1, 9, 1).data({1});
  wire.fmt0(319, 2, 1, 9, 1).data({2});
  wire.fmt0(320, 3, 1, 9, 1).data({3});
  wire.fmt0(65599, 4, 1, 9, 1).data({4});
  wire.fmt3(65599).data({5});
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 5u);
  EXPECT_EQ(msgs[0].header.chunk_stream_id, 64u);
  EXPECT_EQ(msgs[1].header.chunk_stream_id, 319u);
  EXPECT_EQ(msgs[2].header.chunk_stream_id, 320u);
  EXPECT_EQ(msgs[3].header.chunk_stream_id, 65599u);
  EXPECT_EQ(msgs[4].header.timestamp, 8u);
}

TEST(ChunkReader, AnySplitGivesTheSameMessages) {
  Bytes big = pattern(1000, 3);
  Wire wire;
  wire.fmt0(2, 0, 4, 1, 0).u32be(100);  // Set Chunk Size 100
  wire.fmt0(6, 0xFFFFFF + 5, 1000, 9, 1);
  for (size_t off = 0; off < big.size(); off += 100) {
    if (off > 0) wire.fmt3(6).u32be(0xFFFFFF + 5);
    wire.data(Bytes(big.begin() + off, big.begin() + off + 100));
  }
  wire.fmt0(330, 7, 3, 8, 1).data({9, 8, 7});
  ChunkReader whole;
  auto expected = read_all(whole, wire.bytes());
  ASSERT_EQ(expected.size(), 3u);
  for (std::vector<size_t> pieces : {std::vector<size_t>{1}, {2}, {3, 1, 7}, {13}, {127, 1}}) {
    auto got = read_split(wire.bytes(), pieces);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].header.timestamp, expected[i].header.timestamp);
      EXPECT_EQ(got[i].header.chunk_stream_id, expected[i].header.chunk_stream_id);
      EXPECT_EQ(payload_of(got[i]), payload_of(expected[i]));
    }
  }
  EXPECT_EQ(payload_of(expected[1]), big);
}

TEST(ChunkReader, SetChunkSizeTakesEffectAtTheMessageBoundary) {
  Bytes body = pattern(300);
  Wire wire;
  wire.fmt0(2, 0, 4, 1, 0).u32be(4096);
  wire.fmt0(6, 0, 300, 9, 1).data(body);  // one chunk at the new size
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].header.type_id, kTypeSetChunkSize);
  EXPECT_EQ(payload_of(msgs[1]), body);
  EXPECT_EQ(reader.chunk_size(), 4096u);
}

TEST(ChunkReader, SetChunkSizeValidation) {
  EXPECT_NE(first_error(Wire().fmt0(2, 0, 4, 1, 0).u32be(0).bytes()).find("chunk size 0"),
            std::string::npos);
  EXPECT_NE(first_error(Wire().fmt0(2, 0, 4, 1, 0).u32be(0x80000000u).bytes()), "");
  EXPECT_NE(first_error(Wire().fmt0(2, 0, 2, 1, 0).data({0, 1}).bytes()).find("truncated"),
            std::string::npos);
  ChunkReader reader;
  read_all(reader, Wire().fmt0(2, 0, 4, 1, 0).u32be(0x7FFFFFFF).bytes());
  EXPECT_EQ(reader.chunk_size(), kMaxChunkSize);  // clamped: no message is larger
}

TEST(ChunkReader, AbortDiscardsThePartialMessage) {
  Bytes body = pattern(200);
  Wire wire;
  wire.fmt0(6, 0, 200, 9, 1).data(Bytes(body.begin(), body.begin() + 128));
  wire.fmt0(2, 0, 4, 2, 0).u32be(6);          // Abort chunk stream 6
  wire.fmt0(6, 50, 3, 9, 1).data({1, 2, 3});  // a fresh message is legal now
  ChunkReader reader;
  auto msgs = read_all(reader, wire.bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].header.type_id, kTypeAbort);
  EXPECT_EQ(msgs[1].header.timestamp, 50u);
  EXPECT_EQ(payload_of(msgs[1]), (Bytes{1, 2, 3}));
}

TEST(ChunkReader, ZeroLengthMessage) {
  ChunkReader reader;
  auto msgs = read_all(reader, Wire().fmt0(3, 0, 0, 20, 0).fmt0(3, 1, 1, 20, 0).data({7}).bytes());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_TRUE(msgs[0].payload.empty());
  EXPECT_EQ(payload_of(msgs[1]), (Bytes{7}));
}

TEST(ChunkReader, RejectsOversizeMessages) {
  ChunkReaderLimits limits;
  limits.max_message_size = 1000;
  EXPECT_TRUE(first_error(Wire().fmt0(6, 0, 1000, 9, 1).bytes(), limits).empty());
  auto err = first_error(Wire().fmt0(6, 0, 1001, 9, 1).bytes(), limits);
  EXPECT_NE(err.find("1001 bytes exceeds limit of 1000"), std::string::npos) << err;
  // fmt 1 announces a length too.
  Wire wire;
  wire.fmt0(6, 0, 1, 9, 1).data({1}).fmt1(6, 0, 5000, 9);
  EXPECT_NE(first_error(wire.bytes(), limits), "");
}

TEST(ChunkReader, BoundsChunkStreamsAndPendingBytes) {
  ChunkReaderLimits limits;
  limits.max_chunk_streams = 3;
  Wire wire;
  for (uint32_t csid = 2; csid < 6; ++csid) wire.fmt0(csid, 0, 1, 9, 1).data({1});
  EXPECT_NE(first_error(wire.bytes(), limits).find("chunk streams"), std::string::npos);

  ChunkReaderLimits small;
  small.max_pending_bytes = 200;
  Wire pending;
  pending.fmt0(4, 0, 1000, 9, 1).fill(0, 128).fmt0(6, 0, 1000, 9, 1).fill(0, 128);
  EXPECT_NE(first_error(pending.bytes(), small).find("partly received"), std::string::npos);
}

TEST(ChunkReader, ProtocolViolations) {
  EXPECT_NE(first_error(Wire().fmt3(5).data({1}).bytes()).find("unused chunk stream"),
            std::string::npos);
  Wire mid;
  mid.fmt0(6, 0, 200, 9, 1).fill(0, 128).fmt0(6, 0, 10, 9, 1);
  EXPECT_NE(first_error(mid.bytes()).find("before its message was complete"), std::string::npos);
}

TEST(ChunkReader, FailureIsSticky) {
  ChunkReader reader;
  reader.feed(Wire().fmt3(5).bytes());
  EXPECT_FALSE(reader.read().ok());
  reader.feed(Wire().fmt0(3, 0, 1, 20, 0).data({1}).bytes());
  EXPECT_FALSE(reader.read().ok());
}

TEST(ChunkWriter, WireFormat) {
  ChunkWriter writer;
  Bytes out;
  writer.write(MessageHeader{3, 20, 1, 0x10}, Bytes{0xAA, 0xBB}, out);
  EXPECT_EQ(out, (Bytes{0x03, 0, 0, 0x10, 0, 0, 2, 20, 1, 0, 0, 0, 0xAA, 0xBB}));
}

TEST(ChunkWriter, SplitsAndRepeatsExtendedTimestamp) {
  ChunkWriter writer;
  writer.set_chunk_size(10);
  Bytes out;
  writer.write(MessageHeader{4, 9, 1, 0x01020304}, pattern(25), out);
  // 12 header + 4 ext + 10, then 2 x (1 + 4 + up to 10).
  EXPECT_EQ(out.size(), 16u + 10 + 5 + 10 + 5 + 5);
  EXPECT_EQ(out[26], 0xC4);
  EXPECT_EQ((Bytes(out.begin() + 27, out.begin() + 31)), (Bytes{1, 2, 3, 4}));
}

TEST(ChunkWriter, RoundTripsThroughTheReader) {
  std::mt19937 rng(7);
  for (uint32_t chunk_size : {1u, 60u, 128u, 4096u}) {
    ChunkWriter writer;
    writer.set_chunk_size(chunk_size);
    Wire wire;
    if (chunk_size != kDefaultChunkSize) wire.fmt0(2, 0, 4, 1, 0).u32be(chunk_size);
    std::vector<std::pair<MessageHeader, Bytes>> sent;
    for (int i = 0; i < 20; ++i) {
      uint32_t csid = std::vector<uint32_t>{3, 4, 63, 64, 300, 65599}[rng() % 6];
      uint32_t ts = i % 3 == 0 ? 0xFFFFFF + rng() % 1000 : rng() % 100000;
      MessageHeader h{csid, static_cast<uint8_t>(8 + i % 2), 1, ts};
      Bytes body = pattern(rng() % 700, static_cast<uint8_t>(i));
      Bytes out;
      writer.write(h, body, out);
      wire.data(out);
      sent.emplace_back(h, body);
    }
    auto got = read_split(wire.bytes(), {1, 5, 333});
    size_t skip = chunk_size != kDefaultChunkSize ? 1 : 0;
    ASSERT_EQ(got.size(), sent.size() + skip);
    for (size_t i = 0; i < sent.size(); ++i) {
      const auto& m = got[i + skip];
      EXPECT_EQ(m.header.chunk_stream_id, sent[i].first.chunk_stream_id);
      EXPECT_EQ(m.header.timestamp, sent[i].first.timestamp);
      EXPECT_EQ(m.header.type_id, sent[i].first.type_id);
      EXPECT_EQ(payload_of(m), sent[i].second);
    }
  }
}

}  // namespace
}  // namespace vela::protocol::rtmp
