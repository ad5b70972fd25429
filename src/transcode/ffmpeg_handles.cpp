#include "transcode/ffmpeg_handles.hpp"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace vela::transcode {

std::string av_error_message(const std::string& what, int error_code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error_code, text, sizeof text);
  return what + ": " + text;
}

void keep_ffmpeg_logs_to_warnings() { av_log_set_level(AV_LOG_WARNING); }

}  // namespace vela::transcode
