#include "format/mpegts/demuxer.hpp"

#include <algorithm>
#include <string>

#include "format/mpegts/pes.hpp"

namespace vela::format::mpegts {

base::Result<std::vector<DemuxEvent>> Demuxer::feed(std::span<const uint8_t> bytes) {
  if (error_) return *error_;
  std::vector<DemuxEvent> events;
  if (carry_.empty()) {
    auto consumed = process(bytes, events);
    if (!consumed) return consumed.error();
    carry_.assign(bytes.begin() + static_cast<ptrdiff_t>(*consumed), bytes.end());
  } else {
    carry_.insert(carry_.end(), bytes.begin(), bytes.end());
    auto consumed = process(carry_, events);
    if (!consumed) return consumed.error();
    carry_.erase(carry_.begin(), carry_.begin() + static_cast<ptrdiff_t>(*consumed));
  }
  return events;
}

std::vector<DemuxEvent> Demuxer::flush() {
  std::vector<DemuxEvent> events;
  if (error_) return events;
  // A last packet still waiting for the next one to confirm sync is taken as it is.
  if (carry_.size() >= kPacketSize && carry_[0] == kSyncByte) {
    handle_packet(std::span(carry_).first(kPacketSize), events);
  }
  carry_.clear();
  for (auto& state : pids_) {
    if (state.kind == PidKind::pes && state.pes_active) finish_pes(state, events);
  }
  return events;
}

DemuxStats Demuxer::stats() const {
  DemuxStats out = stats_;
  for (const auto& state : pids_) out.section_errors += state.sections.malformed();
  return out;
}

base::Result<size_t> Demuxer::process(std::span<const uint8_t> data,
                                      std::vector<DemuxEvent>& events) {
  size_t pos = 0;
  while (data.size() - pos >= kPacketSize) {
    bool at_sync = data[pos] == kSyncByte;
    if (at_sync && searching_) {
      // After a loss, a candidate counts only when the next packet starts with sync too.
      if (data.size() - pos <= kPacketSize) break;
      at_sync = data[pos + kPacketSize] == kSyncByte;
    }
    if (at_sync) {
      searching_ = false;
      synced_ = true;
      search_skipped_ = 0;
      handle_packet(data.subspan(pos, kPacketSize), events);
      pos += kPacketSize;
      continue;
    }
    if (!searching_) {
      searching_ = true;
      if (synced_) {
        ++stats_.resyncs;
        drop_partial_units();
      }
    }
    auto next = std::find(data.begin() + static_cast<ptrdiff_t>(pos) + 1, data.end(), kSyncByte);
    size_t skipped = static_cast<size_t>(next - data.begin()) - pos;
    pos += skipped;
    search_skipped_ += skipped;
    stats_.skipped_bytes += skipped;
    if (!synced_ && search_skipped_ > kMaxInitialSyncSearch) {
      error_ = base::make_error("not an MPEG-TS stream: no sync byte in the first " +
                                std::to_string(kMaxInitialSyncSearch) + " bytes");
      return *error_;
    }
    if (search_skipped_ > kMaxResyncSearch) {
      error_ = base::make_error("lost MPEG-TS sync for more than " +
                                std::to_string(kMaxResyncSearch) + " bytes");
      return *error_;
    }
  }
  return pos;
}

Demuxer::PidState* Demuxer::find(uint16_t pid) {
  for (auto& state : pids_) {
    if (state.pid == pid) return &state;
  }
  return nullptr;
}

void Demuxer::handle_packet(std::span<const uint8_t> bytes, std::vector<DemuxEvent>& events) {
  ++stats_.packets;
  auto packet = parse_ts_packet(bytes);
  if (!packet) {
    ++stats_.malformed_packets;
    return;
  }
  if (packet->pid == kNullPid) return;
  if (packet->pcr) last_pcr_ = packet->pcr;
  if (packet->pid == kPatPid && !find(kPatPid)) {
    PidState pat;
    pat.kind = PidKind::pat;
    pids_.push_back(std::move(pat));
  }
  PidState* state = find(packet->pid);
  if (!state) return;  // not a stream of the program we follow
  if (packet->transport_error || packet->scrambling != 0) {
    ++(packet->transport_error ? stats_.transport_errors : stats_.scrambled_packets);
    drop_pes(*state);
    state->sections.reset();
    return;
  }
  if (!continuity_ok(*state, *packet)) return;
  if (state->kind == PidKind::pes) {
    handle_pes_packet(*state, *packet, events);
    return;
  }
  if (!packet->has_payload) return;
  uint16_t pid = state->pid;
  for (auto& section : state->sections.feed(packet->payload, packet->payload_unit_start)) {
    state = find(pid);  // a table may have changed pids_
    if (!state) break;
    handle_section(*state, std::move(section), events);
  }
}

// False for a duplicate packet (to be skipped). A gap is counted and drops the unit in
// progress; the packet itself is used.
bool Demuxer::continuity_ok(PidState& state, const TsPacket& packet) {
  if (!packet.has_payload) {
    state.pending_discontinuity |= packet.discontinuity;
    return true;  // the counter only advances with payload
  }
  uint8_t cc = packet.continuity_counter;
  std::optional<uint8_t> last = state.last_cc;
  state.last_cc = cc;
  if (!last || packet.discontinuity || cc == ((*last + 1) & 0x0F)) return true;
  if (cc == *last) return false;  // duplicate (sent twice on purpose)
  ++stats_.cc_errors;
  drop_pes(state);
  state.sections.reset();
  return true;
}

size_t Demuxer::max_pes_size(const PidState& state) const {
  return is_video(state.codec) ? kMaxVideoPesSize : kMaxOtherPesSize;
}

void Demuxer::drop_pes(PidState& state) {
  if (state.pes_active) ++stats_.dropped_pes;
  state.pes_active = false;
  state.pes.clear();
}

void Demuxer::handle_pes_packet(PidState& state, const TsPacket& packet,
                                std::vector<DemuxEvent>& events) {
  if (!packet.has_payload) return;
  if (packet.payload_unit_start) {
    if (state.pes_active) finish_pes(state, events);  // an unbounded PES ends here
    state.pes.assign(packet.payload.begin(), packet.payload.end());
    state.pes_active = true;
    state.random_access = packet.random_access;
    state.discontinuity = packet.discontinuity || state.pending_discontinuity;
    state.pending_discontinuity = false;
  } else {
    if (!state.pes_active) return;  // waiting for the start of a PES
    state.pes.insert(state.pes.end(), packet.payload.begin(), packet.payload.end());
    state.random_access |= packet.random_access;
    state.discontinuity |= packet.discontinuity;
  }
  if (state.pes.size() > max_pes_size(state)) {
    drop_pes(state);
    return;
  }
  // A PES with a declared length is complete as soon as it is all here (no waiting).
  if (state.pes.size() >= 6) {
    size_t declared = (size_t{state.pes[4]} << 8) | state.pes[5];
    if (declared != 0 && state.pes.size() >= declared + 6) finish_pes(state, events);
  }
}

void Demuxer::finish_pes(PidState& state, std::vector<DemuxEvent>& events) {
  state.pes_active = false;
  std::vector<uint8_t> bytes = std::move(state.pes);
  state.pes = {};
  auto header = parse_pes_header(bytes);
  size_t end = bytes.size();
  if (header && header->packet_length != 0) end = size_t{header->packet_length} + 6;
  if (!header || end > bytes.size() || header->header_size > end) {
    ++stats_.dropped_pes;  // malformed or truncated
    return;
  }
  PesPacket out;
  out.pid = state.pid;
  out.stream_type = state.stream_type;
  out.codec = state.codec;
  out.pts = header->pts;
  out.dts = header->dts;
  out.random_access = state.random_access;
  out.discontinuity = state.discontinuity;
  base::Buffer all = base::Buffer::adopt(std::move(bytes));
  out.data = all.slice(header->header_size, end - header->header_size);
  events.emplace_back(std::move(out));
}

void Demuxer::drop_partial_units() {
  for (auto& state : pids_) {
    drop_pes(state);
    state.sections.reset();
    state.last_cc.reset();
  }
}

}  // namespace vela::format::mpegts
