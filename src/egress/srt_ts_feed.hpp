#pragma once
// Frames in, MPEG-TS messages out, for one SRT receiver (a viewer or a push destination):
// the stream's frames are muxed once per receiver into 1316-byte messages (7 TS packets,
// the SRT live-mode convention that fits one UDP datagram). The tail of a frame that does
// not fill a message waits for the next frame (at most one frame interval) or flush().
// When the transport cannot take more (libsrt's send buffer is full) the sender calls
// skip_to_keyframe(): queued bytes are dropped and so is every frame up to the next video
// keyframe (any frame for audio-only streams), where the receiver can decode again.
// Pure: no sockets; one owner; never throws.
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "format/mpegts/muxer.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::egress {

class SrtTsFeed {
 public:
  static constexpr size_t kMessageSize = 7 * 188;
  // Bytes held before the feed drops to the next keyframe by itself (the sender is not
  // taking messages): bounds memory whatever the sender does.
  static constexpr size_t kMaxQueuedBytes = size_t{4} << 20;

  explicit SrtTsFeed(format::mpegts::TsMuxerOptions options = {}) : muxer_(options) {}

  // The stream's tracks as the frame's shard sees them; a change re-announces the program.
  // An error when the tracks cannot be carried in MPEG-TS (the receiver cannot be served).
  base::Status update_tracks(const std::vector<media::TrackInfo>& tracks);
  // Muxes one frame (or drops it while skipping). An error for a frame that cannot be
  // muxed; it is skipped and the feed stays usable.
  base::Status push(const media::MediaFrame& frame);

  bool has_message() const { return queued() >= kMessageSize; }
  std::span<const uint8_t> message() const;  // the next whole message; has_message() first
  void pop_message();
  // The bytes that do not fill a message (whole TS packets), at the end of the stream.
  std::span<const uint8_t> flush();

  // The transport is full: drops what is queued and resumes at the next keyframe.
  void skip_to_keyframe();

  size_t queued() const { return bytes_.size() - read_; }
  uint64_t dropped_frames() const { return dropped_frames_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }
  uint64_t skips() const { return skips_; }

 private:
  bool resumes_here(const media::MediaFrame& frame) const;

  format::mpegts::TsMuxer muxer_;
  bool has_video_ = false;
  uint32_t video_track_ = 0;
  bool skipping_ = false;
  std::vector<uint8_t> bytes_;
  size_t read_ = 0;  // bytes_[0, read_) were handed out already
  uint64_t dropped_frames_ = 0;
  uint64_t dropped_bytes_ = 0;
  uint64_t skips_ = 0;
};

}  // namespace vela::egress
