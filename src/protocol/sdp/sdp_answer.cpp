#include "protocol/sdp/sdp_answer.hpp"

#include <algorithm>

#include "protocol/sdp/media_negotiation.hpp"
#include "protocol/sdp/sdp_attributes.hpp"
#include "protocol/sdp/sdp_writer.hpp"

namespace vela::protocol::sdp {
namespace {

// Remote fingerprints Vela can verify, strongest first.
constexpr std::string_view kFingerprintAlgorithms[] = {"sha-512", "sha-384", "sha-256", "sha-1"};

base::Error fail(std::string what) {
  return base::make_error("sdp answer: " + std::move(what));
}

bool ice_chars(std::string_view text) {  // RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/"
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
}

bool ip_literal_chars(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
  });
}

base::Status check_local(const LocalParameters& local) {
  if (local.ice_ufrag.size() < 4 || local.ice_ufrag.size() > 256 || !ice_chars(local.ice_ufrag))
    return base::make_error("local ice-ufrag must be 4-256 ice-chars");
  if (local.ice_pwd.size() < 22 || local.ice_pwd.size() > 256 || !ice_chars(local.ice_pwd))
    return base::make_error("local ice-pwd must be 22-256 ice-chars");
  auto fp = parse_fingerprint("sha-256 " + local.fingerprint_sha256);
  if (!fp) return base::make_error("local " + fp.error().message);
  if (local.candidates.size() > kMaxLocalCandidates)
    return base::make_error("more than " + std::to_string(kMaxLocalCandidates) +
                            " local candidates");
  for (const auto& c : local.candidates) {
    if (!ip_literal_chars(c.address) || c.port == 0)
      return base::make_error("local candidate '" + c.address +
                              "' is not an IP literal with a port");
  }
  if (local.send.stream_id.empty() || local.send.cname.empty() ||
      !std::all_of(
          local.send.stream_id.begin(), local.send.stream_id.end(),
          [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }) ||
      !std::all_of(local.send.cname.begin(), local.send.cname.end(),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }))
    return base::make_error("local stream id and cname must be non-empty [A-Za-z0-9-]");
  return {};
}

std::string address_type(std::string_view address) {
  return address.find(':') != std::string_view::npos ? "IP6" : "IP4";
}

// RFC 8445 §5.1.2: host type preference 126; UDP candidates before TCP ones.
std::string host_candidate(const LocalCandidate& c, size_t index) {
  bool udp = c.transport == CandidateTransport::udp;
  uint32_t local_pref = (udp ? 65535u : 32767u) - static_cast<uint32_t>(index);
  uint32_t priority = (126u << 24) | (local_pref << 8) | 255u;
  std::string text = std::to_string(index + 1) + " 1 " + (udp ? "udp " : "tcp ") +
                     std::to_string(priority) + " " + c.address + " " + std::to_string(c.port) +
                     " typ host";
  if (!udp) text += " tcptype passive";
  return text;
}

const MediaDescription* find_mid(const SessionDescription& offer, std::string_view mid) {
  for (const auto& m : offer.media) {
    if (m.mid == mid) return &m;
  }
  return nullptr;
}

// The offerer's transport: its BUNDLE-tag section (the first mid of the group), falling
// back to session-level attributes for what the section does not say.
struct RemoteTransport {
  IceParameters ice;
  std::vector<Fingerprint> fingerprints;
  Setup setup = Setup::none;
};

RemoteTransport remote_transport(const SessionDescription& offer, const Group& bundle) {
  RemoteTransport t{offer.ice, offer.fingerprints, offer.setup};
  const MediaDescription* tag = nullptr;
  for (const auto& mid : bundle.mids) {
    if ((tag = find_mid(offer, mid))) break;
  }
  if (!tag) return t;
  if (!tag->ice.ufrag.empty()) t.ice.ufrag = tag->ice.ufrag;
  if (!tag->ice.pwd.empty()) t.ice.pwd = tag->ice.pwd;
  if (!tag->ice.options.empty()) t.ice.options = tag->ice.options;
  if (!tag->fingerprints.empty()) t.fingerprints = tag->fingerprints;
  if (tag->setup != Setup::none) t.setup = tag->setup;
  return t;
}

