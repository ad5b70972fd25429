#pragma once
#include "server/config.hpp"

namespace vela::server {

// Runs the origin server until SIGINT/SIGTERM; returns the process exit code.
int serve(const Config& config);

}  // namespace vela::server
