#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "protocol/rtp/h264_depacketizer.hpp"
#include "protocol/rtp/h264_packetizer.hpp"

namespace vela::protocol::rtp {
namespace {

std::vector<uint8_t> nal(uint8_t header, size_t size, uint8_t seed) {
  std::vector<uint8_t> n(size);
  n[0] = header;
  for (size_t i = 1; i < size; ++i) n[i] = static_cast<uint8_t>(seed + i * 7);
  return n;
}

base::Buffer avcc(const std::vector<std::vector<uint8_t>>& nals) {
  std::vector<uint8_t> out;
  for (const auto& n : nals) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(n.size() >> s));
    out.insert(out.end(), n.begin(), n.end());
  }
  return base::Buffer::adopt(std::move(out));
}

base::Buffer idr_unit(size_t slice_size, uint8_t seed) {
  return avcc({nal(0x67, 12, seed), nal(0x68, 4, seed), nal(0x06, 20, seed),
               nal(0x65, slice_size, seed)});
}
base::Buffer p_unit(size_t slice_size, uint8_t seed) { return avcc({nal(0x41, slice_size, seed)}); }

std::vector<uint8_t> bytes_of(const base::Buffer& b) { return {b.data(), b.data() + b.size()}; }

struct Packet {
  uint16_t sequence;
  uint32_t timestamp;
  bool marker;
  base::Buffer payload;
};

// Packetizes units in order from `first_sequence`, 3000 ticks apart.
std::vector<Packet> packetize_all(const std::vector<base::Buffer>& units, uint16_t first_sequence,
                                  size_t max_payload = 1200) {
  std::vector<Packet> out;
  uint16_t seq = first_sequence;
  uint32_t ts = 0xFFFFF000u;
  for (const auto& u : units) {
    auto payloads = packetize_h264(u, max_payload);
    EXPECT_TRUE(payloads.ok()) << (payloads ? "" : payloads.error().message);
    if (!payloads) continue;
    for (const auto& p : *payloads) out.push_back({seq++, ts, p.marker, p.data});
    ts += 3000;
  }
  return out;
}

H264DepacketizerOptions no_hold() {
  H264DepacketizerOptions o;
  o.startup_hold_us = 0;
  return o;
}

struct Feed {
  H264Depacketizer depacketizer{no_hold()};
  std::vector<H264AccessUnit> units;
  int64_t now_us = 0;
  void push(const Packet& p) {
    depacketizer.push(p.sequence, p.timestamp, p.marker, p.payload.span(), now_us, units);
  }
};

TEST(H264Packetizer, AggregatesParameterSetsAndFragmentsTheSlice) {
  base::Buffer unit = idr_unit(5000, 1);
  auto payloads = packetize_h264(unit, 1200);
  ASSERT_TRUE(payloads.ok()) << payloads.error().message;
  ASSERT_GE(payloads->size(), 6u);
  // SPS + PPS + SEI in one STAP-A (NRI of the highest, type 24).
  const auto& stap = (*payloads)[0].data;
  EXPECT_EQ(stap.data()[0], 0x60 | 24);
  EXPECT_EQ(stap.size(), 1u + 2 + 12 + 2 + 4 + 2 + 20);
  // Then FU-A fragments of the 5000-byte IDR slice: start bit first, end bit last.
  for (size_t i = 1; i < payloads->size(); ++i) {
    const auto& p = (*payloads)[i].data;
    EXPECT_LE(p.size(), 1200u);
    EXPECT_EQ(p.data()[0], 0x60 | 28);
    EXPECT_EQ(p.data()[1] & 0x1F, 5);
    EXPECT_EQ((p.data()[1] & 0x80) != 0, i == 1);
    EXPECT_EQ((p.data()[1] & 0x40) != 0, i + 1 == payloads->size());
    EXPECT_EQ((*payloads)[i].marker, i + 1 == payloads->size());
  }
  EXPECT_FALSE((*payloads)[0].marker);
}