base::Result<Fingerprint> pick_fingerprint(const std::vector<Fingerprint>& offered) {
  if (offered.empty()) return fail("offer lacks a=fingerprint");
  for (auto algorithm : kFingerprintAlgorithms) {
    for (const auto& fp : offered) {
      if (fp.algorithm == algorithm) return fp;
    }
  }
  return fail("offer's a=fingerprint uses no supported hash (sha-256, sha-384, sha-512, sha-1)");
}

base::Result<DtlsRole> dtls_role(Setup offered, DtlsRole preferred) {
  switch (offered) {
    case Setup::none:  // RFC 8842 requires actpass in offers; treat absence the same
    case Setup::actpass:
      return preferred;
    case Setup::active:
      return DtlsRole::server;
    case Setup::passive:
      return DtlsRole::client;
    case Setup::holdconn:
      break;
  }
  return fail("offer says a=setup:holdconn; no DTLS connection can be made");
}

// Why a section is rejected before looking at its codecs; empty when it may be used.
std::string precheck(const MediaDescription& m, const Group& bundle, bool kind_taken) {
  if (m.port == 0 && !m.bundle_only) return "rejected in the offer (port 0)";
  if (m.mid.empty()) return "no a=mid";
  if (std::find(bundle.mids.begin(), bundle.mids.end(), m.mid) == bundle.mids.end())
    return "mid '" + m.mid + "' is not in the BUNDLE group";
  if (kind_taken) return "only one " + m.media + " section is supported";
  return {};
}

MediaDescription rejected_section(const MediaDescription& offered) {
  MediaDescription section;
  section.media = offered.media;
  section.port = 0;
  section.protocol = offered.protocol;
  section.formats = offered.formats;
  section.connection = Connection{};
  section.mid = offered.mid;
  return section;
}

// One BUNDLE transport demultiplexes RTP before it knows the section, so an extension
// id must mean the same extension in every accepted section (RFC 8843 §9.1).
base::Status bundle_extensions(const SessionDescription& sdp, Negotiated& neg) {
  std::vector<const ExtMap*> seen;
  for (const auto& m : sdp.media) {
    for (const auto& ext : m.extmaps) {
      for (const ExtMap* other : seen) {
        if ((other->id == ext.id) != (other->uri == ext.uri))
          return fail("offer maps extmap " + std::to_string(ext.id) + " / " + ext.uri +
                      " inconsistently across the BUNDLE group");
      }
      seen.push_back(&ext);
    }
  }
  for (const auto& media : neg.media) {
    const HeaderExtensionIds& ids = media.extensions;
    if (ids.mid) neg.extensions.mid = ids.mid;
    if (ids.abs_send_time) neg.extensions.abs_send_time = ids.abs_send_time;
    if (ids.transport_cc) neg.extensions.transport_cc = ids.transport_cc;
  }
  return {};
}

}  // namespace

std::string_view to_string(DtlsRole role) {
  return role == DtlsRole::server ? "server" : "client";
}
std::string_view to_string(MediaKind kind) {
  return kind == MediaKind::audio ? "audio" : "video";
}

