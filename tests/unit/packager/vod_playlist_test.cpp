#include "packager/vod_playlist.hpp"

#include <gtest/gtest.h>

namespace vela::packager {
namespace {

TEST(VodPlaylist, ListsEverySegmentAsAByteRangeOfTheDataFile) {
  VodMediaPlaylist playlist{"rendition-0.mp4", 17, {}};
  playlist.segments.push_back({{100, 1500}, 2.0, 1'700'000'000'123'000, false, {0, 100}});
  playlist.segments.push_back({{1600, 1300}, 1.6, 1'700'000'002'123'000, false, {0, 100}});
  playlist.segments.push_back({{3020, 700}, 2.4, 0, true, {2900, 120}});
  EXPECT_EQ(render_vod_media_playlist(playlist),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:17\n"
            "#EXT-X-MAP:URI=\"rendition-0.mp4\",BYTERANGE=\"100@0\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.123Z\n"
            "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1500@100\nrendition-0.mp4\n"
            "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:22.123Z\n"
            "#EXTINF:1.600,\n#EXT-X-BYTERANGE:1300@1600\nrendition-0.mp4\n"
            "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"rendition-0.mp4\",BYTERANGE=\"120@2900\"\n"
            "#EXTINF:2.400,\n#EXT-X-BYTERANGE:700@3020\nrendition-0.mp4\n"
            "#EXT-X-ENDLIST\n");
}

TEST(VodPlaylist, TargetDurationCoversTheLongestRoundedSegment) {
  VodMediaPlaylist playlist{"r.mp4", 0, {{{0, 1}, 2.6, 0, false, {0, 1}}}};
  EXPECT_NE(render_vod_media_playlist(playlist).find("#EXT-X-TARGETDURATION:3\n"), std::string::npos);
  VodMediaPlaylist empty{"r.mp4", 0, {}};
  EXPECT_NE(render_vod_media_playlist(empty).find("#EXT-X-TARGETDURATION:1\n"), std::string::npos);
  EXPECT_NE(render_vod_media_playlist(empty).find("#EXT-X-ENDLIST"), std::string::npos);
}

}  // namespace
}  // namespace vela::packager
