#include "protocol/rtp/transport_feedback.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::protocol::rtp {
namespace {

constexpr int64_t kTickUs = 250;
constexpr int64_t kReferenceUnitUs = 64000;
constexpr int64_t kTicksPerReference = kReferenceUnitUs / kTickUs;  // 256
constexpr size_t kMaxRun = 0x1FFF;

enum Symbol : uint8_t { kNotReceived = 0, kSmallDelta = 1, kLargeDelta = 2, kReserved = 3 };

base::Error fail(const std::string& what) { return base::make_error("rtcp twcc: " + what); }

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int32_t sign_extend_24(uint32_t v) {
  v &= 0xFFFFFF;
  return (v & 0x800000) ? static_cast<int32_t>(v) - 0x1000000 : static_cast<int32_t>(v);
}

uint8_t symbol_of(const TwccStatus& s) {
  if (!s.received) return kNotReceived;
  return (s.delta_ticks >= 0 && s.delta_ticks <= 255) ? kSmallDelta : kLargeDelta;
}

// Greedy chunking: a run-length chunk for long runs, else a status vector (one-bit when
// the next 14 symbols need no large delta, two-bit otherwise). Vector chunks past the end
// are padded with "not received"; the status count tells the reader where to stop.
void write_chunks(const std::vector<uint8_t>& symbols, base::ByteWriter& w) {
  size_t i = 0;
  while (i < symbols.size()) {
    size_t run = 1;
    while (i + run < symbols.size() && symbols[i + run] == symbols[i] && run < kMaxRun) ++run;
    size_t left = symbols.size() - i;
    bool small_only = true;
    for (size_t k = i; k < i + 14 && k < symbols.size(); ++k)
      if (symbols[k] > kSmallDelta) small_only = false;
    if (run >= 14 || run == left) {
      w.u16be(static_cast<uint16_t>((symbols[i] << 13) | run));
      i += run;
    } else if (small_only) {
      uint16_t chunk = 0x8000;
      for (size_t k = 0; k < 14; ++k)
        if (i + k < symbols.size() && symbols[i + k] == kSmallDelta) chunk |= 1u << (13 - k);
      w.u16be(chunk);
      i += 14;
    } else if (run >= 7) {
      w.u16be(static_cast<uint16_t>((symbols[i] << 13) | run));
      i += run;
    } else {
      uint16_t chunk = 0xC000;
      for (size_t k = 0; k < 7; ++k)
        if (i + k < symbols.size()) chunk |= static_cast<uint16_t>(symbols[i + k] << (12 - 2 * k));
      w.u16be(chunk);
      i += 7;
    }
  }
}

}  // namespace

base::Result<TransportFeedback> make_transport_feedback(uint32_t sender_ssrc,
                                                        uint32_t media_ssrc,
                                                        uint8_t feedback_count,
                                                        std::span<const TwccArrival> received) {
  if (received.empty()) return fail("no packets to report");
  const uint16_t anchor = received.front().sequence;
  int32_t min_off = 0, max_off = 0;
  for (const auto& r : received) {
    int32_t off = static_cast<int16_t>(static_cast<uint16_t>(r.sequence - anchor));
    min_off = std::min(min_off, off);
    max_off = std::max(max_off, off);
  }
  const size_t span = static_cast<size_t>(max_off - min_off) + 1;
  if (span > 32768) return fail("sequence numbers span more than 32768");
  std::vector<std::optional<int64_t>> slots(span);
  for (const auto& r : received) {
    int32_t off = static_cast<int16_t>(static_cast<uint16_t>(r.sequence - anchor));
    auto& slot = slots[static_cast<size_t>(off - min_off)];
    if (!slot && r.arrival_us) slot = r.arrival_us;
  }
  TransportFeedback fb;
  fb.sender_ssrc = sender_ssrc;
  fb.media_ssrc = media_ssrc;
  fb.feedback_count = feedback_count;
  fb.base_sequence = static_cast<uint16_t>(anchor + min_off);
  fb.statuses.resize(span);
  bool have_reference = false;
  int64_t previous_ticks = 0;
  for (size_t i = 0; i < span; ++i) {
    if (!slots[i]) continue;
    int64_t ticks = floor_div(*slots[i], kTickUs);
    if (!have_reference) {
      int64_t reference = floor_div(*slots[i], kReferenceUnitUs);
      fb.reference_time = sign_extend_24(static_cast<uint32_t>(reference));
      previous_ticks = reference * kTicksPerReference;
      have_reference = true;
    }
    int64_t delta = ticks - previous_ticks;
    if (delta < INT16_MIN || delta > INT16_MAX)
      return fail("arrival delta of " + std::to_string(delta * kTickUs) + " us does not fit");
    fb.statuses[i] = TwccStatus{true, static_cast<int32_t>(delta)};
    previous_ticks = ticks;
  }
  return fb;
}

