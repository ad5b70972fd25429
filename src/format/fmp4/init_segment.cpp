#include "format/fmp4/init_segment.hpp"

#include <algorithm>
#include <array>

#include "format/fmp4/box.hpp"

namespace vela::format::fmp4 {
namespace {

using base::ByteWriter;
using media::TrackInfo;

constexpr uint32_t kMovieTimescale = 1000;
constexpr uint32_t kFixedOne = 0x00010000;  // 1.0 in 16.16
constexpr uint16_t kLanguageUnd = 0x55c4;   // "und", ISO 639-2/T packed in 5-bit letters
constexpr std::array<uint32_t, 9> kUnityMatrix = {kFixedOne, 0, 0, 0,         kFixedOne,
                                                  0,         0, 0, 0x40000000};

void write_matrix(ByteWriter& w) {
  for (uint32_t v : kUnityMatrix) w.u32be(v);
}

uint16_t clamp_u16(uint32_t v) {
  return static_cast<uint16_t>(std::min<uint32_t>(v, 0xffff));
}

void write_ftyp(ByteWriter& w) {
  Box ftyp(w, "ftyp");
  w.text("iso6");  // major brand
  w.u32be(0);      // minor version
  for (auto brand : {"iso6", "cmfc", "isom"}) w.text(brand);
}

void write_mvhd(ByteWriter& w, uint32_t next_track_id) {
  Box mvhd(w, "mvhd", 0, 0);
  w.u32be(0);  // creation_time
  w.u32be(0);  // modification_time
  w.u32be(kMovieTimescale);
  w.u32be(0);          // duration: unknown (fragmented)
  w.u32be(kFixedOne);  // rate
  w.u16be(0x0100);     // volume 1.0
  w.fill(0, 10);       // reserved
  write_matrix(w);
  w.fill(0, 24);  // pre_defined
  w.u32be(next_track_id);
}

void write_tkhd(ByteWriter& w, const TrackInfo& track) {
  constexpr uint32_t kEnabledInMovie = 0x000003;
  bool video = track.kind == media::MediaKind::video;
  Box tkhd(w, "tkhd", 0, kEnabledInMovie);
  w.u32be(0);  // creation_time
  w.u32be(0);  // modification_time
  w.u32be(track.id);
  w.u32be(0);                   // reserved
  w.u32be(0);                   // duration
  w.fill(0, 8);                 // reserved
  w.u16be(0);                   // layer
  w.u16be(0);                   // alternate_group
  w.u16be(video ? 0 : 0x0100);  // volume
  w.u16be(0);                   // reserved
  write_matrix(w);
  w.u32be(video ? uint32_t{clamp_u16(track.width)} << 16 : 0);  // 16.16 size
  w.u32be(video ? uint32_t{clamp_u16(track.height)} << 16 : 0);
}

void write_mdhd(ByteWriter& w, const TrackInfo& track) {
  Box mdhd(w, "mdhd", 0, 0);
  w.u32be(0);  // creation_time
  w.u32be(0);  // modification_time
  w.u32be(static_cast<uint32_t>(track.timescale));
  w.u32be(0);  // duration
  w.u16be(kLanguageUnd);
  w.u16be(0);  // pre_defined
}

void write_hdlr(ByteWriter& w, bool video) {
  Box hdlr(w, "hdlr", 0, 0);
  w.u32be(0);  // pre_defined
  w.text(video ? "vide" : "soun");
  w.fill(0, 12);  // reserved
  w.text(video ? "VideoHandler" : "SoundHandler");
  w.u8(0);
}

void write_avc1(ByteWriter& w, const TrackInfo& track) {
  Box avc1(w, "avc1");
  w.fill(0, 6);   // reserved
  w.u16be(1);     // data_reference_index
  w.fill(0, 16);  // pre_defined, reserved, pre_defined[3]
  w.u16be(clamp_u16(track.width));
  w.u16be(clamp_u16(track.height));
  w.u32be(0x00480000);  // 72 dpi
  w.u32be(0x00480000);
  w.u32be(0);       // reserved
  w.u16be(1);       // frame_count
  w.fill(0, 32);    // compressorname (empty Pascal string)
  w.u16be(0x0018);  // depth
  w.u16be(0xffff);  // pre_defined = -1
  Box avcc(w, "avcC");
  w.bytes(track.codec_config.span());
}

// MPEG-4 descriptor header: tag, then the size in 7-bit groups (minimal length).
void write_descriptor_header(ByteWriter& w, uint8_t tag, size_t size) {
  w.u8(tag);
  int groups = 1;
  while (groups < 4 && (size >> (7 * groups)) != 0) ++groups;
  for (int i = groups - 1; i >= 0; --i) {
    w.u8(static_cast<uint8_t>(((size >> (7 * i)) & 0x7f) | (i > 0 ? 0x80 : 0)));
  }
}

size_t descriptor_total(size_t payload) {
  size_t header = 2;
  while (header < 5 && (payload >> (7 * (header - 1))) != 0) ++header;
  return header + payload;
}

// esds: ES_Descriptor > DecoderConfigDescriptor (AAC, with the AudioSpecificConfig as
// DecoderSpecificInfo) + SLConfigDescriptor.
void write_esds(ByteWriter& w, const TrackInfo& track) {
  constexpr uint8_t kEsTag = 0x03, kDecoderConfigTag = 0x04, kSpecificInfoTag = 0x05,
                    kSlConfigTag = 0x06;
  constexpr uint8_t kObjectTypeAac = 0x40;    // ISO/IEC 14496-3 audio
  constexpr uint8_t kAudioStreamType = 0x15;  // streamType 5 (audio) << 2 | reserved 1
  auto asc = track.codec_config.span();
  size_t decoder_config = 13 + descriptor_total(asc.size());
  size_t es = 3 + descriptor_total(decoder_config) + descriptor_total(1);

  Box esds(w, "esds", 0, 0);
  write_descriptor_header(w, kEsTag, es);
  w.u16be(0);  // ES_ID
  w.u8(0);     // no dependency, URL or OCR stream
  write_descriptor_header(w, kDecoderConfigTag, decoder_config);
  w.u8(kObjectTypeAac);
  w.u8(kAudioStreamType);
  w.u24be(0);              // bufferSizeDB
  w.u32be(track.bitrate);  // maxBitrate
  w.u32be(track.bitrate);  // avgBitrate
  write_descriptor_header(w, kSpecificInfoTag, asc.size());
  w.bytes(asc);
  write_descriptor_header(w, kSlConfigTag, 1);
  w.u8(0x02);  // predefined: MP4
}

void write_mp4a(ByteWriter& w, const TrackInfo& track) {
  Box mp4a(w, "mp4a");
  w.fill(0, 6);  // reserved
  w.u16be(1);    // data_reference_index
  w.fill(0, 8);  // reserved
  w.u16be(clamp_u16(track.channels));
  w.u16be(16);  // samplesize
  w.u32be(0);   // pre_defined, reserved
  // 16.16 sample rate; rates above 65535 Hz do not fit and are left to the esds.
  w.u32be(track.sample_rate <= 0xffff ? track.sample_rate << 16 : 0);
  write_esds(w, track);
}

void write_stbl(ByteWriter& w, const TrackInfo& track) {
  Box stbl(w, "stbl");
  {
    Box stsd(w, "stsd", 0, 0);
    w.u32be(1);  // entry_count
    if (track.codec == media::Codec::h264) {
      write_avc1(w, track);
    } else {
      write_mp4a(w, track);
    }
  }
  // Empty sample tables: the samples live in the fragments.
  for (auto type : {"stts", "stsc", "stco"}) {
    Box empty(w, type, 0, 0);
    w.u32be(0);  // entry_count
  }
  Box stsz(w, "stsz", 0, 0);
  w.u32be(0);  // sample_size
  w.u32be(0);  // sample_count
}

void write_minf(ByteWriter& w, const TrackInfo& track) {
  Box minf(w, "minf");
  if (track.kind == media::MediaKind::video) {
    Box vmhd(w, "vmhd", 0, 1);
    w.fill(0, 8);  // graphicsmode, opcolor
  } else {
    Box smhd(w, "smhd", 0, 0);
    w.u32be(0);  // balance, reserved
  }
  {
    Box dinf(w, "dinf");
    Box dref(w, "dref", 0, 0);
    w.u32be(1);                // entry_count
    Box url(w, "url ", 0, 1);  // flag 1: media is in this file
  }
  write_stbl(w, track);
}

void write_trak(ByteWriter& w, const TrackInfo& track) {
  Box trak(w, "trak");
  write_tkhd(w, track);
  Box mdia(w, "mdia");
  write_mdhd(w, track);
  write_hdlr(w, track.kind == media::MediaKind::video);
  write_minf(w, track);
}

void write_trex(ByteWriter& w, uint32_t track_id) {
  Box trex(w, "trex", 0, 0);
  w.u32be(track_id);
  w.u32be(1);  // default_sample_description_index
  w.u32be(0);  // default_sample_duration
  w.u32be(0);  // default_sample_size
  w.u32be(0);  // default_sample_flags
}

}  // namespace

base::Buffer write_init_segment(std::span<const media::TrackInfo> tracks) {
  std::vector<uint8_t> bytes;
  bytes.reserve(1024);
  ByteWriter w(bytes);
  write_ftyp(w);
  {
    Box moov(w, "moov");
    uint32_t max_id = 0;
    for (const auto& track : tracks) max_id = std::max(max_id, track.id);
    write_mvhd(w, max_id + 1);
    for (const auto& track : tracks) write_trak(w, track);
    Box mvex(w, "mvex");
    for (const auto& track : tracks) write_trex(w, track.id);
  }
  return base::Buffer::adopt(std::move(bytes));
}

}  // namespace vela::format::fmp4
