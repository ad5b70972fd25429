#include "transcode/ffmpeg_log.hpp"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>

#include "base/time.hpp"

namespace vela::transcode {

namespace {

constexpr int64_t kLimitIntervalUs = 10'000'000;  // per stream: at most kLimitBurst lines in 10 s
constexpr uint32_t kLimitBurst = 10;

// The state FFmpeg's callback needs. FFmpeg's log callback is process-wide and takes no user
// pointer, so these are too: the routing installed (its sink and level), the limit of
// messages from outside any scope, and the stream the calling thread works for.
struct Routing {
  std::mutex mutex;
  FfmpegLogRouting::Sink sink;  // empty: not installed
  int max_av_level = AV_LOG_WARNING;
};
Routing& routing() {
  static Routing instance;
  return instance;
}
FfmpegLogSource& unscoped_source() {
  static FfmpegLogSource instance("-");
  return instance;
}
thread_local FfmpegLogSource* t_current_source = nullptr;

void write_to_logger(const FfmpegLogLine& line) {
  std::string held_back = line.suppressed ? fmt::format(" ({} more held back)", line.suppressed) : std::string();
  // FFmpeg's errors are about the media a client sent (a damaged frame), not the server.
  auto level = line.av_level <= AV_LOG_WARNING ? spdlog::level::warn
               : line.av_level <= AV_LOG_INFO  ? spdlog::level::info
                                               : spdlog::level::debug;
  spdlog::log(level, "ffmpeg stream={} {}: {}{}", line.stream, line.component, line.text, held_back);
}

void on_ffmpeg_log(void* object, int level, const char* format, va_list args) {
  // FFmpeg calls back for every message, debug ones included: drop those without locking.
  if (level > av_log_get_level()) return;
  FfmpegLogRouting::Sink sink;
  {
    std::lock_guard lock(routing().mutex);
    if (level > routing().max_av_level || !routing().sink) return;
    sink = routing().sink;
  }
  char text[1024];
  std::vsnprintf(text, sizeof text, format, args);
  std::string_view message(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.remove_suffix(1);
  if (message.empty()) return;
  const AVClass* cls = object ? *static_cast<AVClass**>(object) : nullptr;
  std::string_view component = cls && cls->item_name ? cls->item_name(object) : "ffmpeg";
  FfmpegLogSource& source = t_current_source ? *t_current_source : unscoped_source();
  uint64_t suppressed = 0;
  if (!source.allow(base::monotonic_micros(), suppressed)) return;
  sink({level, source.stream(), component, message, suppressed});
}

}  // namespace

FfmpegLogSource::FfmpegLogSource(std::string stream)
    : stream_(std::move(stream)), limit_(kLimitIntervalUs, kLimitBurst) {}

bool FfmpegLogSource::allow(int64_t now_us, uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  if (!limit_.allow(now_us)) return false;
  suppressed = limit_.take_suppressed();
  return true;
}

FfmpegLogScope::FfmpegLogScope(FfmpegLogSource& source) : previous_(t_current_source) { t_current_source = &source; }

FfmpegLogScope::~FfmpegLogScope() { t_current_source = previous_; }

FfmpegLogRouting::FfmpegLogRouting(int max_av_level, Sink sink) {
  std::lock_guard lock(routing().mutex);
  previous_sink_ = std::move(routing().sink);
  routing().sink = sink ? std::move(sink) : Sink(write_to_logger);
  routing().max_av_level = max_av_level;
  av_log_set_level(max_av_level);
  av_log_set_callback(on_ffmpeg_log);
}

FfmpegLogRouting::~FfmpegLogRouting() {
  std::lock_guard lock(routing().mutex);
  routing().sink = std::move(previous_sink_);
  if (!routing().sink) av_log_set_callback(av_log_default_callback);
}

}  // namespace vela::transcode
