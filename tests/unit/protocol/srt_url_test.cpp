#include "protocol/srt/srt_url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vela::protocol::srt {
namespace {

SrtUrl ok(std::string_view text) {
  auto url = parse_srt_url(text);
  EXPECT_TRUE(url.ok()) << text << ": " << (url ? "" : url.error().message);
  return url ? *url : SrtUrl{};
}

std::string error_of(std::string_view text) {
  auto url = parse_srt_url(text);
  EXPECT_FALSE(url.ok()) << text << " parsed";
  return url ? "" : url.error().message;
}

TEST(SrtUrl, HostPortAndEveryOption) {
  SrtUrl url =
      ok("srt://ingest.example.com:9000?streamid=#!::r=live/show,m=publish&"
         "passphrase=0123456789abc&pbkeylen=32&latency=250&mode=caller&transtype=live");
  EXPECT_EQ(url.host, "ingest.example.com");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(url.stream_id, "#!::r=live/show,m=publish");
  EXPECT_EQ(url.passphrase, "0123456789abc");
  EXPECT_EQ(url.pbkeylen, 32);
  EXPECT_EQ(url.latency_ms, 250);
}

TEST(SrtUrl, MinimalFormsAndLiterals) {
  SrtUrl plain = ok("srt://127.0.0.1:9100");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 9100);
  EXPECT_EQ(plain.stream_id, "");
  EXPECT_EQ(plain.passphrase, "");
  EXPECT_FALSE(plain.latency_ms.has_value());
  EXPECT_FALSE(plain.pbkeylen.has_value());
  EXPECT_EQ(ok("srt://h:1/").port, 1);
  SrtUrl v6 = ok("srt://[::1]:9000?streamid=x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.stream_id, "x");
}

TEST(SrtUrl, PercentDecodedValues) {
  EXPECT_EQ(ok("srt://h:9?streamid=%23%21%3A%3Ar%3Dlive%2Fx%2Cm%3Dpublish").stream_id,
            "#!::r=live/x,m=publish");
  EXPECT_NE(error_of("srt://h:9?streamid=%2").find("percent-encoding"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?streamid=%zz").find("percent-encoding"), std::string::npos);
}

TEST(SrtUrl, Refusals) {
  EXPECT_NE(error_of("rtmp://h:9").find("srt://"), std::string::npos);
  EXPECT_NE(error_of("srt://host").find("port is required"), std::string::npos);
  EXPECT_NE(error_of("srt://host:0").find("bad port"), std::string::npos);
  EXPECT_NE(error_of("srt://host:65536").find("bad port"), std::string::npos);
  EXPECT_NE(error_of("srt://host:12x").find("bad port"), std::string::npos);
  EXPECT_NE(error_of("srt://:9000").find("empty host"), std::string::npos);
  EXPECT_NE(error_of("srt://::1:9000").find("brackets"), std::string::npos);
  EXPECT_NE(error_of("srt://[::1:9000").find("unclosed"), std::string::npos);
  EXPECT_NE(error_of("srt://u@h:9").find("user info"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9/live/x").find("path"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?mode=listener").find("mode=caller"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?transtype=file").find("transtype=live"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?passphrase=short").find("10-79"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?pbkeylen=20").find("16, 24 or 32"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?latency=-1").find("latency"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?latency=60001").find("latency"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?latncy=100").find("unsupported option 'latncy'"),
            std::string::npos);
  EXPECT_NE(error_of("srt://h:9?latency=1&latency=2").find("twice"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?streamid").find("key=value"), std::string::npos);
  EXPECT_NE(error_of("srt://h:9?streamid=" + std::string(513, 'k')).find("longer than 512"),
            std::string::npos);
  EXPECT_EQ(error_of("nope").rfind("SRT URL: ", 0), 0u);
}

TEST(SrtUrl, RedactsThePassphraseAndStreamId) {
  EXPECT_EQ(redact_srt_url("srt://h:9?streamid=publish:live/secret-key&passphrase=0123456789abc&latency=5"),
            "srt://h:9?streamid=****&passphrase=****&latency=5");
  EXPECT_EQ(redact_srt_url("srt://h:9?passphrase=0123456789abc"), "srt://h:9?passphrase=****");
  EXPECT_EQ(redact_srt_url("srt://h:9"), "srt://h:9");
}

}  // namespace
}  // namespace vela::protocol::srt
