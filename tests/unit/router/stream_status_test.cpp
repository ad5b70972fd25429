#include "router/stream_status.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace vela::router {
namespace {

media::CueEvent cue(uint32_t id) {
  media::CueEvent c;
  c.command = "splice_insert";
  c.event_id = id;
  return c;
}

TEST(StreamStatus, KeepsTheMostRecentCuesOnly) {
  StreamStatus status;
  for (uint32_t i = 0; i < StreamStatus::kMaxCues + 5; ++i) status.add_cue(cue(i));
  auto cues = status.cues();
  ASSERT_EQ(cues.size(), StreamStatus::kMaxCues);
  EXPECT_EQ(cues.front().event_id, 5u);
  EXPECT_EQ(cues.back().event_id, StreamStatus::kMaxCues + 4);
  EXPECT_EQ(status.cues_total(), StreamStatus::kMaxCues + 5);
}

TEST(StreamStatus, TransportStatsReplaceOnlyTheTransport) {
  StreamStatus status;
  status.set_ingest({"srt", "127.0.0.1:5000", {}});
  status.set_transport({{"rtt_us", 1200}, {"lost_packets", 3}});
  status.set_transport({{"rtt_us", 900}, {"lost_packets", 4}});
  auto ingest = status.ingest();
  EXPECT_EQ(ingest.protocol, "srt");
  EXPECT_EQ(ingest.remote, "127.0.0.1:5000");
  ASSERT_EQ(ingest.transport.size(), 2u);
  EXPECT_EQ(ingest.transport[0].second, 900);
  EXPECT_EQ(ingest.transport[1].second, 4);
}

TEST(StreamStatus, WritersAndReadersOnOtherThreads) {
  StreamStatus status;
  std::thread writer([&] {
    for (uint32_t i = 0; i < 2000; ++i) {
      status.add_cue(cue(i));
      status.set_transport({{"rtt_us", i}});
    }
  });
  size_t seen = 0;
  for (int i = 0; i < 2000; ++i) seen = std::max(seen, status.cues().size());
  writer.join();
  EXPECT_LE(seen, StreamStatus::kMaxCues);
  EXPECT_EQ(status.cues_total(), 2000u);
  EXPECT_EQ(status.ingest().transport.at(0).second, 1999);
}

}  // namespace
}  // namespace vela::router
