#include "http/router.hpp"

#include <gtest/gtest.h>

#include "runtime/listener.hpp"

namespace vela::http {
namespace {

boost::asio::awaitable<Response> ok(const Request&, RequestContext&) { co_return text_response(Status::ok, "ok"); }

TEST(Router, ExactBeatsPrefixAndLongerPrefixWins) {
  Router r;
  Handler a = ok, b = ok, c = ok;
  r.add_prefix(beast_http::verb::get, "/live/", a);
  r.add_prefix(beast_http::verb::get, "/live/special/", b);
  r.add(beast_http::verb::get, "/live/exact", c);
  bool known = false;
  const Handler* h = r.find(beast_http::verb::get, "/live/x/index.m3u8", known);
  ASSERT_NE(h, nullptr);
  const Handler* special = r.find(beast_http::verb::get, "/live/special/y", known);
  const Handler* exact = r.find(beast_http::verb::get, "/live/exact", known);
  EXPECT_NE(h, special);
  EXPECT_NE(special, exact);
  EXPECT_NE(h, exact);
}

TEST(Router, PatternBeatsPrefixAndMatchesOneSegment) {
  Router r;
  Handler live = ok, thumbnail = ok;
  r.add_prefix(beast_http::verb::get, "/live/", live);
  r.add_pattern(beast_http::verb::get, "/live/{}/thumbnail.jpg", thumbnail);
  bool known = false;
  const Handler* hls = r.find(beast_http::verb::get, "/live/cam/index.m3u8", known);
  const Handler* thumb = r.find(beast_http::verb::get, "/live/cam/thumbnail.jpg", known);
  ASSERT_NE(hls, nullptr);
  ASSERT_NE(thumb, nullptr);
  EXPECT_NE(hls, thumb);
  EXPECT_EQ(r.find(beast_http::verb::get, "/live/a/b/thumbnail.jpg", known), hls);  // two segments
  EXPECT_EQ(r.find(beast_http::verb::get, "/live//thumbnail.jpg", known), hls);     // empty segment
  EXPECT_EQ(match_pattern("/live/{}/thumbnail.jpg", "/live/cam/thumbnail.jpg"), "cam");
  EXPECT_EQ(match_pattern("/live/{}/thumbnail.jpg", "/live/thumbnail.jpg"), std::nullopt);
  EXPECT_EQ(match_pattern("/live/{}/thumbnail.jpg", "/live/cam/thumbnail.png"), std::nullopt);
  EXPECT_EQ(match_pattern("/live/cam", "/live/cam"), std::nullopt);  // no "{}"
}

TEST(Router, TellsMethodNotAllowedFromNotFound) {
  Router r;
  r.add(beast_http::verb::get, "/healthz", ok);
  bool known = false;
  EXPECT_EQ(r.find(beast_http::verb::post, "/healthz", known), nullptr);
  EXPECT_TRUE(known);
  EXPECT_EQ(r.find(beast_http::verb::get, "/nope", known), nullptr);
  EXPECT_FALSE(known);
}

TEST(Router, ListsTheMethodsServedForAPath) {
  Router r;
  r.add(beast_http::verb::get, "/healthz", ok);
  r.add_pattern(beast_http::verb::get, "/api/v1/streams/{}/restreams", ok);
  r.add_pattern(beast_http::verb::post, "/api/v1/streams/{}/restreams", ok);
  r.add_prefix(beast_http::verb::delete_, "/api/v1/streams/", ok);
  EXPECT_EQ(r.allowed_methods("/healthz"), "GET, HEAD");
  // The pattern is the resource here: the prefix's DELETE does not apply to it.
  EXPECT_EQ(r.allowed_methods("/api/v1/streams/a/restreams"), "GET, HEAD, POST");
  bool known = false;
  EXPECT_EQ(r.find(beast_http::verb::delete_, "/api/v1/streams/a/restreams", known), nullptr);
  EXPECT_TRUE(known);
  EXPECT_EQ(r.allowed_methods("/api/v1/streams/a/restreams/7"), "DELETE");
  EXPECT_NE(r.find(beast_http::verb::delete_, "/api/v1/streams/a/restreams/7", known), nullptr);
  EXPECT_EQ(r.allowed_methods("/nope"), "");
}

TEST(ParseEndpoint, AcceptsHostPortFormsAndRejectsJunk) {
  auto v4 = runtime::parse_endpoint("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->port(), 8080);
  auto v6 = runtime::parse_endpoint("[::1]:1935");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->address().is_v6());
  auto any = runtime::parse_endpoint(":9000");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->address().is_unspecified());
  EXPECT_FALSE(runtime::parse_endpoint("nonsense").ok());
  EXPECT_FALSE(runtime::parse_endpoint("127.0.0.1:99999").ok());
  EXPECT_FALSE(runtime::parse_endpoint("host.example:80").ok());
  EXPECT_FALSE(runtime::parse_endpoint("127.0.0.1:80x").ok());
}

}  // namespace
}  // namespace vela::http

namespace vela::runtime {

TEST(Listener, RefusesAPortAnotherSocketHolds) {
  boost::asio::io_context io;
  auto endpoint = *parse_endpoint("127.0.0.1:0");
  auto first = open_reuseport_acceptor(io, endpoint);
  ASSERT_TRUE(first.ok());
  auto taken = first->local_endpoint();
  EXPECT_FALSE(ensure_port_free(io, taken).ok());  // a second server must not start beside it
  first->close();
  EXPECT_TRUE(ensure_port_free(io, taken).ok());
}

}  // namespace vela::runtime
