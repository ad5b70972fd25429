#pragma once
// Decides, from the stream id alone, whether an SRT caller may connect: before libsrt
// accepts it (inside the listen callback), so a bad id, an unauthorized key, a name already
// live (to publish) or not live (to play) is refused in the handshake with an SRT_REJX_*
// code the caller can see. Playing (m=request) needs no key: the resource is the public
// stream name. Thread-safe (the authorizer is immutable, the registry locks).
#include <string>
#include <string_view>

#include "auth/publish_auth.hpp"
#include "router/stream_registry.hpp"

namespace vela::ingest {

enum class SrtRole { publish, play };

struct SrtAdmission {
  std::string stream_name;  // the name to publish or play, when admitted
  int reject_code = 0;      // 0 when admitted, else an SRT_REJX_* code for the caller
  std::string reason;       // why it was refused, for the log
  std::string kind;         // bounded label for the refusal metric
  SrtRole role = SrtRole::publish;

  bool admitted() const { return reject_code == 0; }
};

SrtAdmission admit_srt_caller(std::string_view stream_id, const auth::PublishAuthorizer& authorizer,
                              const router::StreamRegistry& registry);

}  // namespace vela::ingest
