#include "transcode/ffmpeg_handles.hpp"

extern "C" {
#include <libavutil/error.h>
}

namespace vela::transcode {

std::string av_error_message(const std::string& what, int error_code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error_code, text, sizeof text);
  return what + ": " + text;
}

}  // namespace vela::transcode