std::vector<TwccArrival> feedback_arrivals(const TransportFeedback& feedback) {
  std::vector<TwccArrival> out;
  out.reserve(feedback.statuses.size());
  int64_t ticks = int64_t{feedback.reference_time} * kTicksPerReference;
  for (size_t i = 0; i < feedback.statuses.size(); ++i) {
    TwccArrival a;
    a.sequence = static_cast<uint16_t>(feedback.base_sequence + i);
    if (feedback.statuses[i].received) {
      ticks += feedback.statuses[i].delta_ticks;
      a.arrival_us = ticks * kTickUs;
    }
    out.push_back(a);
  }
  return out;
}

base::Status parse_transport_feedback_fci(std::span<const uint8_t> fci, TransportFeedback& out) {
  base::ByteReader in(fci);
  out.base_sequence = in.u16be();
  uint16_t count = in.u16be();
  out.reference_time = sign_extend_24(in.u24be());
  out.feedback_count = in.u8();
  if (!in.ok()) return fail("feedback shorter than its 8-byte header");
  std::vector<uint8_t> symbols;
  symbols.reserve(count);
  while (symbols.size() < count) {
    uint16_t chunk = in.u16be();
    if (!in.ok()) return fail("packet chunks run past the packet");
    size_t room = count - symbols.size();
    if ((chunk & 0x8000) == 0) {
      uint8_t symbol = (chunk >> 13) & 3;
      size_t run = std::min<size_t>(chunk & 0x1FFF, room);
      symbols.insert(symbols.end(), run, symbol);
    } else if ((chunk & 0x4000) == 0) {
      for (size_t k = 0; k < 14 && k < room; ++k) symbols.push_back((chunk >> (13 - k)) & 1);
    } else {
      for (size_t k = 0; k < 7 && k < room; ++k) symbols.push_back((chunk >> (12 - 2 * k)) & 3);
    }
  }
  out.statuses.assign(count, TwccStatus{});
  for (size_t i = 0; i < count; ++i) {
    switch (symbols[i]) {
      case kNotReceived:
        break;
      case kSmallDelta:
        out.statuses[i] = TwccStatus{true, in.u8()};
        break;
      case kLargeDelta:
        out.statuses[i] = TwccStatus{true, static_cast<int16_t>(in.u16be())};
        break;
      default:
        return fail("reserved status symbol");
    }
  }
  if (!in.ok()) return fail("receive deltas run past the packet");
  return {};
}

base::Status write_transport_feedback_fci(const TransportFeedback& fb, std::vector<uint8_t>& out) {
  if (fb.statuses.size() > 0xFFFF) return fail("more than 65535 statuses");
  if (fb.reference_time < -0x800000 || fb.reference_time > 0x7FFFFF)
    return fail("reference time outside 24 bits");
  std::vector<uint8_t> symbols;
  symbols.reserve(fb.statuses.size());
  for (const auto& s : fb.statuses) {
    if (s.received && (s.delta_ticks < INT16_MIN || s.delta_ticks > INT16_MAX))
      return fail("delta outside int16 ticks");
    symbols.push_back(symbol_of(s));
  }
  base::ByteWriter w(out);
  w.u16be(fb.base_sequence);
  w.u16be(static_cast<uint16_t>(fb.statuses.size()));
  w.u24be(static_cast<uint32_t>(fb.reference_time) & 0xFFFFFF);
  w.u8(fb.feedback_count);
  write_chunks(symbols, w);
  for (size_t i = 0; i < fb.statuses.size(); ++i) {
    if (symbols[i] == kSmallDelta) w.u8(static_cast<uint8_t>(fb.statuses[i].delta_ticks));
    if (symbols[i] == kLargeDelta) w.u16be(static_cast<uint16_t>(fb.statuses[i].delta_ticks));
  }
  return {};
}

}  // namespace vela::protocol::rtp
