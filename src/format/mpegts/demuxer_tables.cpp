// Demuxer: the tables (PAT, PMT) that decide which PIDs are followed, and SCTE-35 cues.
#include <algorithm>

#include "format/mpegts/demuxer.hpp"

namespace vela::format::mpegts {

void Demuxer::handle_section(PidState& state, base::Buffer section,
                             std::vector<DemuxEvent>& events) {
  switch (state.kind) {
    case PidKind::pat:
      apply_pat(section.span());
      return;
    case PidKind::pmt:
      apply_pmt(section.span(), events);
      return;
    case PidKind::section:
      if (section.size() >= 3 && section.data()[0] == kTableIdScte35 &&
          section_crc_ok(section.span())) {
        events.emplace_back(Cue{state.pid, std::move(section)});
      } else {
        ++stats_.section_errors;
      }
      return;
    case PidKind::pes:
      return;
  }
}

void Demuxer::remove_if_kind(PidKind kind, uint16_t keep_pid) {
  std::erase_if(pids_, [&](const PidState& s) {
    bool remove = s.kind == kind && s.pid != keep_pid;
    if (remove) stats_.section_errors += s.sections.malformed();
    return remove;
  });
}

void Demuxer::apply_pat(std::span<const uint8_t> section) {
  auto pat = parse_pat(section);
  if (!pat) {
    ++stats_.section_errors;
    return;
  }
  if (!pat->current || pat->programs.empty()) return;
  // The first program is the one a contribution stream carries.
  const PatProgram& program = pat->programs.front();
  PidState* pmt = nullptr;
  for (auto& s : pids_) {
    if (s.kind == PidKind::pmt) pmt = &s;
  }
  if (pmt && pmt->pid == program.pmt_pid && program_number_ == program.program_number) return;
  // A different program: forget the old one's streams; its PMT announces the new ones.
  program_number_ = program.program_number;
  program_.reset();
  remove_if_kind(PidKind::pmt, kNullPid);
  remove_if_kind(PidKind::pes, kNullPid);
  remove_if_kind(PidKind::section, kNullPid);
  if (program.pmt_pid == kPatPid || program.pmt_pid == kNullPid) return;
  PidState state;
  state.pid = program.pmt_pid;
  state.kind = PidKind::pmt;
  pids_.push_back(std::move(state));
}

void Demuxer::apply_pmt(std::span<const uint8_t> section, std::vector<DemuxEvent>& events) {
  auto pmt = parse_pmt(section);
  if (!pmt) {
    ++stats_.section_errors;
    return;
  }
  if (!pmt->current || pmt->program_number != program_number_) return;
  uint16_t pmt_pid = 0;
  for (const auto& s : pids_) {
    if (s.kind == PidKind::pmt) pmt_pid = s.pid;
  }
  ProgramChanged program;
  program.program_number = pmt->program_number;
  program.version = pmt->version;
  program.pcr_pid = pmt->pcr_pid;
  for (const auto& stream : pmt->streams) {
    bool reserved = stream.pid == kPatPid || stream.pid == pmt_pid || stream.pid == kNullPid;
    bool seen = std::any_of(program.streams.begin(), program.streams.end(),
                            [&](const ElementaryStream& e) { return e.pid == stream.pid; });
    if (reserved || seen) continue;
    if (program.streams.size() == kMaxStreams) {
      ++stats_.ignored_streams;
      continue;
    }
    program.streams.push_back(
        {stream.pid, stream.stream_type, classify_stream(stream.stream_type, stream.registration)});
  }
  auto same_streams = [](const ProgramChanged& a, const ProgramChanged& b) {
    return a.pcr_pid == b.pcr_pid && a.streams.size() == b.streams.size() &&
           std::equal(a.streams.begin(), a.streams.end(), b.streams.begin(),
                      [](const ElementaryStream& x, const ElementaryStream& y) {
                        return x.pid == y.pid && x.stream_type == y.stream_type &&
                               x.codec == y.codec;
                      });
  };
  if (program_ && same_streams(*program_, program)) {
    program_->version = program.version;  // a new version with the same streams: nothing to do
    return;
  }
  // Streams gone (or changed type) are dropped, unchanged ones keep their state.
  std::erase_if(pids_, [&](const PidState& s) {
    if (s.kind != PidKind::pes && s.kind != PidKind::section) return false;
    return std::none_of(
        program.streams.begin(), program.streams.end(), [&](const ElementaryStream& e) {
          return e.pid == s.pid && e.stream_type == s.stream_type && e.codec == s.codec;
        });
  });
  for (const auto& stream : program.streams) {
    if (find(stream.pid)) continue;
    PidState state;
    state.pid = stream.pid;
    state.kind = stream.codec == StreamCodec::scte35 ? PidKind::section : PidKind::pes;
    state.stream_type = stream.stream_type;
    state.codec = stream.codec;
    pids_.push_back(std::move(state));
  }
  program_ = program;
  events.emplace_back(std::move(program));
}

}  // namespace vela::format::mpegts
