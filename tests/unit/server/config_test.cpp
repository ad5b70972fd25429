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
  EXPECT_EQ(c->srt.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->srt.passphrase, "");
  EXPECT_EQ(c->srt.pbkeylen, 16u);
  EXPECT_EQ(c->srt.latency_ms, 120u);
  EXPECT_EQ(c->srt.max_connections, 100u);
  EXPECT_EQ(c->webrtc_listen, "0.0.0.0:10000");
  EXPECT_TRUE(c->webrtc_lip_sync);
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->auth.mode, "open");
}

TEST(Config, SetOverridesAnyKeyWithTomlOrBareValues) {
  auto c = load_config("", {"http.listen=127.0.0.1:28080", "hls.part_target_s=0.5", "runtime.shards=1",
                            "auth.mode=keys", "auth.keys.s3cret=show", "webrtc.public_ips=[\"192.0.2.1\"]",
                            "webrtc.lip_sync=false"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->webrtc_lip_sync);
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

TEST(Config, SrtKeysAreSetAndValidated) {
  auto c = load_config("", {"srt.listen=127.0.0.1:9100", "srt.passphrase=0123456789abc", "srt.pbkeylen=32",
                            "srt.latency_ms=250", "srt.max_connections=7"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->srt.listen, "127.0.0.1:9100");
  EXPECT_EQ(c->srt.passphrase, "0123456789abc");
  EXPECT_EQ(c->srt.pbkeylen, 32u);
  EXPECT_EQ(c->srt.latency_ms, 250u);
  EXPECT_EQ(c->srt.max_connections, 7u);
  EXPECT_TRUE(load_config("", {"srt.passphrase=\"\""}).ok());  // empty: no encryption
  EXPECT_TRUE(load_config("", {"srt.passphrase=" + std::string(79, 'p')}).ok());
  for (const char* bad : {"srt.passphrase=short", "srt.pbkeylen=20", "srt.pbkeylen=0", "srt.pbkeylen=\"16\"",
                          "srt.latency_ms=5", "srt.latency_ms=20000", "srt.max_connections=0"}) {
    auto e = load_config("", {bad});
    ASSERT_FALSE(e.ok()) << bad;
    std::string key(bad, std::string(bad).find('='));
    EXPECT_NE(e.error().message.find("'" + key + "'"), std::string::npos) << e.error().message;
  }
  auto too_long = load_config("", {"srt.passphrase=" + std::string(80, 'p')});
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("10-79"), std::string::npos);
  auto bad_keylen = load_config("", {"srt.pbkeylen=20"});
  ASSERT_FALSE(bad_keylen.ok());
  EXPECT_NE(bad_keylen.error().message.find("16, 24, 32"), std::string::npos);
}

TEST(Config, PerStreamSrtPassphrases) {
  auto c = load_config("", {"srt.passphrases.show=show-secret-1", "srt.passphrases.news=\"news secret 2\""});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->srt.passphrases.at("show"), "show-secret-1");
  EXPECT_EQ(c->srt.passphrases.at("news"), "news secret 2");
  auto short_one = load_config("", {"srt.passphrases.show=short"});
  ASSERT_FALSE(short_one.ok());
  EXPECT_NE(short_one.error().message.find("'show'"), std::string::npos) << short_one.error().message;
  EXPECT_FALSE(load_config("", {"srt.passphrases=\"not a table\""}).ok());
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
  EXPECT_EQ(shipped->srt.listen, defaults->srt.listen);
  EXPECT_EQ(shipped->srt.passphrase, defaults->srt.passphrase);
  EXPECT_EQ(shipped->srt.pbkeylen, defaults->srt.pbkeylen);
  EXPECT_EQ(shipped->srt.latency_ms, defaults->srt.latency_ms);
  EXPECT_EQ(shipped->srt.max_connections, defaults->srt.max_connections);
  EXPECT_DOUBLE_EQ(shipped->thumbnails.interval_s, defaults->thumbnails.interval_s);
  EXPECT_EQ(shipped->thumbnails.width, defaults->thumbnails.width);
  EXPECT_DOUBLE_EQ(shipped->restream.backoff_min_s, defaults->restream.backoff_min_s);
  EXPECT_DOUBLE_EQ(shipped->restream.backoff_max_s, defaults->restream.backoff_max_s);
  EXPECT_EQ(shipped->restream.max_per_stream, defaults->restream.max_per_stream);
  EXPECT_EQ(shipped->restream.max_destinations, defaults->restream.max_destinations);
  EXPECT_TRUE(shipped->restream.destinations.empty());
  EXPECT_EQ(shipped->transcode.enabled, defaults->transcode.enabled);
  EXPECT_EQ(shipped->transcode.ladder.passthrough, defaults->transcode.ladder.passthrough);
  ASSERT_EQ(shipped->transcode.ladder.rungs.size(), defaults->transcode.ladder.rungs.size());
  for (size_t i = 0; i < shipped->transcode.ladder.rungs.size(); ++i) {
    EXPECT_EQ(shipped->transcode.ladder.rungs[i].name, defaults->transcode.ladder.rungs[i].name);
    EXPECT_EQ(shipped->transcode.ladder.rungs[i].height, defaults->transcode.ladder.rungs[i].height);
    EXPECT_EQ(shipped->transcode.ladder.rungs[i].video_kbps, defaults->transcode.ladder.rungs[i].video_kbps);
    EXPECT_DOUBLE_EQ(shipped->transcode.ladder.rungs[i].max_fps, defaults->transcode.ladder.rungs[i].max_fps);
  }
  EXPECT_DOUBLE_EQ(shipped->transcode.keyframe_interval_s, defaults->transcode.keyframe_interval_s);
  EXPECT_EQ(shipped->transcode.x264_preset, defaults->transcode.x264_preset);
  EXPECT_TRUE(shipped->transcode.streams.empty());
}

TEST(Config, ThumbnailKeys) {
  auto defaults = load_config("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_DOUBLE_EQ(defaults->thumbnails.interval_s, 5);
  EXPECT_EQ(defaults->thumbnails.width, 320u);
  auto c = load_config("", {"thumbnails.interval_s=1", "thumbnails.width=640"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_DOUBLE_EQ(c->thumbnails.interval_s, 1);
  EXPECT_EQ(c->thumbnails.width, 640u);
  EXPECT_TRUE(load_config("", {"thumbnails.interval_s=0"}).ok());  // off
  auto bad = load_config("", {"thumbnails.width=0"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("thumbnails.width"), std::string::npos);
  EXPECT_FALSE(load_config("", {"thumbnails.interval_s=-1"}).ok());
}

TEST(Config, RestreamKeys) {
  auto c = load_config("", {R"(restream.destinations.demo=["rtmp://127.0.0.1:1936/live/demo", "rtmp://h/app/k"])",
                            "restream.destinations.other=[]", "restream.backoff_min_s=0.5",
                            "restream.backoff_max_s=10", "restream.max_per_stream=2"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->restream.destinations.at("demo"),
            (std::vector<std::string>{"rtmp://127.0.0.1:1936/live/demo", "rtmp://h/app/k"}));
  EXPECT_TRUE(c->restream.destinations.at("other").empty());
  EXPECT_DOUBLE_EQ(c->restream.backoff_min_s, 0.5);
  EXPECT_DOUBLE_EQ(c->restream.backoff_max_s, 10);
  EXPECT_EQ(c->restream.max_per_stream, 2u);
  auto bad = load_config("", {"restream.destinations.demo=[1]"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("restream.destinations"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("'demo'"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(load_config("", {"restream.destinations=3"}).ok());
  EXPECT_FALSE(load_config("", {"restream.max_per_stream=0"}).ok());
  EXPECT_FALSE(load_config("", {"restream.max_destinations=0"}).ok());
}

TEST(Config, TranscodeKeys) {
  auto defaults = load_config("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->transcode.enabled);  // pass-through-only servers never decode
  EXPECT_TRUE(defaults->transcode.ladder.passthrough);
  ASSERT_EQ(defaults->transcode.ladder.rungs.size(), 3u);
  EXPECT_EQ(defaults->transcode.ladder.rungs[0].name, "720p");
  EXPECT_EQ(defaults->transcode.x264_preset, "veryfast");
  EXPECT_DOUBLE_EQ(defaults->transcode.keyframe_interval_s, 0);

  auto c = load_config("", {"transcode.enabled=true", "transcode.passthrough=false",
                            "transcode.ladder=[{name=\"540p\", height=540, video_kbps=1800, max_fps=60}, "
                            "{name=\"270p\", height=270, video_kbps=400}]",
                            "transcode.keyframe_interval_s=2", "transcode.x264_preset=faster",
                            "transcode.streams.show={enabled=false}",
                            "transcode.streams.talk={ladder=[{name=\"low\", height=240, video_kbps=300}]}"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->transcode.enabled);
  EXPECT_FALSE(c->transcode.ladder.passthrough);
  ASSERT_EQ(c->transcode.ladder.rungs.size(), 2u);
  EXPECT_EQ(c->transcode.ladder.rungs[0].height, 540u);
  EXPECT_DOUBLE_EQ(c->transcode.ladder.rungs[0].max_fps, 60);
  EXPECT_DOUBLE_EQ(c->transcode.ladder.rungs[1].max_fps, 30);  // default cap
  EXPECT_DOUBLE_EQ(c->transcode.keyframe_interval_s, 2);
  EXPECT_EQ(c->transcode.x264_preset, "faster");
  EXPECT_EQ(c->transcode.streams.at("show").enabled, false);
  EXPECT_FALSE(c->transcode.streams.at("show").rungs.has_value());
  ASSERT_TRUE(c->transcode.streams.at("talk").rungs.has_value());
  EXPECT_EQ(c->transcode.streams.at("talk").rungs->at(0).name, "low");

  for (std::string bad : {"transcode.enabled=1", "transcode.x264_preset=warp",
                                 "transcode.ladder=[{name=\"x\"}]",
                                 "transcode.streams.a={speed=1}"}) {
    EXPECT_FALSE(load_config("", {bad}).ok()) << "accepted: " << bad;
  }
  // The whole ladder is validated, with the key named.
  auto duplicate = load_config("", {"transcode.ladder=[{name=\"a\", height=240, video_kbps=300}, "
                                    "{name=\"a\", height=360, video_kbps=600}]"});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("transcode.ladder"), std::string::npos);
  EXPECT_NE(duplicate.error().message.find("used twice"), std::string::npos);
  auto empty = load_config("", {"transcode.streams.x={passthrough=false, ladder=[]}"});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("transcode.streams.x"), std::string::npos);
}

}  // namespace vela::server
