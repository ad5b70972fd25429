#pragma once
// Test helpers for MPEG-TS: a tiny muxer for hand-made streams (packets, PAT/PMT sections,
// PES packets, ADTS and Annex B payloads) and a real stream made by ffmpeg (tests using it
// skip when ffmpeg is missing).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/mpegts/psi.hpp"
#include "format/mpegts/ts_packet.hpp"

namespace vela::format::mpegts::test {

using Bytes = std::vector<uint8_t>;

struct PacketOptions {
  bool random_access = false;
  bool discontinuity = false;
  std::optional<uint64_t> pcr_base;
};

// One packet: header, an adaptation field when flags are asked for or stuffing is needed,
// then as much payload as fits. `payload` is advanced past what was used.
inline Bytes make_packet(uint16_t pid, bool unit_start, uint8_t cc,
                         std::span<const uint8_t>& payload, const PacketOptions& options = {}) {
  Bytes p = {kSyncByte, static_cast<uint8_t>((unit_start ? 0x40 : 0) | (pid >> 8)),
             static_cast<uint8_t>(pid), 0};
  Bytes field;  // adaptation field after its length byte
  bool flags = options.random_access || options.discontinuity || options.pcr_base;
  if (flags) {
    field.push_back(static_cast<uint8_t>((options.discontinuity ? 0x80 : 0) |
                                         (options.random_access ? 0x40 : 0) |
                                         (options.pcr_base ? 0x10 : 0)));
    if (options.pcr_base) {
      uint64_t b = *options.pcr_base;
      for (uint8_t v : {uint8_t(b >> 25), uint8_t(b >> 17), uint8_t(b >> 9), uint8_t(b >> 1),
                        uint8_t((b & 1) << 7 | 0x7E), uint8_t(0)}) {
        field.push_back(v);
      }
    }
  }
  size_t room = kPacketSize - 4 - (flags ? 1 + field.size() : 0);
  bool adaptation = flags || payload.size() < room;
  if (adaptation && !flags) room -= 1;  // the length byte
  size_t take = std::min(room, payload.size());
  if (adaptation) {
    size_t length = kPacketSize - 4 - 1 - take;           // adaptation field fills the rest
    if (field.empty() && length > 0) field.push_back(0);  // flags byte
    field.resize(length, 0xFF);
    p.push_back(static_cast<uint8_t>(length));
    p.insert(p.end(), field.begin(), field.end());
  }
  p[3] = static_cast<uint8_t>((adaptation ? 0x20 : 0) | 0x10 | (cc & 0x0F));
  p.insert(p.end(), payload.begin(), payload.begin() + static_cast<ptrdiff_t>(take));
  payload = payload.subspan(take);
  return p;
}

// All packets carrying `unit` (a PES packet or, with a pointer field, a section).
inline Bytes packetize(uint16_t pid, std::span<const uint8_t> unit, uint8_t& cc,
                       PacketOptions first = {}) {
  Bytes out;
  bool start = true;
  do {
    Bytes p = make_packet(pid, start, cc++, unit, start ? first : PacketOptions{});
    out.insert(out.end(), p.begin(), p.end());
    start = false;
  } while (!unit.empty());
  return out;
}

inline void append_crc(Bytes& section) {
  uint32_t crc = crc32_mpeg2(section);
  for (int i = 3; i >= 0; --i) section.push_back(static_cast<uint8_t>(crc >> (8 * i)));
}

// A long-form section: table id, lengths, id, version; `body` then the CRC.
inline Bytes long_section(uint8_t table_id, uint16_t id, uint8_t version, const Bytes& body) {
  size_t length = 5 + body.size() + 4;
  Bytes s = {table_id,
             static_cast<uint8_t>(0xB0 | (length >> 8)),
             static_cast<uint8_t>(length),
             static_cast<uint8_t>(id >> 8),
             static_cast<uint8_t>(id),
             static_cast<uint8_t>(0xC1 | (version << 1)),
             0,
             0};
  s.insert(s.end(), body.begin(), body.end());
  append_crc(s);
  return s;
}

inline Bytes with_pointer(const Bytes& section) {
  Bytes out = {0};
  out.insert(out.end(), section.begin(), section.end());
  return out;
}

inline Bytes pat_section(uint16_t pmt_pid, uint16_t program = 1, uint8_t version = 0) {
  return long_section(
      kTableIdPat, 1, version,
      {uint8_t(program >> 8), uint8_t(program), uint8_t(0xE0 | pmt_pid >> 8), uint8_t(pmt_pid)});
}

struct TestStream {
  uint8_t stream_type;
  uint16_t pid;
  Bytes descriptors = {};
};

inline Bytes pmt_section(const std::vector<TestStream>& streams, uint16_t pcr_pid,
                         uint8_t version = 0, uint16_t program = 1) {
  Bytes body = {uint8_t(0xE0 | pcr_pid >> 8), uint8_t(pcr_pid), 0xF0, 0x00};
  for (const auto& s : streams) {
    body.insert(body.end(),
                {s.stream_type, uint8_t(0xE0 | s.pid >> 8), uint8_t(s.pid),
                 uint8_t(0xF0 | s.descriptors.size() >> 8), uint8_t(s.descriptors.size())});
    body.insert(body.end(), s.descriptors.begin(), s.descriptors.end());
  }
  return long_section(kTableIdPmt, program, version, body);
}

inline void put_timestamp(Bytes& out, uint8_t prefix, uint64_t t) {
  out.push_back(static_cast<uint8_t>(prefix << 4 | ((t >> 30) & 0x07) << 1 | 1));
  out.push_back(static_cast<uint8_t>(t >> 22));
  out.push_back(static_cast<uint8_t>(((t >> 14) & 0xFE) | 1));
  out.push_back(static_cast<uint8_t>(t >> 7));
  out.push_back(static_cast<uint8_t>(t << 1 | 1));
}

// A PES packet; `bounded` writes PES_packet_length (else 0, as for video).
inline Bytes make_pes(uint8_t stream_id, std::optional<uint64_t> pts, std::optional<uint64_t> dts,
                      std::span<const uint8_t> data, bool bounded) {
  Bytes header;
  if (pts && dts) {
    put_timestamp(header, 3, *pts);
    put_timestamp(header, 1, *dts);
  } else if (pts) {
    put_timestamp(header, 2, *pts);
  }
  uint8_t flags = pts ? (dts ? 0xC0 : 0x80) : 0;
  size_t length = bounded ? 3 + header.size() + data.size() : 0;
  Bytes p = {0,
             0,
             1,
             stream_id,
             uint8_t(length >> 8),
             uint8_t(length),
             0x80,
             flags,
             uint8_t(header.size())};
  p.insert(p.end(), header.begin(), header.end());
  p.insert(p.end(), data.begin(), data.end());
  return p;
}

// libx264 720p30 parameter sets and two tiny slices.
inline const Bytes kSps = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05,
                           0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00,
                           0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60};
