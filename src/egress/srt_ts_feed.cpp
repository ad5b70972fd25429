#include "egress/srt_ts_feed.hpp"

#include <algorithm>

namespace vela::egress {
namespace {

bool same_tracks(const std::vector<media::TrackInfo>& a, const std::vector<media::TrackInfo>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const media::TrackInfo& x, const media::TrackInfo& y) {
                      auto cx = x.codec_config.span();
                      auto cy = y.codec_config.span();
                      return x.id == y.id && x.codec == y.codec && x.timescale == y.timescale &&
                             std::equal(cx.begin(), cx.end(), cy.begin(), cy.end());
                    });
}

}  // namespace

base::Status SrtTsFeed::update_tracks(const std::vector<media::TrackInfo>& tracks) {
  if (same_tracks(tracks, muxer_.tracks())) return {};
  if (base::Status status = muxer_.set_tracks(tracks); !status) return status;
  has_video_ = false;
  for (const auto& track : tracks) {
    if (track.kind == media::MediaKind::video) {
      has_video_ = true;
      video_track_ = track.id;
      break;
    }
  }
  return {};
}

bool SrtTsFeed::resumes_here(const media::MediaFrame& frame) const {
  return !has_video_ || (frame.track_id == video_track_ && frame.keyframe);
}

base::Status SrtTsFeed::push(const media::MediaFrame& frame) {
  if (skipping_) {
    if (!resumes_here(frame)) {
      ++dropped_frames_;
      return {};
    }
    skipping_ = false;
  }
  // Compact once the handed-out prefix dominates, so the vector does not grow forever.
  if (read_ > 0 && read_ >= bytes_.size() / 2) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<ptrdiff_t>(read_));
    read_ = 0;
  }
  base::Status status = muxer_.write(frame, bytes_);
  if (!status) ++dropped_frames_;
  if (queued() > kMaxQueuedBytes) skip_to_keyframe();
  return status;
}

std::span<const uint8_t> SrtTsFeed::message() const {
  return std::span<const uint8_t>(bytes_).subspan(read_, std::min(kMessageSize, queued()));
}

void SrtTsFeed::pop_message() {
  read_ += std::min(kMessageSize, queued());
}

std::span<const uint8_t> SrtTsFeed::flush() {
  auto rest = std::span<const uint8_t>(bytes_).subspan(read_);
  read_ = bytes_.size();
  return rest;
}

void SrtTsFeed::skip_to_keyframe() {
  dropped_bytes_ += queued();
  bytes_.clear();
  read_ = 0;
  skipping_ = true;
  ++skips_;
}

}  // namespace vela::egress
