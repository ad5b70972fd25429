#include "ingest/publication.hpp"

namespace vela::ingest {

size_t publish_outputs(router::Stream& stream, std::vector<AssembledOutput>& outputs) {
  size_t frames = 0;
  for (auto& output : outputs) {
    if (auto* announced = std::get_if<TracksAnnounced>(&output)) {
      stream.set_tracks(std::move(announced->tracks));
    } else {
      ++frames;
      stream.publish(std::get<media::FramePtr>(output));
    }
  }
  return frames;
}

void end_publication(PublishContext& context, const std::shared_ptr<router::Stream>& stream) {
  stream->end();
  context.observer.on_publish_end(stream);
  context.registry.release(stream);
}

}  // namespace vela::ingest
