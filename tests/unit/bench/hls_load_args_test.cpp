#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "bench/hls_load.hpp"

namespace vela::bench {
namespace {

base::Result<HlsLoadOptions> parse(std::vector<std::string_view> args) {
  return parse_hls_load_args(args);
}

TEST(HlsLoadArgs, DefaultsAndValues) {
  auto options = parse({"--url", "http://127.0.0.1:8080/live/a/index.m3u8"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->clients, 500u);
  EXPECT_EQ(options->duration_s, 60u);
  EXPECT_EQ(options->threads, 1u);

  options = parse({"--url=http://127.0.0.1:1/x", "--clients", "100", "--duration=5", "--threads",
                   "2", "--timeout-ms", "3000", "--ramp-ms=0", "--json", "/tmp/r"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->url, "http://127.0.0.1:1/x");
  EXPECT_EQ(options->clients, 100u);
  EXPECT_EQ(options->duration_s, 5u);
  EXPECT_EQ(options->threads, 2u);
  EXPECT_EQ(options->timeout_ms, 3000u);
  EXPECT_EQ(options->ramp_ms, 0u);
  EXPECT_EQ(options->json_path, "/tmp/r");
  EXPECT_EQ(options->availability_offset_us, 0);

  options = parse({"--url=http://127.0.0.1:1/x", "--availability-offset-us", "-153250"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->availability_offset_us, -153'250);
  EXPECT_FALSE(parse({"--url=http://127.0.0.1:1/x", "--availability-offset-us=-61000000"}));
}

TEST(HlsLoadArgs, BoundsAreEnforced) {
  std::string_view url = "--url=http://127.0.0.1:1/x";
  EXPECT_TRUE(parse({url, "--clients", "5000"}));
  EXPECT_TRUE(parse({url, "--clients", "0"}));
  EXPECT_FALSE(parse({url, "--clients", "5001"}));
  EXPECT_FALSE(parse({url, "--clients", "-1"}));
  EXPECT_FALSE(parse({url, "--clients", "12x"}));
  EXPECT_FALSE(parse({url, "--duration", "0"}));
  EXPECT_FALSE(parse({url, "--duration", "3601"}));
  EXPECT_FALSE(parse({url, "--threads", "0"}));
  EXPECT_FALSE(parse({url, "--clients"})) << "missing value";
  EXPECT_FALSE(parse({url, "--bogus", "1"}));
  EXPECT_FALSE(parse({"--clients", "10"})) << "--url is required";
}

TEST(LoopbackUrl, AcceptsLoopbackOnly) {
  auto target = parse_loopback_url("http://127.0.0.1:18080/live/bench/index.m3u8");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->address, "127.0.0.1");
  EXPECT_EQ(target->port, 18080);
  EXPECT_EQ(target->host_header, "127.0.0.1:18080");
  EXPECT_EQ(target->path, "/live/bench/index.m3u8");

  target = parse_loopback_url("http://localhost/live/x/index.m3u8?token=abc");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->address, "127.0.0.1");
  EXPECT_EQ(target->port, 80);
  EXPECT_EQ(target->path, "/live/x/index.m3u8?token=abc");

  target = parse_loopback_url("http://[::1]:8080/a");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->address, "::1");
  EXPECT_TRUE(parse_loopback_url("http://127.1.2.3:80/a"));

  EXPECT_FALSE(parse_loopback_url("http://10.0.0.1:8080/a"));
  EXPECT_FALSE(parse_loopback_url("http://example.com/a"));
  EXPECT_FALSE(parse_loopback_url("https://127.0.0.1/a"));
  EXPECT_FALSE(parse_loopback_url("http://127.0.0.1:0/a"));
  EXPECT_FALSE(parse_loopback_url("not a url"));
}

}  // namespace
}  // namespace vela::bench
