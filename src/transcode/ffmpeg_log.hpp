#pragma once
// FFmpeg's library messages go through Vela's logger instead of straight to stderr: as one
// line each, with the stream they concern, at Vela's level for them, and rate-limited per
// stream, so that a corrupt publish prints a handful of lines rather than thousands.
//
// FFmpeg has one process-wide log callback and passes it no pointer of ours, so the stream
// comes from the calling thread: code that calls FFmpeg for a stream opens an FfmpegLogScope
// with that stream's FfmpegLogSource for as long as it does (a worker runs one stream's job at
// a time). Messages from outside any scope are limited together under the name "-".
// FfmpegLogRouting installs the callback; serve() owns one, before any codec opens.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "base/rate_limit.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace vela::transcode {

// One stream's FFmpeg messages: its name and its rate limit. Any thread.
class FfmpegLogSource {
 public:
  explicit FfmpegLogSource(std::string stream);
  const std::string& stream() const { return stream_; }
  // Whether a message may be written now; `suppressed` gets how many were held back since
  // the last one that was.
  bool allow(int64_t now_us, uint64_t& suppressed);

 private:
  std::string stream_;
  std::mutex mutex_;
  base::RateLimit limit_;  // guarded by mutex_
};

// While alive, FFmpeg messages from this thread are `source`'s. Scopes nest.
class FfmpegLogScope {
 public:
  explicit FfmpegLogScope(FfmpegLogSource& source);
  FfmpegLogScope(const FfmpegLogScope&) = delete;
  FfmpegLogScope& operator=(const FfmpegLogScope&) = delete;
  ~FfmpegLogScope();

 private:
  FfmpegLogSource* previous_;
};

// One FFmpeg message as Vela writes it.
struct FfmpegLogLine {
  int av_level;               // AV_LOG_*
  std::string_view stream;    // "-" outside any scope
  std::string_view component; // the FFmpeg object that spoke: "h264", "libopus", "swscaler"
  std::string_view text;      // without the trailing newline
  uint64_t suppressed;        // held back since the previous line of this stream
};

class FfmpegLogRouting {
 public:
  using Sink = std::function<void(const FfmpegLogLine&)>;
  // Installs the callback; messages up to `max_av_level` (AV_LOG_WARNING: warnings and
  // errors) reach `sink`, by default Vela's logger.
  explicit FfmpegLogRouting(int max_av_level = AV_LOG_WARNING, Sink sink = {});
  FfmpegLogRouting(const FfmpegLogRouting&) = delete;
  FfmpegLogRouting& operator=(const FfmpegLogRouting&) = delete;
  ~FfmpegLogRouting();  // FFmpeg's own callback again

 private:
  Sink previous_sink_;
};

}  // namespace vela::transcode
