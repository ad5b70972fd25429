#include <gtest/gtest.h>

#include <string>

#include "protocol/srt/stream_id.hpp"

namespace vela::protocol::srt {
namespace {

StreamId ok(std::string_view text) {
  auto id = parse_stream_id(text);
  EXPECT_TRUE(id.ok()) << text << ": " << (id ? "" : id.error().message);
  return id ? *id : StreamId{};
}

std::string error_of(std::string_view text) {
  auto id = parse_stream_id(text);
  EXPECT_FALSE(id.ok()) << text << " parsed";
  return id ? "" : id.error().message;
}

TEST(SrtStreamId, ShortPublishForm) {
  StreamId id = ok("publish:live/demo");
  EXPECT_EQ(id.mode, StreamMode::publish);
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
  EXPECT_EQ(id.user, "");
}

TEST(SrtStreamId, ShortRequestForm) {
  EXPECT_EQ(ok("request:live/demo").mode, StreamMode::request);
  StreamId play = ok("play:live/demo");
  EXPECT_EQ(play.mode, StreamMode::request);
  EXPECT_EQ(play.app, "live");
  EXPECT_EQ(play.key, "demo");
  EXPECT_EQ(ok("play:demo").key, "demo");
}

TEST(SrtStreamId, AccessControlRequestForms) {
  StreamId id = ok("#!::r=live/demo,m=request");
  EXPECT_EQ(id.mode, StreamMode::request);
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
  EXPECT_EQ(ok("#!::m=play,r=live/demo").mode, StreamMode::request);
  EXPECT_EQ(ok("#!::r=live/demo,m=request,u=viewer").user, "viewer");
}

TEST(SrtStreamId, ShortFormWithoutAppUsesLive) {
  StreamId id = ok("publish:demo");
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
}

TEST(SrtStreamId, AccessControlForm) {
  StreamId id = ok("#!::r=live/demo,m=publish");
  EXPECT_EQ(id.mode, StreamMode::publish);
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
}

TEST(SrtStreamId, AccessControlAnyOrderWithUserSessionAndUnknownKeys) {
  StreamId id = ok("#!::u=alice,m=publish,h=example.com,s=abc123,t=stream,r=live/show");
  EXPECT_EQ(id.mode, StreamMode::publish);
  EXPECT_EQ(id.key, "show");
  EXPECT_EQ(id.user, "alice");
  EXPECT_EQ(id.session, "abc123");
}

TEST(SrtStreamId, AccessControlModeDefaultsToRequest) {
  EXPECT_EQ(ok("#!::r=live/demo").mode, StreamMode::request);
  EXPECT_EQ(ok("#!::r=live/demo,m=request").mode, StreamMode::request);
}

TEST(SrtStreamId, AccessControlBareResource) {
  StreamId id = ok("#!::r=demo,m=publish");
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
}

TEST(SrtStreamId, PlainKeyPublishes) {
  StreamId id = ok("demo");
  EXPECT_EQ(id.mode, StreamMode::publish);
  EXPECT_EQ(id.app, "live");
  EXPECT_EQ(id.key, "demo");
  StreamId with_app = ok("live/demo");
  EXPECT_EQ(with_app.app, "live");
  EXPECT_EQ(with_app.key, "demo");
}

TEST(SrtStreamId, OtherAppIsParsedForTheAuthorizerToRefuse) {
  StreamId id = ok("publish:other/demo");
  EXPECT_EQ(id.app, "other");
}

TEST(SrtStreamId, EmptyAndOverlong) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  std::string longest = "publish:live/" + std::string(kMaxStreamIdLength - 13, 'k');
  EXPECT_EQ(ok(longest).key.size(), kMaxStreamIdLength - 13);
  EXPECT_NE(error_of(longest + "k").find("longer than 512"), std::string::npos);
}

TEST(SrtStreamId, MalformedShortForms) {
  EXPECT_NE(error_of("publish:").find("empty resource"), std::string::npos);
  EXPECT_NE(error_of("publish:live/").find("empty stream key"), std::string::npos);
  EXPECT_NE(error_of("publish:/demo").find("empty application"), std::string::npos);
  EXPECT_NE(error_of("publish:live/a/b").find("'/'"), std::string::npos);
  EXPECT_NE(error_of("record:live/demo").find("unknown mode 'record'"), std::string::npos);
  EXPECT_NE(error_of(":live/demo").find("unknown mode"), std::string::npos);
  EXPECT_NE(error_of("publish:live/demo:x").find("more than one ':'"), std::string::npos);
  EXPECT_NE(error_of("live/").find("empty stream key"), std::string::npos);
  EXPECT_NE(error_of("/").find("empty application"), std::string::npos);
}

TEST(SrtStreamId, MalformedAccessControl) {
  EXPECT_NE(error_of("#!::").find("no key=value"), std::string::npos);
  EXPECT_NE(error_of("#!::m=publish").find("missing resource"), std::string::npos);
  EXPECT_NE(error_of("#!::r=live/demo,m=bidirectional").find("unsupported mode m=bidirectional"),
            std::string::npos);
  EXPECT_NE(error_of("#!::r=live/demo,,m=publish").find("empty key=value"), std::string::npos);
  EXPECT_NE(error_of("#!::r=live/demo,m=publish,").find("trailing ','"), std::string::npos);
  EXPECT_NE(error_of("#!::r=live/demo,publish").find("not key=value"), std::string::npos);
  EXPECT_NE(error_of("#!::=x,r=live/demo").find("empty key"), std::string::npos);
  EXPECT_NE(error_of("#!::r=live/a,r=live/b").find("given twice"), std::string::npos);
  EXPECT_NE(error_of("#!::r=,m=publish").find("empty resource"), std::string::npos);
  EXPECT_NE(error_of("#!:{r=live/demo}").find("unsupported '#!'"), std::string::npos);
}

TEST(SrtStreamId, ControlCharactersRejected) {
  EXPECT_NE(error_of(std::string("publish:live/de\0mo", 18)).find("control"), std::string::npos);
  EXPECT_NE(error_of("publish:live/demo\n").find("control"), std::string::npos);
}

TEST(SrtStreamId, ErrorsArePrefixed) {
  EXPECT_EQ(error_of("record:live/x").rfind("stream id: ", 0), 0u);
}

}  // namespace
}  // namespace vela::protocol::srt
