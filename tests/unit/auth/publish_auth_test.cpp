#include "auth/publish_auth.hpp"

#include <gtest/gtest.h>

namespace vela::auth {

TEST(PublishAuthorizer, OpenModeUsesKeyAsName) {
  PublishAuthorizer open(PublishMode::open, {});
  auto name = open.authorize("live", "demo");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "demo");
  EXPECT_FALSE(open.authorize("other", "demo").ok());
  EXPECT_FALSE(open.authorize("live", "").ok());
  EXPECT_FALSE(open.authorize("live", "../etc").ok());
  EXPECT_FALSE(open.authorize("live", std::string(129, 'a')).ok());
}

TEST(PublishAuthorizer, KeysModeMapsKeyToNameAndRefusesUnknown) {
  PublishAuthorizer keys(PublishMode::keys, {{"s3cret", "show"}});
  auto name = keys.authorize("live", "s3cret");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "show");
  auto refused = keys.authorize("live", "show");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "unknown stream key");
}

}  // namespace vela::auth