TEST(H264Packetizer, SingleNalPayloadsShareTheUnitsStorage) {
  base::Buffer unit = avcc({nal(0x41, 900, 3), nal(0x41, 900, 4)});
  auto payloads = packetize_h264(unit, 1200);
  ASSERT_TRUE(payloads.ok());
  ASSERT_EQ(payloads->size(), 2u);
  EXPECT_EQ((*payloads)[0].data.data(), unit.data() + 4);
  EXPECT_EQ((*payloads)[1].data.data(), unit.data() + 4 + 900 + 4);
  EXPECT_TRUE((*payloads)[1].marker);
}

TEST(H264Packetizer, PayloadsServeManyViewersWithTheirOwnHeaders) {
  base::Buffer unit = idr_unit(3000, 8);
  auto payloads = packetize_h264(unit, 1100);
  ASSERT_TRUE(payloads.ok());
  struct Viewer {
    uint32_t ssrc;
    uint16_t first_sequence;
  };
  for (Viewer v : {Viewer{111, 65534}, Viewer{222, 9}}) {
    Feed f;
    uint16_t seq = v.first_sequence;
    for (const auto& p : *payloads) {
      RtpHeader h;
      h.payload_type = 102;
      h.ssrc = v.ssrc;
      h.sequence = seq++;
      h.timestamp = 90000;
      h.marker = p.marker;
      std::vector<uint8_t> datagram;
      ASSERT_TRUE(write_rtp(h, p.data.span(), datagram).ok());
      auto parsed = parse_rtp(datagram);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(parsed->ssrc, v.ssrc);
      f.depacketizer.push(*parsed, 0, f.units);
    }
    ASSERT_EQ(f.units.size(), 1u);
    EXPECT_EQ(bytes_of(f.units[0].avcc), bytes_of(unit));
    EXPECT_TRUE(f.units[0].keyframe);
  }
}

TEST(H264Packetizer, RejectsMalformedUnits) {
  EXPECT_FALSE(packetize_h264(base::Buffer{}, 1200).ok());
  EXPECT_FALSE(packetize_h264(base::Buffer::copy_of(std::vector<uint8_t>{0, 0, 0, 9, 0x41}), 1200).ok());
  EXPECT_FALSE(packetize_h264(p_unit(10, 1), 2).ok());
}

TEST(H264Depacketizer, ShuffledPacketsGiveBackTheOriginalUnits) {
  std::vector<base::Buffer> units = {idr_unit(4000, 1), p_unit(100, 2), p_unit(2500, 3),
                                     avcc({nal(0x06, 30, 9), nal(0x41, 50, 4)}), idr_unit(1300, 5),
                                     p_unit(1200, 6)};
  auto packets = packetize_all(units, 65530);  // sequence numbers wrap
  // Shuffle within small blocks (bounded reordering) and duplicate a few.
  std::mt19937 rng(42);
  for (size_t i = 0; i + 4 <= packets.size(); i += 4)
    std::shuffle(packets.begin() + i, packets.begin() + i + 4, rng);
  packets.insert(packets.begin() + 7, packets[3]);
  packets.push_back(packets[1]);

  Feed f;
  f.depacketizer = H264Depacketizer();  // with the start-up hold: packet 0 may come late
  for (const auto& p : packets) f.push(p);
  f.depacketizer.poll(1'000'000, f.units);
  ASSERT_EQ(f.units.size(), units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    EXPECT_EQ(bytes_of(f.units[i].avcc), bytes_of(units[i])) << "unit " << i;
    EXPECT_EQ(f.units[i].rtp_timestamp, static_cast<uint32_t>(0xFFFFF000u + 3000 * i));
    EXPECT_EQ(f.units[i].keyframe, i == 0 || i == 4);
  }
  EXPECT_FALSE(f.depacketizer.take_keyframe_request());
  EXPECT_EQ(f.depacketizer.stats().lost, 0u);
  EXPECT_GE(f.depacketizer.stats().duplicates + f.depacketizer.stats().late, 2u);
}

