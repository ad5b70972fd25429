#include "packager/packaged_audio.hpp"

#include <algorithm>

namespace vela::packager {

namespace {

bool is_audio(const media::TrackInfo& t) { return t.kind == media::MediaKind::audio; }
bool is_aac(const media::TrackInfo& t) { return is_audio(t) && t.codec == media::Codec::aac; }

}  // namespace

std::optional<media::TrackInfo> packaged_audio(const std::vector<media::TrackInfo>& source,
                                               const std::vector<media::TrackInfo>& derived) {
  auto audio = std::find_if(source.begin(), source.end(), is_audio);
  if (audio == source.end()) return std::nullopt;
  if (is_aac(*audio)) return *audio;
  auto bridged = std::find_if(derived.begin(), derived.end(), is_aac);
  if (bridged == derived.end()) return std::nullopt;
  return *bridged;
}

bool needs_derived_audio(const std::vector<media::TrackInfo>& source) {
  auto audio = std::find_if(source.begin(), source.end(), is_audio);
  return audio != source.end() && !is_aac(*audio);
}

}  // namespace vela::packager
