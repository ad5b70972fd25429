// SDP offer parser and answer negotiation: must never crash. An accepted offer must
// render to text that parses again and renders the same (unless the rendering crosses
// a size limit), and a negotiated answer must be well-formed: it parses, has one
// m-section per offered one, and bundles exactly the accepted sections.
#include "protocol/sdp/sdp.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/sdp/sdp_answer.hpp"
#include "protocol/sdp/sdp_writer.hpp"

namespace sdp = vela::protocol::sdp;

namespace {

sdp::LocalParameters local_parameters() {
  sdp::LocalParameters local;
  local.ice_ufrag = "fuzzufrag";
  local.ice_pwd = "fuzzpassword0123456789";
  local.fingerprint_sha256 =
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
      "EE:FF";
  local.candidates = {{"192.0.2.1", 40000, sdp::CandidateTransport::udp},
                      {"192.0.2.1", 8443, sdp::CandidateTransport::tcp}};
  local.send.audio_ssrc = 1;
  local.send.video_ssrc = 2;
  local.send.video_rtx_ssrc = 3;
  return local;
}

bool limit_error(const std::string& message) {
  return message.find("more than") != std::string::npos ||
         message.find("larger than") != std::string::npos;
}

void check_answer(const sdp::SessionDescription& offer, sdp::ServerRole role) {
  auto answer = sdp::negotiate_answer(offer, local_parameters(), role);
  if (!answer) {
    if (answer.error().message.empty()) __builtin_trap();
    return;
  }
  const sdp::Negotiated& n = answer->negotiated;
  if (n.media.empty() || n.media.size() != n.bundle_mids.size()) __builtin_trap();
  if (n.media.size() + n.rejected.size() != offer.media.size()) __builtin_trap();
  if (answer->sdp.media.size() != offer.media.size()) __builtin_trap();
  for (const auto& m : n.media) {
    const auto& offered = offer.media[m.index];
    if (offered.mid != m.mid || !offered.payload(m.payload_type)) __builtin_trap();
    if (m.rtx_payload_type && !offered.payload(*m.rtx_payload_type)) __builtin_trap();
  }
  const std::string& text = answer->text;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) __builtin_trap();
  }
  auto reparsed = sdp::parse_sdp(text);
  if (!reparsed || reparsed->media.size() != offer.media.size() || !reparsed->ice_lite)
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto offer = sdp::parse_sdp(text);
  if (!offer) {
    if (!offer.error().message.starts_with("sdp")) __builtin_trap();
    return 0;
  }
  if (size > sdp::kMaxSdpSize || offer->media.size() > sdp::kMaxMediaSections) __builtin_trap();

  std::string written = sdp::write_sdp(*offer);
  auto again = sdp::parse_sdp(written);
  if (!again) {
    if (!limit_error(again.error().message)) __builtin_trap();
  } else if (sdp::write_sdp(*again) != written) {
    __builtin_trap();
  }

  check_answer(*offer, sdp::ServerRole::ingest);
  check_answer(*offer, sdp::ServerRole::playback);
  return 0;
}
