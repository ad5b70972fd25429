#pragma once
// Test helpers for fMP4 output: a tiny ISO BMFF box walker to read our own bytes back, and
// real H.264/AAC frames made by ffmpeg (tests using them skip when ffmpeg is missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/buffer.hpp"
#include "base/byte_reader.hpp"
#include "media/media_frame.hpp"

namespace vela::format::fmp4::test {

struct BoxView {
  std::string type;
  std::span<const uint8_t> body;  // after the 8-byte header
  size_t size = 0;                // including the header
};

// The boxes laid end to end in `bytes`; flags a test failure if a size is inconsistent.
inline std::vector<BoxView> boxes_in(std::span<const uint8_t> bytes) {
  std::vector<BoxView> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    base::ByteReader in(bytes.subspan(pos));
    uint32_t size = in.u32be();
    auto type = in.bytes(4);
    if (!in.ok() || size < 8 || size > bytes.size() - pos) {
      ADD_FAILURE() << "bad box at offset " << pos;
      return out;
    }
    out.push_back({std::string(type.begin(), type.end()), bytes.subspan(pos + 8, size - 8), size});
    pos += size;
  }
  return out;
}

// The first box of this type laid out in `bytes`, or nullopt.
inline std::optional<BoxView> child(std::span<const uint8_t> bytes, std::string_view type) {
  for (const auto& box : boxes_in(bytes)) {
    if (box.type == type) return box;
  }
  return std::nullopt;
}

// Follows a path like "moov/trak/mdia"; each step takes the first matching child.
inline std::optional<BoxView> find_path(std::span<const uint8_t> bytes, std::string_view path) {
  std::optional<BoxView> box;
  std::span<const uint8_t> scope = bytes;
  while (!path.empty()) {
    size_t slash = path.find('/');
    box = child(scope, path.substr(0, slash));
    if (!box) return std::nullopt;
    scope = box->body;
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return box;
}

inline uint32_t u32_at(std::span<const uint8_t> bytes, size_t offset) {
  base::ByteReader in(bytes.subspan(offset));
  return in.u32be();
}
inline uint64_t u64_at(std::span<const uint8_t> bytes, size_t offset) {
  base::ByteReader in(bytes.subspan(offset));
  return in.u64be();
}

// One trun sample as written by us (all per-sample fields present except, maybe, cts).
struct TrunSample {
  uint32_t duration = 0;
  uint32_t size = 0;
  uint32_t flags = 0;
  int32_t cts = 0;
};

struct TrafView {
  uint32_t track_id = 0;
  uint32_t tfhd_flags = 0;
  uint64_t base_decode_time = 0;
  uint32_t trun_flags = 0;
  int32_t data_offset = 0;
  std::vector<TrunSample> samples;
};

inline TrafView read_traf(const BoxView& traf) {
  TrafView view;
  auto tfhd = child(traf.body, "tfhd");
  auto tfdt = child(traf.body, "tfdt");
  auto trun = child(traf.body, "trun");
  if (!tfhd || !tfdt || !trun) {
    ADD_FAILURE() << "traf without tfhd/tfdt/trun";
    return view;
  }
  view.tfhd_flags = u32_at(tfhd->body, 0) & 0xffffff;
  view.track_id = u32_at(tfhd->body, 4);
  view.base_decode_time = u64_at(tfdt->body, 4);
  base::ByteReader in(trun->body);
  view.trun_flags = in.u32be() & 0xffffff;
  uint32_t count = in.u32be();
  view.data_offset = static_cast<int32_t>(in.u32be());
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    TrunSample s;
    s.duration = in.u32be();
    s.size = in.u32be();
    s.flags = in.u32be();
    if (view.trun_flags & 0x800) s.cts = static_cast<int32_t>(in.u32be());
    view.samples.push_back(s);
  }
  EXPECT_TRUE(in.ok() && in.empty()) << "trun size mismatch";
  return view;
}

// All trafs of a fragment's moof, in order.
inline std::vector<TrafView> read_trafs(std::span<const uint8_t> fragment) {
  std::vector<TrafView> out;
  auto moof = child(fragment, "moof");
  if (!moof) return out;
  for (const auto& box : boxes_in(moof->body)) {
    if (box.type == "traf") out.push_back(read_traf(box));
  }
  return out;
}

inline uint32_t mfhd_sequence(std::span<const uint8_t> fragment) {
  auto mfhd = find_path(fragment, "moof/mfhd");
  return mfhd ? u32_at(mfhd->body, 4) : 0;
}

// ---- real media from ffmpeg ----

inline bool tool_available(const char* path) {
  return access(path, X_OK) == 0;
}

inline std::filesystem::path temp_path(std::string_view name) {
  return std::filesystem::temp_directory_path() /
         ("vela_fmp4_" + std::to_string(getpid()) + "_" + std::string(name));
}