base::Result<Answer> negotiate_answer(const SessionDescription& offer, const LocalParameters& local,
                                      ServerRole role) {
  if (auto status = check_local(local); !status) return fail(status.error().message);
  const Group* bundle = offer.bundle_group();
  if (!bundle || bundle->mids.empty())
    return fail("offer lacks a=group:BUNDLE (Vela needs BUNDLE)");
  if (offer.ice_lite) return fail("offer is ICE-lite too; one side must be a full ICE agent");

  Answer answer;
  Negotiated& neg = answer.negotiated;
  RemoteTransport transport = remote_transport(offer, *bundle);
  if (transport.ice.ufrag.empty()) return fail("offer lacks a=ice-ufrag");
  if (transport.ice.pwd.empty()) return fail("offer lacks a=ice-pwd");
  auto fingerprint = pick_fingerprint(transport.fingerprints);
  if (!fingerprint) return fingerprint.error();
  auto role_result = dtls_role(transport.setup, local.preferred_dtls_role);
  if (!role_result) return role_result.error();
  neg.remote_ice_ufrag = transport.ice.ufrag;
  neg.remote_ice_pwd = transport.ice.pwd;
  neg.remote_fingerprint = *fingerprint;
  neg.dtls_role = *role_result;

  SessionDescription& sdp = answer.sdp;
  sdp.origin.session_id = std::to_string(local.session_id);
  sdp.origin.session_version = "2";
  sdp.origin.address = "127.0.0.1";
  sdp.ice_lite = true;

  const LocalCandidate* primary = nullptr;
  for (const auto& c : local.candidates) {
    if (!primary ||
        (primary->transport == CandidateTransport::tcp && c.transport == CandidateTransport::udp))
      primary = &c;
  }
  std::vector<std::string> candidates;
  for (size_t i = 0; i < local.candidates.size(); ++i)
    candidates.push_back(host_candidate(local.candidates[i], i));

  bool audio_taken = false, video_taken = false;
  for (size_t index = 0; index < offer.media.size(); ++index) {
    const MediaDescription& offered = offer.media[index];
    for (const auto& c : offered.candidates) neg.remote_candidates.push_back(c);
    bool& taken = offered.media == "video" ? video_taken : audio_taken;
    bool kind_taken = (offered.media == "audio" || offered.media == "video") && taken;
    std::string reason = precheck(offered, *bundle, kind_taken);
    MediaOutcome outcome;
    if (reason.empty()) {
      outcome = negotiate_media(offered, offer, local, role);
      reason = outcome.reason;
    }
    if (!outcome.accepted) {
      neg.rejected.push_back(RejectedMedia{index, offered.mid, offered.media, reason});
      sdp.media.push_back(rejected_section(offered));
      continue;
    }
    if (!offered.rtcp_mux)
      return fail("offer lacks a=rtcp-mux for mid '" + offered.mid + "' (Vela needs rtcp-mux)");
    taken = true;
    MediaDescription& section = outcome.section;
    section.port = primary ? primary->port : 9;
    section.connection = Connection{"IN", primary ? address_type(primary->address) : "IP4",
                                    primary ? primary->address : "0.0.0.0"};
    section.ice.ufrag = local.ice_ufrag;
    section.ice.pwd = local.ice_pwd;
    section.fingerprints.push_back(*parse_fingerprint("sha-256 " + local.fingerprint_sha256));
    section.setup = neg.dtls_role == DtlsRole::server ? Setup::passive : Setup::active;
    section.candidates = candidates;
    section.end_of_candidates = true;
    outcome.accepted->index = index;
    neg.bundle_mids.push_back(offered.mid);
    neg.media.push_back(std::move(*outcome.accepted));
    sdp.media.push_back(std::move(section));
  }

  if (neg.media.empty()) {
    std::string why;
    for (const auto& r : neg.rejected) {
      if (!why.empty()) why += "; ";
      why += r.media + (r.mid.empty() ? "" : " mid '" + r.mid + "'") + ": " + r.reason;
    }
    return fail("no usable media in the offer (" + (why.empty() ? "no m= sections" : why) + ")");
  }
  if (auto status = bundle_extensions(answer.sdp, neg); !status) return status.error();
  sdp.groups.push_back(Group{"BUNDLE", neg.bundle_mids});
  answer.text = write_sdp(sdp);
  return answer;
}

}  // namespace vela::protocol::sdp
