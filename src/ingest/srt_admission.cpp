#include "ingest/srt_admission.hpp"

#include <srt/access_control.h>

#include "base/stream_name.hpp"
#include "protocol/srt/stream_id.hpp"

namespace vela::ingest {
namespace {

SrtAdmission refuse(int code, std::string reason, std::string kind) {
  return SrtAdmission{{}, code, std::move(reason), std::move(kind)};
}

SrtAdmission admit_player(const protocol::srt::StreamId& id,
                          const router::StreamRegistry& registry) {
  if (id.app != "live") {
    return refuse(SRT_REJX_NOTFOUND, "unknown application '" + id.app + "' (expected live/{name})",
                  "not_found");
  }
  if (!base::is_valid_stream_name(id.key)) {
    return refuse(SRT_REJX_BAD_REQUEST, "invalid stream name '" + id.key + "'", "bad_stream_id");
  }
  if (!registry.find(id.key))
    return refuse(SRT_REJX_NOTFOUND, "stream '" + id.key + "' is not live", "not_found");
  return SrtAdmission{id.key, 0, {}, {}, SrtRole::play};
}

}  // namespace

SrtAdmission admit_srt_caller(std::string_view stream_id, const auth::PublishAuthorizer& authorizer,
                              const router::StreamRegistry& registry) {
  namespace srt = protocol::srt;
  auto id = srt::parse_stream_id(stream_id);
  if (!id) return refuse(SRT_REJX_BAD_REQUEST, id.error().message, "bad_stream_id");
  if (id->mode == srt::StreamMode::request) return admit_player(*id, registry);
  auto name = authorizer.authorize(id->app, id->key);
  if (!name) return refuse(SRT_REJX_FORBIDDEN, name.error().message, "unauthorized");
  // Checked again, exactly, when the session claims the name on its shard; this early look
  // lets the caller see why in the handshake.
  if (registry.find(*name))
    return refuse(SRT_REJX_CONFLICT, "stream '" + *name + "' is already live", "conflict");
  return SrtAdmission{std::move(*name), 0, {}, {}};
}

}  // namespace vela::ingest
