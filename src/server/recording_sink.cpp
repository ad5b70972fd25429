#include "server/recording_sink.hpp"

#include <cmath>
#include <numeric>
#include <type_traits>

#include "base/time.hpp"

namespace vela::server {

namespace {

std::string join_codecs(const std::vector<std::string>& codecs) {
  std::string out;
  for (const auto& codec : codecs) out += (out.empty() ? "" : ",") + codec;
  return out;
}

uint32_t to_micros(double seconds) {
  return static_cast<uint32_t>(std::llround(std::max(0.0, seconds) * 1e6));
}

}  // namespace

RecordingSink::RecordingSink(record::Recorder& recorder, std::string stream)
    : recorder_(recorder), stream_(std::move(stream)) {}

RecordingSink::~RecordingSink() {
  on_stopped();
}

const std::string& RecordingSink::recording() {
  if (id_.empty()) id_ = recorder_.begin(stream_, base::wall_clock_micros() / 1000);
  return id_;
}

void RecordingSink::on_event(const std::string& rendition, const packager::HlsEvent& event) {
  if (finished_) return;
  std::visit(
      [&](const auto& e) {
        using Event = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<Event, packager::HlsBegin>) {
          (void)recording();
        } else if constexpr (std::is_same_v<Event, packager::HlsRenditionBegin>) {
          const packager::RenditionInfo& info = e.rendition;
          if (renditions_.contains(info.name)) return;
          const auto number = static_cast<uint16_t>(renditions_.size());
          renditions_.emplace(info.name, Rendition{number, 0});
          recorder_.add_rendition(recording(), {info.name, join_codecs(info.codecs),
                                                static_cast<uint32_t>(std::min<uint64_t>(info.bandwidth, UINT32_MAX)),
                                                info.width, info.height});
        } else if constexpr (std::is_same_v<Event, packager::HlsInit>) {
          auto found = renditions_.find(rendition);
          if (found != renditions_.end()) recorder_.append_init(recording(), found->second.number, e.data);
        } else if constexpr (std::is_same_v<Event, packager::CmafPart>) {
          auto found = renditions_.find(rendition);
          if (found == renditions_.end()) return;
          record::PartInfo part;
          part.msn = e.msn;
          part.index = e.index;
          part.duration_us = to_micros(e.duration_s);
          part.flags = static_cast<uint8_t>((e.independent ? record::kIndependent : 0) |
                                            (e.discontinuity ? record::kDiscontinuity : 0));
          part.media_time_us = found->second.media_time_us;
          part.wall_clock_us = e.wall_clock_us;
          found->second.media_time_us += part.duration_us;
          recorder_.append_part(recording(), found->second.number, part, e.data);
        } else if constexpr (std::is_same_v<Event, packager::CmafSegmentEnd>) {
          auto found = renditions_.find(rendition);
          if (found == renditions_.end()) return;
          recorder_.end_segment(recording(), found->second.number, e.msn, to_micros(e.duration_s),
                                e.discontinuity ? record::kDiscontinuity : 0);
        }
        // HlsRenditionUpdate and HlsEnd change nothing on disk: a recording ends with its session.
      },
      event);
}

void RecordingSink::on_stopped() {
  if (finished_) return;
  finished_ = true;
  if (!id_.empty()) recorder_.finish(id_);
}

}  // namespace vela::server
