#include "protocol/rtp/rtcp.hpp"

#include <string>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::protocol::rtp {
namespace {

constexpr uint8_t kFmtNack = 1;
constexpr uint8_t kFmtTransportFeedback = 15;
constexpr uint8_t kFmtPli = 1;
constexpr uint8_t kFmtFir = 4;
constexpr uint8_t kFmtApplication = 15;
constexpr uint8_t kSdesCname = 1;
constexpr size_t kMaxCount = 31;

base::Error fail(const std::string& what) { return base::make_error("rtcp: " + what); }

ReportBlock read_report_block(base::ByteReader& in) {
  ReportBlock b;
  b.ssrc = in.u32be();
  b.fraction_lost = in.u8();
  uint32_t lost = in.u24be();
  b.cumulative_lost = (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000
                                        : static_cast<int32_t>(lost);
  b.highest_sequence = in.u32be();
  b.jitter = in.u32be();
  b.last_sr = in.u32be();
  b.delay_since_last_sr = in.u32be();
  return b;
}

base::Status read_report_blocks(base::ByteReader& in, uint8_t count,
                                std::vector<ReportBlock>& out) {
  for (uint8_t i = 0; i < count; ++i) out.push_back(read_report_block(in));
  if (!in.ok()) return fail("report blocks run past the packet");
  return {};
}

base::Status parse_sdes(base::ByteReader& in, uint8_t count, RtcpCompound& out) {
  Sdes sdes;
  const size_t start = in.position();
  for (uint8_t i = 0; i < count; ++i) {
    SdesChunk chunk;
    chunk.ssrc = in.u32be();
    while (true) {
      uint8_t type = in.u8();
      if (!in.ok()) return fail("SDES chunk runs past the packet");
      if (type == 0) break;
      uint8_t length = in.u8();
      auto text = in.bytes(length);
      if (!in.ok()) return fail("SDES item runs past the packet");
      if (type == kSdesCname) chunk.cname.assign(text.begin(), text.end());
    }
    while ((in.position() - start) % 4 != 0 && !in.empty()) in.skip(1);
    sdes.chunks.push_back(std::move(chunk));
  }
  out.messages.emplace_back(std::move(sdes));
  return {};
}

base::Status parse_bye(base::ByteReader& in, uint8_t count, RtcpCompound& out) {
  Bye bye;
  for (uint8_t i = 0; i < count; ++i) bye.ssrcs.push_back(in.u32be());
  if (!in.ok()) return fail("BYE SSRC list runs past the packet");
  if (!in.empty()) {
    uint8_t length = in.u8();
    auto text = in.bytes(length);
    if (!in.ok()) return fail("BYE reason runs past the packet");
    bye.reason.assign(text.begin(), text.end());
  }
  out.messages.emplace_back(std::move(bye));
  return {};
}

base::Status parse_rtpfb(base::ByteReader& in, uint8_t fmt, RtcpCompound& out) {
  uint32_t sender = in.u32be();
  uint32_t media = in.u32be();
  if (!in.ok()) return fail("feedback shorter than its two SSRCs");
  if (fmt == kFmtNack) {
    Nack nack{sender, media, {}};
    if (in.remaining() < 4 || in.remaining() % 4 != 0) return fail("NACK FCI size");
    while (!in.empty()) {
      uint16_t pid = in.u16be();
      uint16_t blp = in.u16be();
      nack.sequences.push_back(pid);
      for (int bit = 0; bit < 16; ++bit)
        if (blp & (1u << bit)) nack.sequences.push_back(static_cast<uint16_t>(pid + bit + 1));
    }
    out.messages.emplace_back(std::move(nack));
    return {};
  }
  if (fmt == kFmtTransportFeedback) {
    TransportFeedback fb;
    fb.sender_ssrc = sender;
    fb.media_ssrc = media;
    if (auto s = parse_transport_feedback_fci(in.rest(), fb); !s) return s.error();
    out.messages.emplace_back(std::move(fb));
    return {};
  }
  ++out.skipped;
  return {};
}

base::Status parse_remb(uint32_t sender, base::ByteReader& in, RtcpCompound& out) {
  Remb remb;
  remb.sender_ssrc = sender;
  in.skip(4);  // "REMB"
  uint8_t count = in.u8();
  uint32_t packed = in.u24be();
  uint32_t exponent = packed >> 18;
  uint64_t mantissa = packed & 0x3FFFF;
  if (exponent > 46) return fail("REMB bitrate overflows 64 bits");
  remb.bitrate_bps = mantissa << exponent;
  for (uint8_t i = 0; i < count; ++i) remb.ssrcs.push_back(in.u32be());
  if (!in.ok()) return fail("REMB runs past the packet");
  out.messages.emplace_back(std::move(remb));
  return {};
}

base::Status parse_psfb(base::ByteReader& in, uint8_t fmt, RtcpCompound& out) {
  uint32_t sender = in.u32be();
  uint32_t media = in.u32be();
  if (!in.ok()) return fail("feedback shorter than its two SSRCs");
  if (fmt == kFmtPli) {
    out.messages.emplace_back(Pli{sender, media});
    return {};
  }
  if (fmt == kFmtFir) {
    Fir fir{sender, {}};
    if (in.remaining() < 8 || in.remaining() % 8 != 0) return fail("FIR FCI size");
    while (!in.empty()) {
      FirEntry e;
      e.ssrc = in.u32be();
      e.sequence = in.u8();
      in.skip(3);
      fir.entries.push_back(e);
    }
    out.messages.emplace_back(std::move(fir));
    return {};
  }
  if (fmt == kFmtApplication) {
    auto rest = in.rest();
    if (rest.size() >= 8 && rest[0] == 'R' && rest[1] == 'E' && rest[2] == 'M' && rest[3] == 'B') {
      base::ByteReader fci(rest);
      return parse_remb(sender, fci, out);
    }
  }
  ++out.skipped;
  return {};
}

base::Status parse_one(uint8_t type, uint8_t count, std::span<const uint8_t> body,
                       RtcpCompound& out) {
  base::ByteReader in(body);
  switch (type) {
    case kRtcpSr: {
      SenderReport sr;
      sr.ssrc = in.u32be();
      sr.ntp_time = in.u64be();
      sr.rtp_timestamp = in.u32be();
      sr.packet_count = in.u32be();
      sr.octet_count = in.u32be();
      if (!in.ok()) return fail("SR shorter than its sender info");
      if (auto s = read_report_blocks(in, count, sr.reports); !s) return s;
      out.messages.emplace_back(std::move(sr));
      return {};
    }
    case kRtcpRr: {
      ReceiverReport rr;
      rr.ssrc = in.u32be();
      if (!in.ok()) return fail("RR without SSRC");
      if (auto s = read_report_blocks(in, count, rr.reports); !s) return s;
      out.messages.emplace_back(std::move(rr));
      return {};
    }
    case kRtcpSdes:
      return parse_sdes(in, count, out);
    case kRtcpBye:
      return parse_bye(in, count, out);
    case kRtcpRtpfb:
      return parse_rtpfb(in, count, out);
    case kRtcpPsfb:
      return parse_psfb(in, count, out);
    default:
      ++out.skipped;
      return {};
  }
}

// Writes the 4-byte common header with a placeholder length; returns where it starts.
size_t begin_packet(std::vector<uint8_t>& out, uint8_t count, uint8_t type) {
  size_t start = out.size();
  base::ByteWriter w(out);
  w.u8(static_cast<uint8_t>(0x80 | (count & 0x1F)));
  w.u8(type);
  w.u16be(0);
  return start;
}

// Pads to 32 bits (with the padding bit when needed) and fills in the length.
base::Status finish_packet(std::vector<uint8_t>& out, size_t start) {
  size_t pad = (4 - (out.size() - start) % 4) % 4;
  if (pad != 0) {
    out.insert(out.end(), pad - 1, 0);
    out.push_back(static_cast<uint8_t>(pad));
    out[start] |= 0x20;
  }
  size_t words = (out.size() - start) / 4 - 1;
  if (words > 0xFFFF) {
    out.resize(start);
    return fail("packet longer than 65535 words");
  }
  out[start + 2] = static_cast<uint8_t>(words >> 8);
  out[start + 3] = static_cast<uint8_t>(words);
  return {};
}

void write_report_blocks(base::ByteWriter& w, const std::vector<ReportBlock>& blocks) {
  for (const auto& b : blocks) {
    w.u32be(b.ssrc);
    w.u8(b.fraction_lost);
    w.u24be(static_cast<uint32_t>(b.cumulative_lost) & 0xFFFFFF);
    w.u32be(b.highest_sequence);
    w.u32be(b.jitter);
    w.u32be(b.last_sr);
    w.u32be(b.delay_since_last_sr);
  }
}

// One overload per message: validates, then appends the packet body after the header.
struct Writer {
  std::vector<uint8_t>& out;

  base::Status operator()(const SenderReport& sr) {
    if (sr.reports.size() > kMaxCount) return fail("more than 31 report blocks");
    size_t start = begin_packet(out, static_cast<uint8_t>(sr.reports.size()), kRtcpSr);
    base::ByteWriter w(out);
    w.u32be(sr.ssrc);
    w.u64be(sr.ntp_time);
    w.u32be(sr.rtp_timestamp);
    w.u32be(sr.packet_count);
    w.u32be(sr.octet_count);
    write_report_blocks(w, sr.reports);
    return finish_packet(out, start);
  }
  base::Status operator()(const ReceiverReport& rr) {
    if (rr.reports.size() > kMaxCount) return fail("more than 31 report blocks");
    size_t start = begin_packet(out, static_cast<uint8_t>(rr.reports.size()), kRtcpRr);
    base::ByteWriter w(out);
    w.u32be(rr.ssrc);
    write_report_blocks(w, rr.reports);
    return finish_packet(out, start);
  }
  base::Status operator()(const Sdes& sdes) {
    if (sdes.chunks.size() > kMaxCount) return fail("more than 31 SDES chunks");
    for (const auto& c : sdes.chunks)
      if (c.cname.size() > 255) return fail("CNAME longer than 255 bytes");
    size_t start = begin_packet(out, static_cast<uint8_t>(sdes.chunks.size()), kRtcpSdes);
    base::ByteWriter w(out);
    for (const auto& c : sdes.chunks) {
      w.u32be(c.ssrc);
      w.u8(kSdesCname);
      w.u8(static_cast<uint8_t>(c.cname.size()));
      w.text(c.cname);
      w.u8(0);  // end of items, then zero padding to 32 bits
      while ((out.size() - start) % 4 != 0) w.u8(0);
    }
    return finish_packet(out, start);
  }
  base::Status operator()(const Bye& bye) {
    if (bye.ssrcs.size() > kMaxCount) return fail("more than 31 SSRCs in BYE");
    if (bye.reason.size() > 255) return fail("BYE reason longer than 255 bytes");
    size_t start = begin_packet(out, static_cast<uint8_t>(bye.ssrcs.size()), kRtcpBye);
    base::ByteWriter w(out);
    for (uint32_t s : bye.ssrcs) w.u32be(s);
    if (!bye.reason.empty()) {
      w.u8(static_cast<uint8_t>(bye.reason.size()));
      w.text(bye.reason);
      while ((out.size() - start) % 4 != 0) w.u8(0);
    }
    return finish_packet(out, start);
  }
  base::Status operator()(const Nack& nack) {
    if (nack.sequences.empty()) return fail("NACK without sequence numbers");
    size_t start = begin_packet(out, kFmtNack, kRtcpRtpfb);
    base::ByteWriter w(out);
    w.u32be(nack.sender_ssrc);
    w.u32be(nack.media_ssrc);
    size_t i = 0;
    while (i < nack.sequences.size()) {
      uint16_t pid = nack.sequences[i++];
      uint16_t blp = 0;
      while (i < nack.sequences.size()) {
        uint16_t d = static_cast<uint16_t>(nack.sequences[i] - pid);
        if (d < 1 || d > 16) break;
        blp |= static_cast<uint16_t>(1u << (d - 1));
        ++i;
      }
      w.u16be(pid);
      w.u16be(blp);
    }
    return finish_packet(out, start);
  }
  base::Status operator()(const Pli& pli) {
    size_t start = begin_packet(out, kFmtPli, kRtcpPsfb);
    base::ByteWriter w(out);
    w.u32be(pli.sender_ssrc);
    w.u32be(pli.media_ssrc);
    return finish_packet(out, start);
  }
  base::Status operator()(const Fir& fir) {
    if (fir.entries.empty()) return fail("FIR without entries");
    size_t start = begin_packet(out, kFmtFir, kRtcpPsfb);
    base::ByteWriter w(out);
    w.u32be(fir.sender_ssrc);
    w.u32be(0);  // media source SSRC is unused in FIR (RFC 5104 4.3.1.2)
    for (const auto& e : fir.entries) {
      w.u32be(e.ssrc);
      w.u8(e.sequence);
      w.u24be(0);
    }
    return finish_packet(out, start);
  }
  base::Status operator()(const Remb& remb) {
    if (remb.ssrcs.size() > 255) return fail("more than 255 SSRCs in REMB");
    uint64_t mantissa = remb.bitrate_bps;
    uint32_t exponent = 0;
    while (mantissa > 0x3FFFF) {
      mantissa >>= 1;
      ++exponent;
    }
    size_t start = begin_packet(out, kFmtApplication, kRtcpPsfb);
    base::ByteWriter w(out);
    w.u32be(remb.sender_ssrc);
    w.u32be(0);
    w.text("REMB");
    w.u8(static_cast<uint8_t>(remb.ssrcs.size()));
    w.u24be(static_cast<uint32_t>((exponent << 18) | mantissa));
    for (uint32_t s : remb.ssrcs) w.u32be(s);
    return finish_packet(out, start);
  }
  base::Status operator()(const TransportFeedback& fb) {
    size_t start = begin_packet(out, kFmtTransportFeedback, kRtcpRtpfb);
    base::ByteWriter w(out);
    w.u32be(fb.sender_ssrc);
    w.u32be(fb.media_ssrc);
    if (auto s = write_transport_feedback_fci(fb, out); !s) {
      out.resize(start);
      return s;
    }
    return finish_packet(out, start);
  }
};

}  // namespace

RtcpCompound parse_rtcp(std::span<const uint8_t> datagram) {
  RtcpCompound out;
  if (datagram.empty()) {
    out.error = fail("empty packet");
    return out;
  }
  base::ByteReader in(datagram);
  while (!in.empty()) {
    if (in.remaining() < 4) {
      out.error = fail("trailing bytes shorter than an RTCP header");
      break;
    }
    uint8_t b0 = in.u8();
    uint8_t type = in.u8();
    size_t length = size_t{in.u16be()} * 4;
    if ((b0 >> 6) != 2) {
      out.error = fail("version " + std::to_string(b0 >> 6) + " (expected 2)");
      break;
    }
    auto body = in.bytes(length);
    if (!in.ok()) {
      out.error = fail("packet length runs past the datagram");
      break;
    }
    if (b0 & 0x20) {
      uint8_t pad = body.empty() ? 0 : body.back();
      if (pad == 0 || pad > body.size()) {
        out.error = fail("bad padding count");
        break;
      }
      body = body.first(body.size() - pad);
    }
    if (auto s = parse_one(type, b0 & 0x1F, body, out); !s) {
      out.error = s.error();
      break;
    }
  }
  return out;
}

base::Status write_rtcp(const RtcpMessage& message, std::vector<uint8_t>& out) {
  return std::visit(Writer{out}, message);
}

}  // namespace vela::protocol::rtp
