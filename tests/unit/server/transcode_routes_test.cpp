#include "server/transcode_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <optional>

namespace vela::server {
namespace {

namespace json = boost::json;
using http::beast_http::verb;

class TranscodeRoutesTest : public ::testing::Test {
 protected:
  TranscodeRoutesTest() : settings_({true, transcode::default_ladder()}, {}) {
    add_transcode_routes(router_, settings_, status_);
  }

  std::pair<http::Status, json::value> call(verb method, std::string path, std::string body = {}) {
    bool known = false;
    const http::Handler* handler = router_.find(method, path, known);
    if (!handler) return {known ? http::Status::method_not_allowed : http::Status::not_found, nullptr};
    http::Request req{method, path, 11};
    req.body() = std::move(body);
    http::RequestContext ctx;
    ctx.path = path;
    boost::asio::io_context io;
    std::optional<http::Response> res;
    boost::asio::co_spawn(io, (*handler)(req, ctx), [&](std::exception_ptr, http::Response r) { res = std::move(r); });
    io.run();
    std::string text;
    for (const auto& buffer : res->body()) text += buffer.text();
    return {res->result(), json::parse(text)};
  }

  transcode::LadderSettings settings_;
  transcode::TranscodeStatus status_;
  http::Router router_;
};

TEST_F(TranscodeRoutesTest, GetShowsTheEffectiveLadderAndLiveRenditions) {
  auto [status, body] = call(verb::get, "/api/v1/streams/cam/ladder");
  ASSERT_EQ(status, http::Status::ok);
  EXPECT_EQ(body.at("enabled"), true);
  EXPECT_EQ(body.at("passthrough"), true);
  EXPECT_EQ(body.at("overridden"), false);
  ASSERT_EQ(body.at("rungs").as_array().size(), 3u);
  EXPECT_EQ(body.at("rungs").at(0).at("name"), "720p");
  EXPECT_TRUE(body.at("renditions").is_null());  // not live

  auto planned = transcode::plan_ladder({1920, 1080, 30}, transcode::default_ladder());
  std::vector<transcode::RenditionStatus> live;
  for (const auto& p : planned) live.push_back({p, true});
  live[1].running = false;
  status_.set("cam", live);
  auto [live_status, live_body] = call(verb::get, "/api/v1/streams/cam/ladder");
  ASSERT_EQ(live_status, http::Status::ok);
  const auto& renditions = live_body.at("renditions").as_array();
  ASSERT_EQ(renditions.size(), 4u);
  EXPECT_EQ(renditions[0].at("name"), "source");
  EXPECT_EQ(renditions[0].at("passthrough"), true);
  EXPECT_EQ(renditions[1].at("name"), "720p");
  EXPECT_EQ(renditions[1].at("width"), 1280);
  EXPECT_EQ(renditions[1].at("state"), "shed");
  EXPECT_EQ(renditions[2].at("state"), "running");
}

TEST_F(TranscodeRoutesTest, PutReplacesTheStreamsLadderFromItsNextPublish) {
  auto [status, body] = call(verb::put, "/api/v1/streams/cam/ladder",
                             R"({"passthrough": false, "rungs": [{"name": "540p", "height": 540, "video_kbps": 1800, "max_fps": 60}]})");
  ASSERT_EQ(status, http::Status::ok) << json::serialize(body);
  EXPECT_EQ(body.at("applies"), "next_publish");
  EXPECT_EQ(body.at("enabled"), true);  // left out: kept
  EXPECT_EQ(body.at("passthrough"), false);
  EXPECT_EQ(body.at("overridden"), true);
  auto effective = settings_.effective("cam");
  ASSERT_EQ(effective.ladder.rungs.size(), 1u);
  EXPECT_EQ(effective.ladder.rungs[0].height, 540u);
  EXPECT_DOUBLE_EQ(effective.ladder.rungs[0].max_fps, 60);
  EXPECT_EQ(settings_.effective("other").ladder.rungs.size(), 3u);  // others keep the global one
}

TEST_F(TranscodeRoutesTest, BadBodiesAre400WithTheReason) {
  std::vector<std::pair<std::string, std::string>> cases{
      {"not json", "expected a JSON object"},
      {R"({"enabled": 1})", "enabled must be true or false"},
      {R"({"rungs": {}})", "rungs must be an array"},
      {R"({"rungs": [{"name": "a"}]})", "each rung needs"},
      {R"({"speed": 2})", "unknown field 'speed'"},
      {R"({"rungs": [{"name": "Big!", "height": 240, "video_kbps": 300}]})", "[a-z0-9_-]"},
      {R"({"passthrough": false, "rungs": []})", "at least one rung"},
      {R"({"rungs": []})", "at least one rung"},
      {R"({"rungs": [{"name": "a", "height": 240, "video_kbps": 300, "bitrate": 1}]})", "unknown rung field 'bitrate'"},
      {R"({"rungs": [{"name": "odd", "height": 241, "video_kbps": 300}]})", "height must be even"},
  };
  for (const auto& [body, reason] : cases) {
    auto [status, answer] = call(verb::put, "/api/v1/streams/cam/ladder", body);
    EXPECT_EQ(status, http::Status::bad_request) << body;
    EXPECT_NE(std::string(answer.at("error").as_string()).find(reason), std::string::npos) << json::serialize(answer);
  }
  EXPECT_FALSE(settings_.overridden("cam"));  // nothing changed
}

TEST_F(TranscodeRoutesTest, DeleteRemovesTheStreamsOwnLadder) {
  auto [none, none_body] = call(verb::delete_, "/api/v1/streams/cam/ladder");
  EXPECT_EQ(none, http::Status::not_found);
  EXPECT_NE(std::string(none_body.at("error").as_string()).find("no ladder of its own"), std::string::npos);

  ASSERT_EQ(call(verb::put, "/api/v1/streams/cam/ladder", R"({"enabled": false})").first, http::Status::ok);
  EXPECT_TRUE(settings_.overridden("cam"));
  auto [status, body] = call(verb::delete_, "/api/v1/streams/cam/ladder");
  ASSERT_EQ(status, http::Status::ok) << json::serialize(body);
  EXPECT_EQ(body.at("overridden"), false);
  EXPECT_EQ(body.at("enabled"), true);  // the global ladder again
  EXPECT_EQ(body.at("applies"), "next_publish");
  EXPECT_FALSE(settings_.overridden("cam"));
}

TEST_F(TranscodeRoutesTest, FrameRatesArePlainNumbers) {
  ASSERT_EQ(call(verb::put, "/api/v1/streams/cam/ladder",
                 R"({"rungs": [{"name": "a", "height": 240, "video_kbps": 300, "max_fps": 29.97}, {"name": "b", "height": 160, "video_kbps": 200}]})")
                .first,
            http::Status::ok);
  bool known = false;
  http::Request req{verb::get, "/api/v1/streams/cam/ladder", 11};
  http::RequestContext ctx;
  ctx.path = "/api/v1/streams/cam/ladder";
  boost::asio::io_context io;
  std::string text;
  boost::asio::co_spawn(io, (*router_.find(verb::get, ctx.path, known))(req, ctx), [&](std::exception_ptr, http::Response r) {
    for (const auto& buffer : r.body()) text += buffer.text();
  });
  io.run();
  EXPECT_NE(text.find(R"("max_fps":29.97)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("max_fps":30)"), std::string::npos) << text;
  EXPECT_EQ(text.find("E1"), std::string::npos) << text;
}

}  // namespace
}  // namespace vela::server
