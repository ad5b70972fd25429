#include "server/restream_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <optional>

#include "egress/rtmp_push_session.hpp"
#include "egress/srt_push_session.hpp"

namespace vela::server {
namespace {

namespace json = boost::json;
using http::beast_http::verb;

class RestreamRoutesTest : public ::testing::Test {
 protected:
  RestreamRoutesTest()
      : shards_(1),
        manager_(shards_, {}, {{"rtmp", egress::rtmp_push_target()}, {"srt", egress::srt_push_target()}}) {
    add_restream_routes(router_, manager_);
  }

  // Runs the route for method + path; the response status and body.
  std::pair<http::Status, std::string> call(verb method, std::string path, std::string body = {}) {
    bool known = false;
    const http::Handler* handler = router_.find(method, path, known);
    if (!handler) return {known ? http::Status::method_not_allowed : http::Status::not_found, ""};
    http::Request req{method, path, 11};
    req.body() = std::move(body);
    http::RequestContext ctx;
    ctx.path = path;
    boost::asio::io_context io;
    std::optional<http::Response> res;
    boost::asio::co_spawn(io, (*handler)(req, ctx),
                          [&](std::exception_ptr, http::Response r) { res = std::move(r); });
    io.run();
    std::string text;
    for (const auto& buffer : res->body()) text += buffer.text();
    return {res->result(), text};
  }

  runtime::ShardSet shards_;
  egress::RestreamManager manager_;
  http::Router router_;
};

TEST_F(RestreamRoutesTest, AddListRemove) {
  auto [empty_status, empty] = call(verb::get, "/api/v1/streams/demo/restreams");
  EXPECT_EQ(empty_status, http::Status::ok);
  EXPECT_EQ(json::parse(empty), json::parse(R"({"restreams":[]})"));

  auto [status, body] =
      call(verb::post, "/api/v1/streams/demo/restreams", R"({"url":"rtmp://h:1936/live/s3cret"})");
  ASSERT_EQ(status, http::Status::created) << body;
  auto entry = json::parse(body).as_object();
  EXPECT_EQ(entry["url"], "rtmp://h:1936/live/****");
  EXPECT_EQ(entry["state"], "stopped");
  EXPECT_EQ(entry["configured"], false);
  EXPECT_TRUE(entry["last_error"].is_null());
  int64_t id = entry["id"].to_number<int64_t>();

  auto [list_status, list] = call(verb::get, "/api/v1/streams/demo/restreams");
  EXPECT_EQ(list_status, http::Status::ok);
  EXPECT_EQ(json::parse(list).at("restreams").as_array().size(), 1u);
  EXPECT_EQ(list.find("s3cret"), std::string::npos) << list;

  std::string item = "/api/v1/streams/demo/restreams/" + std::to_string(id);
  EXPECT_EQ(call(verb::delete_, item).first, http::Status::no_content);
  EXPECT_EQ(call(verb::delete_, item).first, http::Status::not_found);
}

TEST_F(RestreamRoutesTest, BadRequestsSayWhy) {
  for (const char* body :
       {"", "not json", "[]", R"({"url": 5})", R"({"link": "rtmp://h/live/k"})"}) {
    auto [status, text] = call(verb::post, "/api/v1/streams/demo/restreams", body);
    EXPECT_EQ(status, http::Status::bad_request) << body;
    EXPECT_NE(text.find("expected a JSON body"), std::string::npos) << text;
  }
  auto [status, text] =
      call(verb::post, "/api/v1/streams/demo/restreams", R"({"url": "srt://h:9000?mode=listener"})");
  EXPECT_EQ(status, http::Status::bad_request);
  EXPECT_NE(std::string(json::parse(text).at("error").as_string()).find("mode"), std::string::npos) << text;
  for (const char* path : {"/api/v1/streams/demo/restreams/x", "/api/v1/streams/demo/restreams/1/2",
                           "/api/v1/streams//restreams/1", "/api/v1/streams/demo/other/1",
                           "/api/v1/streams/a/b/restreams/1", "/api/v1/streams/demo/restreams/"}) {
    EXPECT_EQ(call(verb::delete_, path).first, http::Status::not_found) << path;
  }
}

}  // namespace
}  // namespace vela::server