inline const Bytes kPps = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
inline const Bytes kIdr = {0x65, 0x88, 0x84, 0x21};
inline const Bytes kSlice = {0x41, 0x9a, 0x02, 0x03};
inline const Bytes kAud = {0x09, 0xf0};

inline Bytes annex_b(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const auto& n : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

// ADTS frame (no CRC) around `raw`: AAC-LC, sampling index 3 (48 kHz), stereo by default.
inline Bytes adts_frame(const Bytes& raw, uint8_t sampling_index = 3, uint8_t channels = 2) {
  size_t length = 7 + raw.size();
  Bytes out = {0xFF,
               0xF1,
               static_cast<uint8_t>(1 << 6 | sampling_index << 2 | channels >> 2),
               static_cast<uint8_t>((channels & 3) << 6 | length >> 11),
               static_cast<uint8_t>(length >> 3),
               static_cast<uint8_t>((length & 7) << 5 | 0x1F),
               0xFC};
  out.insert(out.end(), raw.begin(), raw.end());
  return out;
}

inline bool tool_available(const char* path) {
  return ::access(path, X_OK) == 0;
}

// A 2 s test stream from ffmpeg (H.264 with B-frames, GOP 30, AAC), or nullopt.
inline std::optional<Bytes> ffmpeg_test_ts(const std::string& extra_args = "") {
  if (!tool_available("/usr/bin/ffmpeg")) return std::nullopt;
  auto path =
      std::filesystem::temp_directory_path() /
      ("vela_mpegts_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()) + ".ts");
  std::string cmd =
      "/usr/bin/ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=30 "
      "-f lavfi -i sine -c:v libx264 -g 30 -bf 2 -c:a aac -t 2 " +
      extra_args + " -f mpegts " + path.string();
  if (std::system(cmd.c_str()) != 0) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), {});
  std::filesystem::remove(path);
  if (bytes.empty()) return std::nullopt;
  return bytes;
}

}  // namespace vela::format::mpegts::test
