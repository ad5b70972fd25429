#include "protocol/sdp/sdp_writer.hpp"

namespace vela::protocol::sdp {
namespace {

class Writer {
 public:
  void line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }
  void attribute(std::string_view name) { line('a', name); }
  void attribute(std::string_view name, std::string_view value) {
    std::string text(name);
    text += ':';
    text += value;
    line('a', text);
  }
  void connection(const Connection& c) {
    line('c', c.net_type + " " + c.address_type + " " + c.address);
  }
  void transport(const IceParameters& ice, const std::vector<Fingerprint>& fingerprints,
                 Setup setup) {
    if (!ice.ufrag.empty()) attribute("ice-ufrag", ice.ufrag);
    if (!ice.pwd.empty()) attribute("ice-pwd", ice.pwd);
    if (!ice.options.empty()) attribute("ice-options", ice.options);
    for (const auto& fp : fingerprints) attribute("fingerprint", fp.algorithm + " " + fp.value);
    if (setup != Setup::none) attribute("setup", to_string(setup));
  }
  void extmap(const ExtMap& ext) {
    std::string text = std::to_string(ext.id);
    if (!ext.direction.empty()) text += "/" + ext.direction;
    text += " " + ext.uri;
    if (!ext.attributes.empty()) text += " " + ext.attributes;
    attribute("extmap", text);
  }
  void others(const std::vector<Attribute>& attributes) {
    for (const auto& a : attributes) {
      if (a.has_value) {
        attribute(a.name, a.value);
      } else {
        attribute(a.name);
      }
    }
  }
  void media(const MediaDescription& m);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void Writer::media(const MediaDescription& m) {
  std::string mline = m.media + " " + std::to_string(m.port);
  if (m.port_count) mline += "/" + std::to_string(*m.port_count);
  mline += " " + m.protocol;
  for (const auto& format : m.formats) mline += " " + format;
  line('m', mline);
  if (m.connection) connection(*m.connection);
  if (!m.mid.empty()) attribute("mid", m.mid);
  transport(m.ice, m.fingerprints, m.setup);
  if (m.direction) attribute(to_string(*m.direction));
  if (!m.msid.empty()) attribute("msid", m.msid);
  if (m.rtcp_mux) attribute("rtcp-mux");
  if (m.rtcp_rsize) attribute("rtcp-rsize");
  if (m.bundle_only) attribute("bundle-only");
  for (const auto& ext : m.extmaps) extmap(ext);
  for (const auto& p : m.payloads) {
    std::string pt = std::to_string(p.payload_type);
    if (!p.encoding.empty()) {
      std::string map = pt + " " + p.encoding + "/" + std::to_string(p.clock_rate);
      if (p.channels) map += "/" + std::to_string(p.channels);
      attribute("rtpmap", map);
    }
    for (const auto& fb : p.rtcp_fb) attribute("rtcp-fb", pt + " " + fb);
    if (!p.fmtp.empty()) attribute("fmtp", pt + " " + p.fmtp);
  }
  for (const auto& group : m.ssrc_groups) {
    std::string text = group.semantics;
    for (uint32_t ssrc : group.ssrcs) text += " " + std::to_string(ssrc);
    attribute("ssrc-group", text);
  }
  for (const auto& ssrc : m.ssrcs) {
    std::string text = std::to_string(ssrc.ssrc) + " " + ssrc.name;
    if (!ssrc.value.empty()) text += ":" + ssrc.value;
    attribute("ssrc", text);
  }
  for (const auto& candidate : m.candidates) attribute("candidate", candidate);
  if (m.end_of_candidates) attribute("end-of-candidates");
  others(m.other);
}

}  // namespace

std::string write_sdp(const SessionDescription& s) {
  Writer w;
  w.line('v', "0");
  const Origin& o = s.origin;
  w.line('o', o.username + " " + o.session_id + " " + o.session_version + " " + o.net_type + " " +
                  o.address_type + " " + o.address);
  w.line('s', s.session_name);
  if (s.connection) w.connection(*s.connection);
  w.line('t', s.timing);
  for (const auto& group : s.groups) {
    std::string text = group.semantics;
    for (const auto& mid : group.mids) text += " " + mid;
    w.attribute("group", text);
  }
  if (s.ice_lite) w.attribute("ice-lite");
  w.transport(s.ice, s.fingerprints, s.setup);
  if (!s.msid_semantic.empty()) w.attribute("msid-semantic", s.msid_semantic);
  if (s.extmap_allow_mixed) w.attribute("extmap-allow-mixed");
  for (const auto& ext : s.extmaps) w.extmap(ext);
  w.others(s.other);
  for (const auto& m : s.media) w.media(m);
  return w.take();
}

}  // namespace vela::protocol::sdp
