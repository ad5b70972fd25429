#include "protocol/rtp/h264_packetizer.hpp"

#include <algorithm>
#include <span>
#include <string>

#include "media/codec/h264.hpp"

namespace vela::protocol::rtp {
namespace {

constexpr uint8_t kStapA = 24;
constexpr uint8_t kFuA = 28;
constexpr size_t kStapHeader = 1;
constexpr size_t kStapLength = 2;
constexpr size_t kFuHeader = 2;

// A planned payload: a slice of the access unit, or a range of the shared scratch bytes.
struct Piece {
  bool from_scratch = false;
  size_t offset = 0;
  size_t size = 0;
};

base::Error fail(const char* what) { return base::make_error(std::string("h264 rtp: ") + what); }

}  // namespace

base::Result<std::vector<RtpPayload>> packetize_h264(const base::Buffer& access_unit,
                                                     size_t max_payload) {
  if (max_payload < kFuHeader + 1) return fail("max payload below 3 bytes");
  std::vector<std::span<const uint8_t>> nals;
  media::codec::AvccNalIterator it(access_unit.span());
  while (auto nal = it.next()) nals.push_back(*nal);
  if (it.failed()) return fail("malformed AVCC framing");
  if (nals.empty()) return fail("access unit without NAL units");

  std::vector<uint8_t> scratch;
  std::vector<Piece> pieces;
  size_t i = 0;
  while (i < nals.size()) {
    // How many NAL units from i fit one STAP-A?
    size_t size = kStapHeader;
    size_t n = 0;
    uint8_t nri = 0;
    uint8_t forbidden = 0;
    while (i + n < nals.size() && nals[i + n].size() <= 0xFFFF &&
           size + kStapLength + nals[i + n].size() <= max_payload) {
      size += kStapLength + nals[i + n].size();
      nri = std::max<uint8_t>(nri, nals[i + n][0] & 0x60);
      forbidden |= nals[i + n][0] & 0x80;
      ++n;
    }
    if (n >= 2) {
      Piece p{true, scratch.size(), size};
      scratch.push_back(static_cast<uint8_t>(forbidden | nri | kStapA));
      for (size_t k = 0; k < n; ++k) {
        auto nal = nals[i + k];
        scratch.push_back(static_cast<uint8_t>(nal.size() >> 8));
        scratch.push_back(static_cast<uint8_t>(nal.size()));
        scratch.insert(scratch.end(), nal.begin(), nal.end());
      }
      pieces.push_back(p);
      i += n;
      continue;
    }
    auto nal = nals[i++];
    if (nal.size() <= max_payload) {
      pieces.push_back({false, static_cast<size_t>(nal.data() - access_unit.data()), nal.size()});
      continue;
    }
    // FU-A: the NAL header becomes the FU indicator (F, NRI) + FU header (S, E, type).
    const uint8_t header = nal[0];
    const size_t body = nal.size() - 1;
    const size_t room = max_payload - kFuHeader;
    const size_t count = (body + room - 1) / room;
    const size_t each = (body + count - 1) / count;
    size_t pos = 1;
    for (size_t k = 0; k < count; ++k) {
      size_t len = std::min(each, nal.size() - pos);
      Piece p{true, scratch.size(), kFuHeader + len};
      scratch.push_back(static_cast<uint8_t>((header & 0xE0) | kFuA));
      uint8_t fu = header & 0x1F;
      if (k == 0) fu |= 0x80;
      if (k + 1 == count) fu |= 0x40;
      scratch.push_back(fu);
      scratch.insert(scratch.end(), nal.begin() + static_cast<ptrdiff_t>(pos),
                     nal.begin() + static_cast<ptrdiff_t>(pos + len));
      pieces.push_back(p);
      pos += len;
    }
  }

  base::Buffer shared = base::Buffer::adopt(std::move(scratch));
  std::vector<RtpPayload> out;
  out.reserve(pieces.size());
  for (const auto& p : pieces) {
    const base::Buffer& source = p.from_scratch ? shared : access_unit;
    out.push_back({source.slice(p.offset, p.size), false});
  }
  out.back().marker = true;
  return out;
}

}  // namespace vela::protocol::rtp
