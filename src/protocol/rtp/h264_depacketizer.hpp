#pragma once
// H.264 access units from RTP (RFC 6184: single NAL unit, STAP-A, FU-A). Packets may
// arrive in any order within a bounded reorder window, duplicated, or not at all. Units are
// assembled in sequence order and handed out in AVCC form (4-byte lengths) with their RTP
// timestamp and whether they hold an IDR slice. A unit ends at the marker bit (or when the
// timestamp changes without one).
//
// Start: the first packets are held for startup_hold_us so that one overtaken by a later
// packet still counts as the start. A sequence number far behind the current one (the
// sender restarted) starts over the same way, waiting for a keyframe.
//
// Loss: a gap is given up on when the window is full or when the first packet after it
// has waited max_wait_us (checked on push and on poll). The unit that spans the gap and the
// unit right after it are dropped, then every unit until the next keyframe (it could not be
// decoded without its references), and take_keyframe_request() says to send a PLI. Before
// the first keyframe non-key units are dropped the same way.
//
// Memory is bounded: reorder_window slots of at most max_packet_payload bytes, and one unit
// of at most max_access_unit bytes. Pure: time is passed in.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/buffer.hpp"
#include "protocol/rtp/rtp_packet.hpp"

namespace vela::protocol::rtp {

struct H264AccessUnit {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;  // holds an IDR slice
  base::Buffer avcc;      // 4-byte length-prefixed NAL units
};

struct H264DepacketizerOptions {
  size_t reorder_window = 512;         // packets
  int64_t max_wait_us = 150'000;       // how long a gap may hold later packets back
  int64_t startup_hold_us = 20'000;    // hold the first packets this long: any reordered
                                       // earlier one is then still taken as the start
  size_t max_packet_payload = 1500;    // larger payloads are dropped as malformed
  size_t max_access_unit = 8u << 20;   // larger units are dropped
};

struct H264DepacketizerStats {
  uint64_t packets = 0;
  uint64_t duplicates = 0;       // a sequence number already held in the window
  uint64_t late = 0;             // already consumed or given up on (late or duplicate)
  uint64_t lost = 0;             // sequence numbers given up on
  uint64_t malformed = 0;        // packets that broke their unit (bad STAP-A, FU-A order, ...)
  uint64_t units = 0;            // units handed out
  uint64_t dropped_units = 0;    // incomplete, malformed, or waiting for a keyframe
  uint64_t resets = 0;           // sequence jumped far back: state was restarted
};

class H264Depacketizer {
 public:
  explicit H264Depacketizer(H264DepacketizerOptions options = {});

  // Takes one packet; appends the units it completes to `out`.
  void push(uint16_t sequence, uint32_t timestamp, bool marker,
            std::span<const uint8_t> payload, int64_t now_us, std::vector<H264AccessUnit>& out);
  void push(const RtpPacketView& packet, int64_t now_us, std::vector<H264AccessUnit>& out) {
    push(packet.sequence, packet.timestamp, packet.marker, packet.payload, now_us, out);
  }
  // Gives up on gaps that have held packets back for max_wait_us; call from a timer.
  void poll(int64_t now_us, std::vector<H264AccessUnit>& out);

  // True once after units were dropped for want of a keyframe (the caller sends PLI and
  // rate-limits it); cleared by the call.
  bool take_keyframe_request();

  const H264DepacketizerStats& stats() const { return stats_; }
  size_t buffered_packets() const { return buffered_; }

 private:
  struct Slot {
    bool used = false;
    int64_t index = 0;  // extended sequence number
    uint32_t timestamp = 0;
    bool marker = false;
    int64_t arrival_us = 0;
    std::vector<uint8_t> payload;  // capacity reused
  };

  Slot& slot_for(int64_t index) { return slots_[static_cast<size_t>(index) % slots_.size()]; }
  int64_t unwrap(uint16_t sequence) const;
  void start(int64_t index, int64_t now_us);
  void drain(std::vector<H264AccessUnit>& out);
  void advance_to(int64_t index, std::vector<H264AccessUnit>& out);
  void mark_gap();
  void consume(const Slot& slot, std::vector<H264AccessUnit>& out);
  void append_payload(std::span<const uint8_t> payload);
  void append_nal(std::span<const uint8_t> nal);
  void break_unit();
  void finish_unit(std::vector<H264AccessUnit>& out);

  H264DepacketizerOptions options_;
  H264DepacketizerStats stats_;
  std::vector<Slot> slots_;
  size_t buffered_ = 0;
  bool started_ = false;
  bool holding_ = false;  // start-up hold: nothing consumed until hold_until_us_
  int64_t hold_until_us_ = 0;
  int64_t next_ = 0;     // extended sequence number of the next packet to consume
  int64_t highest_ = 0;  // highest extended sequence number seen

  // The unit being assembled.
  bool in_unit_ = false;
  uint32_t unit_timestamp_ = 0;
  bool unit_broken_ = false;
  bool unit_keyframe_ = false;
  std::vector<uint8_t> unit_;
  bool in_fragment_ = false;
  size_t fragment_start_ = 0;  // offset of the 4-byte length of the NAL being reassembled
  uint8_t fragment_type_ = 0;

  bool gap_before_next_ = false;
  bool awaiting_keyframe_ = true;
  bool requested_ = false;        // a request was made since we started waiting
  bool keyframe_request_ = false;
};

}  // namespace vela::protocol::rtp
