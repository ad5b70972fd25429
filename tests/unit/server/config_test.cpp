#include "server/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vela::server {

TEST(Config, DefaultsMatchConventions) {
  auto c = load_config("", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->http.listen, "0.0.0.0:8080");
  EXPECT_EQ(c->rtmp.listen, "0.0.0.0:1935");
  EXPECT_EQ(c->srt_listen, "0.0.0.0:9000");
  EXPECT_EQ(c->webrtc_listen, "0.0.0.0:10000");
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->auth.mode, "open");
}

TEST(Config, SetOverridesAnyKeyWithTomlOrBareValues) {
  auto c = load_config("", {"http.listen=127.0.0.1:28080", "hls.part_target_s=0.5", "runtime.shards=1",
                            "auth.mode=keys", "auth.keys.s3cret=show", "webrtc.public_ips=[\"192.0.2.1\"]"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->http.listen, "127.0.0.1:28080");
  EXPECT_DOUBLE_EQ(c->hls.part_target_s, 0.5);
  EXPECT_EQ(c->shards, 1u);
  EXPECT_EQ(c->auth.mode, "keys");
  EXPECT_EQ(c->auth.keys.at("s3cret"), "show");
  EXPECT_EQ(c->webrtc_public_ips, std::vector<std::string>{"192.0.2.1"});
}

TEST(Config, RejectsUnknownKeysBadValuesAndSyntaxWithTheKeyNamed) {
  auto unknown = load_config("", {"http.lisen=1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("http.lisen"), std::string::npos);
  auto range = load_config("", {"hls.part_target_s=9"});
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message.find("hls.part_target_s"), std::string::npos);
  EXPECT_FALSE(load_config("", {"auth.mode=maybe"}).ok());
  EXPECT_FALSE(load_config("", {"no-equals-sign"}).ok());
  EXPECT_FALSE(load_config("", {"http.max_connections=\"many\""}).ok());
}

TEST(Config, ReadsFileAndReportsItsErrors) {
  auto dir = std::filesystem::temp_directory_path() / "vela_config_test";
  std::filesystem::create_directories(dir);
  auto good = dir / "good.toml";
  std::ofstream(good) << "[http]\nlisten = \"127.0.0.1:1\"\n[hls]\nsegment_target_s = 4\n";
  auto c = load_config(good.string(), {"http.listen=127.0.0.1:2"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->http.listen, "127.0.0.1:2");  // --set wins over the file
  EXPECT_DOUBLE_EQ(c->hls.segment_target_s, 4);
  auto bad = dir / "bad.toml";
  std::ofstream(bad) << "[http\n";
  auto e = load_config(bad.string(), {});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("bad.toml:1"), std::string::npos);
  EXPECT_FALSE(load_config((dir / "missing.toml").string(), {}).ok());
  std::filesystem::remove_all(dir);
}

TEST(Config, ShippedDefaultFileLoadsAndEqualsBuiltInDefaults) {
  auto shipped = load_config(std::string(VELA_SOURCE_DIR) + "/config/vela.toml", {});
  ASSERT_TRUE(shipped.ok()) << shipped.error().message;
  auto defaults = load_config("", {});
  EXPECT_EQ(shipped->http.listen, defaults->http.listen);
  EXPECT_EQ(shipped->http.max_connections, defaults->http.max_connections);
  EXPECT_DOUBLE_EQ(shipped->hls.part_target_s, defaults->hls.part_target_s);
  EXPECT_EQ(shipped->hls.window_segments, defaults->hls.window_segments);
  EXPECT_EQ(shipped->rtmp.max_message_bytes, defaults->rtmp.max_message_bytes);
  EXPECT_EQ(shipped->stream.gop_cache_frames, defaults->stream.gop_cache_frames);
}

}  // namespace vela::server
