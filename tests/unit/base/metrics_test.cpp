#include "base/metrics.hpp"

#include <gtest/gtest.h>

#include "base/buffer.hpp"
#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/rate_limit.hpp"

namespace vela::base {

TEST(Metrics, RendersFamiliesOnceWithLabels) {
  MetricsRegistry registry;
  registry.counter("vela_closed_total", "Sessions closed", R"(reason="eof")").add(2);
  registry.counter("vela_closed_total", "Sessions closed", R"(reason="bad")").add();
  registry.gauge("vela_sessions", "Open sessions").set(5);
  EXPECT_EQ(&registry.counter("vela_closed_total", "", R"(reason="eof")"),
            &registry.counter("vela_closed_total", "", R"(reason="eof")"));
  std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE vela_closed_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("vela_closed_total{reason=\"eof\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("vela_closed_total{reason=\"bad\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vela_sessions 5\n"), std::string::npos);
  EXPECT_EQ(text.find("# HELP vela_closed_total"), text.rfind("# HELP vela_closed_total"));
}

TEST(Metrics, ScopedSeriesLeaveWithTheirLastHolder) {
  MetricsRegistry registry;
  registry.gauge("vela_sessions", "Open sessions").set(1);
  auto a = registry.scoped_gauge("vela_srt_rtt_microseconds", "RTT", R"(stream="a")");
  auto shared = registry.scoped_gauge("vela_srt_rtt_microseconds", "RTT", R"(stream="a")");
  EXPECT_EQ(a, shared);  // one series per name and labels
  a->set(1200);
  auto bytes = registry.scoped_counter("vela_bytes_total", "Bytes", R"(stream="a")");
  bytes->add(5);
  std::string text = registry.render();
  EXPECT_NE(text.find("vela_srt_rtt_microseconds{stream=\"a\"} 1200\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vela_bytes_total{stream=\"a\"} 5\n"), std::string::npos) << text;
  EXPECT_EQ(registry.series(), 3u);

  a.reset();
  EXPECT_EQ(registry.series(), 3u) << "still held by another holder";
  shared.reset();
  bytes.reset();
  EXPECT_EQ(registry.series(), 1u);
  text = registry.render();
  EXPECT_EQ(text.find("stream="), std::string::npos) << text;
  EXPECT_EQ(text.find("vela_srt_rtt_microseconds"), std::string::npos) << "no empty family left: " << text;

  // Many short-lived streams leave nothing behind, and a name that comes back starts afresh.
  for (int i = 0; i < 1000; ++i) {
    registry.scoped_gauge("vela_srt_rtt_microseconds", "RTT", "stream=\"s" + std::to_string(i) + "\"")->set(i);
  }
  EXPECT_EQ(registry.series(), 1u);
  EXPECT_EQ(registry.scoped_counter("vela_bytes_total", "Bytes", R"(stream="a")")->value(), 0u);
}

TEST(RateLimit, AllowsBurstPerInterval) {
  RateLimit limit(1'000'000, 2);
  EXPECT_TRUE(limit.allow(0));
  EXPECT_TRUE(limit.allow(10));
  EXPECT_FALSE(limit.allow(20));
  EXPECT_EQ(limit.take_suppressed(), 1u);
  EXPECT_TRUE(limit.allow(1'000'001));
}

TEST(ByteReader, FailsStickyOnUnderflow) {
  const uint8_t data[] = {0x01, 0x02, 0x03};
  ByteReader r(data);
  EXPECT_EQ(r.u16be(), 0x0102);
  EXPECT_EQ(r.u16be(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // stays failed even though one byte is left
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteWriter, PatchesSizes) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.u32be(0);
  w.text("moof");
  w.u24be(0xABCDEF);
  w.patch_u32be(0, static_cast<uint32_t>(out.size()));
  ByteReader r(out);
  EXPECT_EQ(r.u32be(), 11u);
  EXPECT_EQ(r.u32be(), 0x6d6f6f66u);
  EXPECT_EQ(r.u24be(), 0xABCDEFu);
}

TEST(Buffer, SlicesShareStorageAndClamp) {
  Buffer b = Buffer::copy_of(std::string_view("hello world"));
  Buffer s = b.slice(6, 100);
  EXPECT_EQ(s.text(), "world");
  EXPECT_EQ(s.data(), b.data() + 6);
  EXPECT_TRUE(b.slice(20, 1).empty());
}

TEST(Buffer, WrapsStaticBytesWithoutCopying) {
  static const uint8_t kBytes[] = {1, 2, 3, 4};
  Buffer b = Buffer::wrap_static(kBytes);
  EXPECT_EQ(b.data(), kBytes);
  EXPECT_EQ(b.slice(1, 2).data(), kBytes + 1);
  EXPECT_EQ(b.slice(1, 2).size(), 2u);
}

}  // namespace vela::base
