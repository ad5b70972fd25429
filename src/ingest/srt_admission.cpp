#include "ingest/srt_admission.hpp"

#include <srt/access_control.h>

#include "protocol/srt/stream_id.hpp"

namespace vela::ingest {
namespace {

SrtAdmission refuse(int code, std::string reason, std::string kind) {
  return SrtAdmission{{}, code, std::move(reason), std::move(kind)};
}

}  // namespace

SrtAdmission admit_srt_caller(std::string_view stream_id, const auth::PublishAuthorizer& authorizer,
                              const router::StreamRegistry& registry) {
  namespace srt = protocol::srt;
  auto id = srt::parse_stream_id(stream_id);
  if (!id) return refuse(SRT_REJX_BAD_REQUEST, id.error().message, "bad_stream_id");
  if (id->mode != srt::StreamMode::publish) {
    return refuse(SRT_REJX_BAD_MODE,
                  "playback over SRT is not supported (m=request); use publish:live/{key}",
                  "bad_mode");
  }
  auto name = authorizer.authorize(id->app, id->key);
  if (!name) return refuse(SRT_REJX_FORBIDDEN, name.error().message, "unauthorized");
  // Checked again, exactly, when the session claims the name on its shard; this early look
  // lets the caller see why in the handshake.
  if (registry.find(*name))
    return refuse(SRT_REJX_CONFLICT, "stream '" + *name + "' is already live", "conflict");
  return SrtAdmission{std::move(*name), 0, {}, {}};
}

}  // namespace vela::ingest
