#include "protocol/rtp/nack.hpp"

#include <algorithm>

namespace vela::protocol::rtp {

NackGenerator::NackGenerator(NackOptions options) : options_(options) {}

void NackGenerator::give_up_all() {
  stats_.given_up += missing_.size();
  missing_.clear();
  keyframe_request_ = true;
}

void NackGenerator::on_packet(uint16_t sequence, int64_t now_us) {
  if (!started_) {
    started_ = true;
    highest_ = sequence;
    return;
  }
  auto diff = static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
  const int64_t index = highest_ + diff;
  if (index > highest_) {
    const auto gap = static_cast<size_t>(index - highest_ - 1);
    if (gap > options_.max_missing) {
      stats_.missing += gap;
      stats_.given_up += gap;
      give_up_all();
    } else {
      for (int64_t i = highest_ + 1; i < index; ++i) missing_.push_back({i, now_us, 0, 0});
      stats_.missing += gap;
      if (missing_.size() > options_.max_missing) {
        // Too much to recover packet by packet: a keyframe is cheaper.
        give_up_all();
      }
    }
    highest_ = index;
    return;
  }
  auto it = std::lower_bound(missing_.begin(), missing_.end(), index,
                             [](const Missing& m, int64_t i) { return m.index < i; });
  if (it != missing_.end() && it->index == index) {
    missing_.erase(it);
    ++stats_.recovered;
  }
}

std::vector<uint16_t> NackGenerator::due(int64_t now_us) {
  std::vector<uint16_t> out;
  auto expired = [&](const Missing& m) {
    return m.retries >= options_.max_retries || now_us - m.detected_us >= options_.max_age_us;
  };
  const size_t before = missing_.size();
  missing_.erase(std::remove_if(missing_.begin(), missing_.end(), expired), missing_.end());
  stats_.given_up += before - missing_.size();
  for (auto& m : missing_) {
    if (now_us - m.detected_us < options_.reorder_delay_us) continue;
    if (m.retries > 0 && now_us - m.last_sent_us < options_.retry_interval_us) continue;
    ++m.retries;
    m.last_sent_us = now_us;
    out.push_back(static_cast<uint16_t>(m.index));
  }
  stats_.requests += out.size();
  return out;
}

void NackGenerator::set_rtt(int64_t rtt_us) {
  options_.retry_interval_us = std::max(rtt_us, options_.min_retry_interval_us);
}

bool NackGenerator::take_keyframe_request() {
  bool r = keyframe_request_;
  keyframe_request_ = false;
  return r;
}

namespace {
size_t ring_size(size_t capacity) {
  size_t n = 1;
  while (n < capacity && n < 32768) n <<= 1;
  return n;
}
}  // namespace

RetransmissionBuffer::RetransmissionBuffer(RetransmissionOptions options)
    : options_(options), slots_(ring_size(options.capacity)) {}

void RetransmissionBuffer::store(uint16_t sequence, base::Buffer packet, int64_t now_us) {
  Slot& slot = slots_[sequence & (slots_.size() - 1)];
  slot.used = true;
  slot.sequence = sequence;
  slot.stored_us = now_us;
  slot.resent_us.reset();
  slot.packet = std::move(packet);
}

std::optional<base::Buffer> RetransmissionBuffer::resend(uint16_t sequence, int64_t now_us) {
  Slot& slot = slots_[sequence & (slots_.size() - 1)];
  if (!slot.used || slot.sequence != sequence) return std::nullopt;
  if (now_us - slot.stored_us > options_.max_age_us) return std::nullopt;
  if (slot.resent_us && now_us - *slot.resent_us < options_.min_resend_interval_us)
    return std::nullopt;
  slot.resent_us = now_us;
  return slot.packet;
}

}  // namespace vela::protocol::rtp
