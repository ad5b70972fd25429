#pragma once
// What every ingest session does with a claimed stream, whatever its protocol.
// Home shard of the stream only.
#include <cstddef>
#include <memory>
#include <vector>

#include "ingest/assembled_output.hpp"
#include "ingest/publish_context.hpp"

namespace vela::ingest {

// Hands an assembler's output to the stream, in order; returns how many frames it published.
size_t publish_outputs(router::Stream& stream, std::vector<AssembledOutput>& outputs);

// Ends a publication: the stream ends (viewers see it end, playlists get EXT-X-ENDLIST),
// packaging stops, and the name is free to publish again.
void end_publication(PublishContext& context, const std::shared_ptr<router::Stream>& stream);

}  // namespace vela::ingest
