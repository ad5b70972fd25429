#include "ingest/srt_admission.hpp"

#include <gtest/gtest.h>
#include <srt/access_control.h>

#include "runtime/shard.hpp"

namespace vela::ingest {
namespace {

class SrtAdmissionTest : public ::testing::Test {
 protected:
  runtime::ShardSet shards_{1};
  router::StreamRegistry registry_{shards_, {}};
  auth::PublishAuthorizer open_{auth::PublishMode::open, {}};
  auth::PublishAuthorizer keys_{auth::PublishMode::keys, {{"s3cret", "show"}}};
};

TEST_F(SrtAdmissionTest, AdmitsEveryPublishForm) {
  for (const char* id : {"publish:live/demo", "#!::r=live/demo,m=publish", "demo"}) {
    SrtAdmission a = admit_srt_caller(id, open_, registry_);
    EXPECT_TRUE(a.admitted()) << id << ": " << a.reason;
    EXPECT_EQ(a.stream_name, "demo") << id;
  }
}

TEST_F(SrtAdmissionTest, RefusesMalformedIdsAsBadRequest) {
  SrtAdmission a = admit_srt_caller("#!::m=publish", open_, registry_);
  EXPECT_EQ(a.reject_code, SRT_REJX_BAD_REQUEST);
  EXPECT_EQ(a.kind, "bad_stream_id");
  EXPECT_NE(a.reason.find("missing resource"), std::string::npos);
  EXPECT_EQ(admit_srt_caller("", open_, registry_).reject_code, SRT_REJX_BAD_REQUEST);
}

TEST_F(SrtAdmissionTest, AdmitsPlaybackOfALiveStreamInEveryForm) {
  auto stream = registry_.claim("demo", 0);
  ASSERT_TRUE(stream.ok());
  for (const char* id : {"#!::r=live/demo,m=request", "#!::r=live/demo", "request:live/demo",
                         "play:live/demo", "play:demo"}) {
    SrtAdmission a = admit_srt_caller(id, open_, registry_);
    EXPECT_TRUE(a.admitted()) << id << ": " << a.reason;
    EXPECT_EQ(a.role, SrtRole::play) << id;
    EXPECT_EQ(a.stream_name, "demo") << id;
  }
  // Publishing is still refused for a live name; a publisher's admission says so.
  EXPECT_EQ(admit_srt_caller("publish:live/demo", open_, registry_).role, SrtRole::publish);
}

TEST_F(SrtAdmissionTest, PlaybackNeedsNoKeyInKeysMode) {
  auto stream = registry_.claim("show", 0);
  ASSERT_TRUE(stream.ok());
  SrtAdmission a = admit_srt_caller("request:live/show", keys_, registry_);
  EXPECT_TRUE(a.admitted()) << a.reason;
  EXPECT_EQ(a.stream_name, "show");
  // The publish key is not a stream name.
  EXPECT_EQ(admit_srt_caller("request:live/s3cret", keys_, registry_).reject_code,
            SRT_REJX_NOTFOUND);
}

TEST_F(SrtAdmissionTest, RefusesPlaybackOfWhatIsNotLive) {
  SrtAdmission a = admit_srt_caller("#!::r=live/nosuch,m=request", open_, registry_);
  EXPECT_EQ(a.reject_code, SRT_REJX_NOTFOUND);
  EXPECT_EQ(a.kind, "not_found");
  EXPECT_NE(a.reason.find("'nosuch' is not live"), std::string::npos);
  SrtAdmission other_app = admit_srt_caller("request:vod/demo", open_, registry_);
  EXPECT_EQ(other_app.reject_code, SRT_REJX_NOTFOUND);
  EXPECT_NE(other_app.reason.find("unknown application 'vod'"), std::string::npos);
  SrtAdmission bad_name = admit_srt_caller("request:live/.hidden", open_, registry_);
  EXPECT_EQ(bad_name.reject_code, SRT_REJX_BAD_REQUEST);
  EXPECT_EQ(bad_name.kind, "bad_stream_id");
}

TEST_F(SrtAdmissionTest, RefusesWhatTheAuthorizerRefuses) {
  EXPECT_EQ(admit_srt_caller("publish:other/demo", open_, registry_).reject_code,
            SRT_REJX_FORBIDDEN);
  EXPECT_EQ(admit_srt_caller("publish:live/bad name", open_, registry_).reject_code,
            SRT_REJX_FORBIDDEN);
  SrtAdmission unknown = admit_srt_caller("publish:live/guess", keys_, registry_);
  EXPECT_EQ(unknown.reject_code, SRT_REJX_FORBIDDEN);
  EXPECT_EQ(unknown.kind, "unauthorized");
  SrtAdmission known = admit_srt_caller("publish:live/s3cret", keys_, registry_);
  EXPECT_TRUE(known.admitted()) << known.reason;
  EXPECT_EQ(known.stream_name, "show");  // the key maps to the name; never shown
}

TEST_F(SrtAdmissionTest, RefusesANameAlreadyLiveAsConflict) {
  auto stream = registry_.claim("demo", 0);
  ASSERT_TRUE(stream.ok());
  SrtAdmission a = admit_srt_caller("publish:live/demo", open_, registry_);
  EXPECT_EQ(a.reject_code, SRT_REJX_CONFLICT);
  EXPECT_NE(a.reason.find("already live"), std::string::npos);
  registry_.release(*stream);
  EXPECT_TRUE(admit_srt_caller("publish:live/demo", open_, registry_).admitted());
}

}  // namespace
}  // namespace vela::ingest
