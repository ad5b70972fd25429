#include "protocol/rtp/h264_depacketizer.hpp"

#include <algorithm>

#include "base/byte_reader.hpp"
#include "media/codec/h264.hpp"

namespace vela::protocol::rtp {
namespace {

constexpr uint8_t kStapA = 24;
constexpr uint8_t kFuA = 28;
constexpr int64_t kMinResetDistance = 3000;

}  // namespace

H264Depacketizer::H264Depacketizer(H264DepacketizerOptions options)
    : options_(options), slots_(std::max<size_t>(options.reorder_window, 1)) {}

int64_t H264Depacketizer::unwrap(uint16_t sequence) const {
  auto diff = static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
  return highest_ + diff;
}

bool H264Depacketizer::take_keyframe_request() {
  bool r = keyframe_request_;
  keyframe_request_ = false;
  return r;
}

void H264Depacketizer::start(int64_t index, int64_t now_us) {
  for (auto& s : slots_) s.used = false;
  buffered_ = 0;
  if (in_unit_) ++stats_.dropped_units;
  in_unit_ = false;
  gap_before_next_ = false;
  awaiting_keyframe_ = true;
  requested_ = false;
  next_ = highest_ = index;
  holding_ = options_.startup_hold_us > 0;
  hold_until_us_ = now_us + options_.startup_hold_us;
}

void H264Depacketizer::push(uint16_t sequence, uint32_t timestamp, bool marker,
                            std::span<const uint8_t> payload, int64_t now_us,
                            std::vector<H264AccessUnit>& out) {
  ++stats_.packets;
  if (!started_) {
    started_ = true;
    start(sequence, now_us);
  }
  int64_t index = unwrap(sequence);
  const auto window = static_cast<int64_t>(slots_.size());
  if (holding_ && index < next_ && highest_ - index < window) next_ = index;
  if (index < next_) {
    if (next_ - index > std::max(kMinResetDistance, 2 * window)) {
      ++stats_.resets;  // the sender restarted its sequence numbers
      start(index, now_us);
    } else {
      ++stats_.late;
      poll(now_us, out);
      return;
    }
  }
  highest_ = std::max(highest_, index);
  if (index >= next_ + window) advance_to(index - window + 1, out);
  Slot& slot = slot_for(index);
  if (slot.used) {
    ++stats_.duplicates;
  } else if (payload.empty() || payload.size() > options_.max_packet_payload) {
    ++stats_.malformed;  // left as a hole: the unit it belonged to is lost
  } else {
    slot.used = true;
    slot.index = index;
    slot.timestamp = timestamp;
    slot.marker = marker;
    slot.arrival_us = now_us;
    slot.payload.assign(payload.begin(), payload.end());
    ++buffered_;
  }
  drain(out);
  poll(now_us, out);
}

void H264Depacketizer::poll(int64_t now_us, std::vector<H264AccessUnit>& out) {
  if (holding_) {
    if (now_us < hold_until_us_) return;
    holding_ = false;
  }
  while (buffered_ > 0) {
    int64_t first = next_;
    const int64_t end = next_ + static_cast<int64_t>(slots_.size());
    while (first < end && !slot_for(first).used) ++first;  // buffered_ > 0: one is in the window
    if (first == next_) {
      drain(out);
      continue;
    }
    if (now_us - slot_for(first).arrival_us < options_.max_wait_us) return;
    advance_to(first, out);
  }
}

void H264Depacketizer::drain(std::vector<H264AccessUnit>& out) {
  if (holding_) return;
  while (buffered_ > 0) {
    Slot& slot = slot_for(next_);
    if (!slot.used) return;
    slot.used = false;
    --buffered_;
    ++next_;
    consume(slot, out);
  }
}

void H264Depacketizer::advance_to(int64_t index, std::vector<H264AccessUnit>& out) {
  holding_ = false;  // the window is full: the hold is over
  while (next_ < index) {
    if (buffered_ == 0) {
      stats_.lost += static_cast<uint64_t>(index - next_);
      mark_gap();
      next_ = index;
      break;
    }
    Slot& slot = slot_for(next_);
    ++next_;
    if (slot.used) {
      slot.used = false;
      --buffered_;
      consume(slot, out);
    } else {
      ++stats_.lost;
      mark_gap();
    }
  }
  drain(out);
}

void H264Depacketizer::mark_gap() {
  gap_before_next_ = true;
  if (in_unit_) unit_broken_ = true;
}

void H264Depacketizer::consume(const Slot& slot, std::vector<H264AccessUnit>& out) {
  if (in_unit_ && slot.timestamp != unit_timestamp_) finish_unit(out);  // no marker seen
  if (!in_unit_) {
    in_unit_ = true;
    unit_timestamp_ = slot.timestamp;
    unit_broken_ = gap_before_next_;
    unit_keyframe_ = false;
    in_fragment_ = false;
    unit_.clear();
  } else if (gap_before_next_) {
    unit_broken_ = true;
  }
  gap_before_next_ = false;
  if (!unit_broken_) append_payload(slot.payload);
  if (slot.marker) finish_unit(out);
}

void H264Depacketizer::break_unit() {
  if (!unit_broken_) ++stats_.malformed;
  unit_broken_ = true;
  unit_.clear();
}

void H264Depacketizer::append_nal(std::span<const uint8_t> nal) {
  if (media::codec::nal_type(nal[0]) == media::codec::kNalIdr) unit_keyframe_ = true;
  const size_t n = nal.size();
  unit_.push_back(static_cast<uint8_t>(n >> 24));
  unit_.push_back(static_cast<uint8_t>(n >> 16));
  unit_.push_back(static_cast<uint8_t>(n >> 8));
  unit_.push_back(static_cast<uint8_t>(n));
  unit_.insert(unit_.end(), nal.begin(), nal.end());
}

void H264Depacketizer::append_payload(std::span<const uint8_t> payload) {
  const uint8_t type = media::codec::nal_type(payload[0]);
  if (type != kFuA && in_fragment_) return break_unit();  // a fragmented NAL never ended
  if (type >= 1 && type <= 23) {
    append_nal(payload);
  } else if (type == kStapA) {
    base::ByteReader in(payload.subspan(1));
    if (in.empty()) return break_unit();
    while (!in.empty()) {
      uint16_t size = in.u16be();
      auto nal = in.bytes(size);
      if (!in.ok() || size == 0) return break_unit();
      append_nal(nal);
    }
  } else if (type == kFuA) {
    if (payload.size() < 3) return break_unit();
    const uint8_t fu = payload[1];
    const bool start = (fu & 0x80) != 0;
    const bool end = (fu & 0x40) != 0;
    const uint8_t nal_type = fu & 0x1F;
    if (start) {
      if (in_fragment_) return break_unit();
      in_fragment_ = true;
      fragment_type_ = nal_type;
      fragment_start_ = unit_.size();
      unit_.insert(unit_.end(), 4, 0);
      unit_.push_back(static_cast<uint8_t>((payload[0] & 0xE0) | nal_type));
      if (nal_type == media::codec::kNalIdr) unit_keyframe_ = true;
    } else if (!in_fragment_ || nal_type != fragment_type_) {
      return break_unit();
    }
    unit_.insert(unit_.end(), payload.begin() + 2, payload.end());
    if (end) {
      const size_t n = unit_.size() - fragment_start_ - 4;
      for (int i = 0; i < 4; ++i)
        unit_[fragment_start_ + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
      in_fragment_ = false;
    }
  } else {
    return break_unit();  // STAP-B, MTAP, FU-B, reserved: not in packetization-mode 1
  }
  if (unit_.size() > options_.max_access_unit) {
    break_unit();
    unit_.shrink_to_fit();
  }
}

void H264Depacketizer::finish_unit(std::vector<H264AccessUnit>& out) {
  in_unit_ = false;
  if (!unit_broken_ && (in_fragment_ || unit_.empty())) break_unit();
  if (unit_broken_) {
    ++stats_.dropped_units;
    awaiting_keyframe_ = true;
    keyframe_request_ = true;
    requested_ = true;
    return;
  }
  if (awaiting_keyframe_ && !unit_keyframe_) {
    ++stats_.dropped_units;
    if (!requested_) keyframe_request_ = requested_ = true;
    return;
  }
  awaiting_keyframe_ = false;
  requested_ = false;
  ++stats_.units;
  const size_t size = unit_.size();
  out.push_back({unit_timestamp_, unit_keyframe_, base::Buffer::adopt(std::move(unit_))});
  unit_ = {};
  unit_.reserve(size + size / 4);  // one allocation per unit in steady state
}

}  // namespace vela::protocol::rtp
