#include "base/stream_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vela::base {
namespace {

TEST(StreamName, AcceptsTheDocumentedCharactersUpTo128) {
  EXPECT_TRUE(is_valid_stream_name("demo"));
  EXPECT_TRUE(is_valid_stream_name("Show_2026-12.final"));
  EXPECT_TRUE(is_valid_stream_name(std::string(128, 'x')));
}

TEST(StreamName, RefusesWhatIsUnsafeInPathsLogsAndLabels) {
  for (std::string name : {std::string(), std::string(129, 'x'), std::string(".hidden"), std::string(".."),
                           std::string("a/b"), std::string("a b"), std::string("a\"b"), std::string("<i>"),
                           std::string("a\nb"), std::string("caf\xc3\xa9"), std::string("a\0b", 3)}) {
    EXPECT_FALSE(is_valid_stream_name(name)) << name;
  }
}

}  // namespace
}  // namespace vela::base
