#pragma once
// Both ends of generic NACK (RFC 4585). Ingest: NackGenerator tracks received sequence
// numbers (with wrap-around), keeps the missing ones, and says which to request now:
// each is asked for again after retry_interval (about one RTT) and given up after
// max_retries requests or max_age; too many missing at once (a burst, or a sequence jump)
// clears the list and asks for a keyframe instead. Egress: RetransmissionBuffer keeps the
// last `capacity` packets sent, by sequence number, for resending (or wrapping in RTX).
// Pure: time is passed in.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/buffer.hpp"

namespace vela::protocol::rtp {

struct NackOptions {
  size_t max_missing = 1000;            // more than this: clear, ask for a keyframe
  int max_retries = 10;                 // requests per sequence number
  int64_t max_age_us = 1'000'000;       // stop asking for a packet missing this long
  int64_t retry_interval_us = 100'000;  // between requests for one packet (see set_rtt)
  int64_t min_retry_interval_us = 5'000;
  int64_t reorder_delay_us = 0;         // wait before the first request: reordering is not loss
};

struct NackStats {
  uint64_t missing = 0;    // sequence numbers found missing
  uint64_t recovered = 0;  // missing ones that arrived later
  uint64_t requests = 0;   // sequence numbers handed out by due() (retries included)
  uint64_t given_up = 0;   // dropped by age, retries or overflow
};

class NackGenerator {
 public:
  explicit NackGenerator(NackOptions options = {});

  // A packet arrived (original or retransmission).
  void on_packet(uint16_t sequence, int64_t now_us);
  // The sequence numbers to put in a NACK now, oldest first; counts a request for each.
  std::vector<uint16_t> due(int64_t now_us);
  // Retries follow the round-trip time (never faster than min_retry_interval_us).
  void set_rtt(int64_t rtt_us);
  // True once after the missing list overflowed (send PLI); cleared by the call.
  bool take_keyframe_request();

  size_t missing_count() const { return missing_.size(); }
  const NackStats& stats() const { return stats_; }

 private:
  struct Missing {
    int64_t index = 0;  // extended sequence number
    int64_t detected_us = 0;
    int64_t last_sent_us = 0;
    int retries = 0;
  };
  void give_up_all();

  NackOptions options_;
  NackStats stats_;
  std::deque<Missing> missing_;  // ascending index
  bool started_ = false;
  int64_t highest_ = 0;
  bool keyframe_request_ = false;
};

struct RetransmissionOptions {
  size_t capacity = 1024;                   // packets; rounded up to a power of two <= 32768
  int64_t max_age_us = 1'000'000;           // older packets are not resent
  int64_t min_resend_interval_us = 10'000;  // one resend per packet per interval
};

class RetransmissionBuffer {
 public:
  explicit RetransmissionBuffer(RetransmissionOptions options = {});

  // Remembers a packet as sent (replaces whatever held the same slot).
  void store(uint16_t sequence, base::Buffer packet, int64_t now_us);
  // The packet to resend for a NACKed sequence number: nullopt when it is gone, too old,
  // or was resent less than min_resend_interval_us ago.
  std::optional<base::Buffer> resend(uint16_t sequence, int64_t now_us);
  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    bool used = false;
    uint16_t sequence = 0;
    int64_t stored_us = 0;
    std::optional<int64_t> resent_us;
    base::Buffer packet;
  };
  RetransmissionOptions options_;
  std::vector<Slot> slots_;
};

}  // namespace vela::protocol::rtp
