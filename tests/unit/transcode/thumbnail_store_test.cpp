#include "transcode/thumbnail_store.hpp"

#include <gtest/gtest.h>

namespace vela::transcode {
namespace {

Thumbnail thumbnail(std::string_view bytes, uint32_t width) {
  return Thumbnail{base::Buffer::copy_of(bytes), width, width / 2, 42};
}

TEST(ThumbnailStore, KeepsTheNewestPerNameAndSharesTheBytes) {
  ThumbnailStore store;
  EXPECT_FALSE(store.find("demo").has_value());
  store.put("demo", 1, thumbnail("first", 320));
  store.put("demo", 1, thumbnail("second", 160));
  store.put("other", 2, thumbnail("other", 320));
  auto found = store.find("demo");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->jpeg.text(), "second");
  EXPECT_EQ(found->width, 160u);
  EXPECT_EQ(found->height, 80u);
  EXPECT_EQ(found->captured_wall_us, 42);
  EXPECT_EQ(store.find("demo")->jpeg.data(), found->jpeg.data());  // no copy per read
}

TEST(ThumbnailStore, RemoveOnlyForTheSessionThatOwnsTheName) {
  ThumbnailStore store;
  store.put("demo", 1, thumbnail("old", 320));
  store.put("demo", 2, thumbnail("new", 320));  // the name was published again
  store.remove("demo", 1);                      // the old session's late end
  ASSERT_TRUE(store.find("demo").has_value());
  EXPECT_EQ(store.find("demo")->jpeg.text(), "new");
  store.remove("demo", 2);
  EXPECT_FALSE(store.find("demo").has_value());
  store.remove("missing", 1);
}

}  // namespace
}  // namespace vela::transcode