// Runs a shell command and returns its stdout (stderr as the command redirects it).
inline std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  pclose(pipe);
  return out;
}

struct TestMedia {
  base::Buffer avcc;                    // AVC sequence header
  base::Buffer asc;                     // AAC AudioSpecificConfig
  std::vector<media::FramePtr> frames;  // interleaved as in the FLV, DTS order per track
};

constexpr uint32_t kTestVideoId = 7;  // stream track ids, deliberately not 1 and 2
constexpr uint32_t kTestAudioId = 9;
constexpr int64_t kTestAudioRate = 48000;

// Reads the FLV that ffmpeg wrote: AVC and AAC tags become frames (video 90 kHz, audio
// 48 kHz counted in whole AAC frames), sequence headers become avcc/asc.
inline std::optional<TestMedia> read_flv(std::span<const uint8_t> flv) {
  TestMedia media;
  base::ByteReader in(flv);
  in.skip(9 + 4);  // header, PreviousTagSize0
  int64_t audio_frames = 0;
  while (in.ok() && !in.empty()) {
    uint8_t type = in.u8();
    uint32_t size = in.u24be();
    uint32_t ms = in.u24be() | (uint32_t{in.u8()} << 24);
    in.skip(3);
    base::ByteReader tag(in.bytes(size));
    in.skip(4);
    if (!in.ok()) return std::nullopt;
    auto frame = std::make_shared<media::MediaFrame>();
    frame->wall_clock_us = int64_t{ms} * 1000;
    if (type == 9) {
      uint8_t flags = tag.u8();
      uint8_t packet_type = tag.u8();
      uint32_t cts_raw = tag.u24be();
      int32_t cts_ms = static_cast<int32_t>(cts_raw << 8) >> 8;
      auto body = tag.rest();
      if (packet_type == 0) {
        media.avcc = base::Buffer::copy_of(body);
        continue;
      }
      if (packet_type != 1) continue;
      frame->track_id = kTestVideoId;
      frame->dts = int64_t{ms} * 90;
      frame->cts = cts_ms * 90;
      frame->keyframe = (flags >> 4) == 1;
      frame->payload = base::Buffer::copy_of(body);
    } else if (type == 8) {
      tag.u8();
      uint8_t packet_type = tag.u8();
      auto body = tag.rest();
      if (packet_type == 0) {
        media.asc = base::Buffer::copy_of(body);
        continue;
      }
      frame->track_id = kTestAudioId;
      frame->dts = audio_frames++ * 1024;
      frame->keyframe = true;
      frame->payload = base::Buffer::copy_of(body);
    } else {
      continue;
    }
    media.frames.push_back(std::move(frame));
  }
  if (media.avcc.empty() || media.asc.empty()) return std::nullopt;
  return media;
}

// 3 s of 320x240 30 fps x264 (B-frames, a keyframe every second) and 48 kHz stereo AAC.
// nullopt when ffmpeg is missing or fails.
inline std::optional<TestMedia> make_test_media() {
  if (!tool_available("/usr/bin/ffmpeg")) return std::nullopt;
  auto path = temp_path("media.flv");
  std::string command =
      "/usr/bin/ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 "
      "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 -c:v libx264 -preset veryfast "
      "-bf 2 -g 30 -keyint_min 30 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -ac 2 -b:a 64k "
      "-f flv " +
      path.string() + " 2>&1";
  run_command(command);
  std::ifstream file(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), {});
  std::filesystem::remove(path);
  if (bytes.empty()) return std::nullopt;
  return read_flv(bytes);
}

struct ProbeResult {
  std::string video;          // ffprobe key=value lines for v:0 (codec_name, width, ...)
  std::string audio;          // for a:0
  std::string decode_errors;  // ffmpeg's complaints when decoding the whole file
};

// Probes and fully decodes an fMP4 file with ffprobe/ffmpeg.
inline ProbeResult probe_file(const std::filesystem::path& path) {
  auto probe = [&](const char* stream) {
    return run_command(std::string("/usr/bin/ffprobe -v error -count_frames -select_streams ") +
                       stream +
                       " -show_entries stream=codec_name,width,height,sample_rate,channels,"
                       "nb_read_frames -of default=nw=1 " +
                       path.string() + " 2>&1");
  };
  ProbeResult result;
  result.video = probe("v:0");
  result.audio = probe("a:0");
  result.decode_errors =
      run_command("/usr/bin/ffmpeg -nostdin -v error -i " + path.string() + " -f null - 2>&1");
  return result;
}

inline void write_file(const std::filesystem::path& path, std::span<const base::Buffer> pieces) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& piece : pieces) {
    out.write(reinterpret_cast<const char*>(piece.data()),
              static_cast<std::streamsize>(piece.size()));
  }
}

}  // namespace vela::format::fmp4::test
