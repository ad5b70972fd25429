#include "egress/rtmp_url.hpp"

#include <gtest/gtest.h>

namespace vela::egress {
namespace {

TEST(RtmpUrl, CommonForms) {
  auto url = parse_rtmp_url("rtmp://127.0.0.1:1936/live/demo");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 1936);
  EXPECT_EQ(url->app, "live");
  EXPECT_EQ(url->key, "demo");
  EXPECT_EQ(url->tc_url, "rtmp://127.0.0.1:1936/live");

  url = parse_rtmp_url("RTMP://a.rtmp.youtube.com/live2/abcd-efgh?backup=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "a.rtmp.youtube.com");
  EXPECT_EQ(url->port, 1935);
  EXPECT_EQ(url->key, "abcd-efgh?backup=1");

  url = parse_rtmp_url("rtmp://[::1]:1937/app/inst/key");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 1937);
  EXPECT_EQ(url->app, "app");
  EXPECT_EQ(url->key, "inst/key");
  EXPECT_EQ(url->tc_url, "rtmp://[::1]:1937/app");
}

TEST(RtmpUrl, RejectsWhatCannotBePushed) {
  for (const char* bad :
       {"", "http://h/live/k", "rtmp://", "rtmp://h", "rtmp://h/live", "rtmp://h/live/",
        "rtmp://h//k", "rtmp://:1935/live/k", "rtmp://h:0/live/k", "rtmp://h:99999/live/k",
        "rtmp://h:x/live/k", "rtmp://h:/live/k", "rtmp://[::1/live/k", "rtmp://[::1]x/live/k",
        "rtmp://u:p@h/live/k", "rtmp://h/live/k k", "rtmp://h/live/?q", "rtmp://h/li?ve/k"}) {
    auto url = parse_rtmp_url(bad);
    EXPECT_FALSE(url.ok()) << bad;
    if (!url.ok()) {
      EXPECT_NE(url.error().message.find("RTMP URL"), std::string::npos) << bad;
    }
  }
  auto tls = parse_rtmp_url("rtmps://live-api-s.facebook.com:443/rtmp/key");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message.find("rtmps:// (RTMP over TLS) is not supported"),
            std::string::npos);
}

TEST(RtmpUrl, RedactionHidesTheKey) {
  EXPECT_EQ(redact_rtmp_url("rtmp://h:1936/live/s3cret"), "rtmp://h:1936/live/****");
  EXPECT_EQ(redact_rtmp_url("rtmp://h/app/inst/s3cret?x=1"), "rtmp://h/app/****");
  EXPECT_EQ(redact_rtmp_url("rtmp://h/s3cret"), "rtmp://h/****");
  EXPECT_EQ(redact_rtmp_url("s3cret"), "****");
}

}  // namespace
}  // namespace vela::egress