TEST(H264Depacketizer, LossInsideFuADropsUntilTheNextKeyframe) {
  std::vector<base::Buffer> units = {idr_unit(3000, 1), p_unit(4000, 2), p_unit(300, 3),
                                     idr_unit(3000, 4), p_unit(300, 5)};
  auto packets = packetize_all(units, 100);
  // Find a middle FU-A fragment of unit 1 (timestamp + 3000) and lose it.
  const uint32_t ts1 = packets[0].timestamp + 3000;
  size_t victim = 0;
  for (size_t i = 0; i < packets.size(); ++i)
    if (packets[i].timestamp == ts1) victim = i;  // its last fragment...
  victim -= 1;                                    // ...and the one before it
  ASSERT_EQ(packets[victim].timestamp, ts1);
  packets.erase(packets.begin() + static_cast<ptrdiff_t>(victim));

  Feed f;
  for (const auto& p : packets) {
    f.now_us += 1000;
    f.push(p);
  }
  f.now_us += 1'000'000;
  f.depacketizer.poll(f.now_us, f.units);
  ASSERT_EQ(f.units.size(), 3u);
  EXPECT_EQ(bytes_of(f.units[0].avcc), bytes_of(units[0]));
  EXPECT_EQ(bytes_of(f.units[1].avcc), bytes_of(units[3]));  // P units 1 and 2 dropped
  EXPECT_TRUE(f.units[1].keyframe);
  EXPECT_EQ(bytes_of(f.units[2].avcc), bytes_of(units[4]));
  EXPECT_TRUE(f.depacketizer.take_keyframe_request());
  EXPECT_FALSE(f.depacketizer.take_keyframe_request());
  EXPECT_EQ(f.depacketizer.stats().lost, 1u);
  EXPECT_EQ(f.depacketizer.stats().dropped_units, 2u);
}

TEST(H264Depacketizer, GapIsGivenUpAfterMaxWait) {
  auto packets = packetize_all({idr_unit(100, 1), p_unit(100, 2), idr_unit(100, 3)}, 7);
  ASSERT_EQ(packets.size(), 3u);
  H264DepacketizerOptions options = no_hold();
  options.max_wait_us = 50'000;
  Feed f;
  f.depacketizer = H264Depacketizer(options);
  f.push(packets[0]);
  f.now_us = 10'000;
  f.push(packets[2]);  // packets[1] missing: unit 2 waits behind the gap
  EXPECT_EQ(f.units.size(), 1u);
  f.depacketizer.poll(59'999, f.units);
  EXPECT_EQ(f.units.size(), 1u);
  f.depacketizer.poll(60'000, f.units);
  // The unit right after a gap is dropped too (its start may have been in the gap).
  EXPECT_EQ(f.units.size(), 1u);
  EXPECT_TRUE(f.depacketizer.take_keyframe_request());
  // A late packet after giving up is ignored.
  f.push(packets[1]);
  EXPECT_EQ(f.depacketizer.stats().late, 1u);
  EXPECT_EQ(f.depacketizer.buffered_packets(), 0u);
}

TEST(H264Depacketizer, StartupHoldTakesAnOvertakenFirstPacket) {
  auto packets = packetize_all({idr_unit(2000, 1), p_unit(100, 2)}, 500);
  ASSERT_EQ(packets.size(), 4u);  // STAP-A, 2 x FU-A, P slice
  Feed f;
  f.depacketizer = H264Depacketizer();
  f.push(packets[1]);
  f.now_us = 5'000;
  f.push(packets[0]);
  f.push(packets[2]);
  f.push(packets[3]);
  EXPECT_TRUE(f.units.empty());  // still holding
  f.now_us = 20'000;
  f.depacketizer.poll(f.now_us, f.units);
  ASSERT_EQ(f.units.size(), 2u);
  EXPECT_EQ(bytes_of(f.units[0].avcc), bytes_of(idr_unit(2000, 1)));
  EXPECT_FALSE(f.depacketizer.take_keyframe_request());
  // After the hold, packets flow straight through.
  for (const auto& p : packetize_all({p_unit(50, 3)}, 504)) f.push(p);
  EXPECT_EQ(f.units.size(), 3u);
}

TEST(H264Depacketizer, WaitsForTheFirstKeyframe) {
  auto packets = packetize_all({p_unit(100, 1), p_unit(100, 2), idr_unit(100, 3)}, 0);
  Feed f;
  for (const auto& p : packets) f.push(p);
  ASSERT_EQ(f.units.size(), 1u);
  EXPECT_TRUE(f.units[0].keyframe);
  EXPECT_TRUE(f.depacketizer.take_keyframe_request());
  EXPECT_EQ(f.depacketizer.stats().dropped_units, 2u);
}

TEST(H264Depacketizer, MalformedPayloadsDropTheirUnit) {
  Feed f;
  auto good = packetize_all({idr_unit(100, 1)}, 10);
  f.push(good[0]);
  ASSERT_EQ(f.units.size(), 1u);
  uint32_t ts = good[0].timestamp + 3000;
  // FU-A middle fragment without a start; truncated STAP-A; STAP-B; reserved type 30.
  std::vector<std::vector<uint8_t>> bad = {
      {0x7C, 0x05, 1, 2}, {0x78, 0x00, 0x09, 0x65}, {0x79, 0, 0, 0, 1, 0x65}, {0x7E, 1}};
  uint16_t seq = 11;
  for (auto& b : bad) {
    f.push({seq++, ts, true, base::Buffer::copy_of(b)});
    ts += 3000;
  }
  EXPECT_EQ(f.units.size(), 1u);
  EXPECT_EQ(f.depacketizer.stats().dropped_units, 4u);
  EXPECT_TRUE(f.depacketizer.take_keyframe_request());
  // Recovers on the next keyframe.
  for (auto p : packetize_all({idr_unit(2000, 2)}, seq)) {
    p.timestamp = ts;
    f.push(p);
  }
  ASSERT_EQ(f.units.size(), 2u);
  EXPECT_EQ(bytes_of(f.units[1].avcc), bytes_of(idr_unit(2000, 2)));
}

TEST(H264Depacketizer, MemoryStaysBoundedBehindAPermanentHole) {
  H264DepacketizerOptions options = no_hold();
  options.reorder_window = 64;
  options.max_wait_us = 1'000'000'000;
  Feed f;
  f.depacketizer = H264Depacketizer(options);
  std::vector<base::Buffer> units;
  units.push_back(idr_unit(100, 0));
  for (int i = 0; i < 300; ++i) units.push_back(p_unit(100, static_cast<uint8_t>(i)));
  auto packets = packetize_all(units, 65000);
  packets.erase(packets.begin() + 5);
  for (const auto& p : packets) {
    f.push(p);
    EXPECT_LE(f.depacketizer.buffered_packets(), 64u);
  }
  EXPECT_EQ(f.depacketizer.stats().lost, 1u);
  EXPECT_EQ(f.units.size(), 5u);  // the IDR and P units before the hole
}

TEST(H264Depacketizer, SequenceRestartResets) {
  Feed f;
  for (const auto& p : packetize_all({idr_unit(100, 1), p_unit(100, 2)}, 40000)) f.push(p);
  EXPECT_EQ(f.units.size(), 2u);
  for (const auto& p : packetize_all({idr_unit(100, 3)}, 20000)) f.push(p);
  EXPECT_EQ(f.depacketizer.stats().resets, 1u);
  ASSERT_EQ(f.units.size(), 3u);
  EXPECT_TRUE(f.units[2].keyframe);
}

}  // namespace
}  // namespace vela::protocol::rtp
