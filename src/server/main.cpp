// vela: the command line. `vela serve` runs the origin; `vela bench ...` runs load
// generators and probes; `vela version` prints the version.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench/hls_load.hpp"
#include "bench/whep_load.hpp"
#include "server/config.hpp"
#include "server/serve.hpp"

namespace {

constexpr std::string_view kVersion = "0.1.0";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: vela serve [--config FILE] [--set key=value]...\n"
               "       vela bench hls-load --url URL [--clients N] [--duration S] [--threads T]\n"
               "       vela bench whep-load --url URL [--viewers N] [--duration S] [--ramp-per-s R]\n"
               "       vela version\n");
}

int run_serve(int argc, char** argv) {
  std::string config_file;
  std::vector<std::string> overrides;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--config" || arg == "--set") && i + 1 < argc) {
      (arg == "--config" ? config_file = argv[++i] : overrides.emplace_back(argv[++i]));
    } else if (arg.starts_with("--set=")) {
      overrides.emplace_back(arg.substr(6));
    } else if (arg.starts_with("--config=")) {
      config_file = std::string(arg.substr(9));
    } else {
      std::fprintf(stderr, "vela serve: unexpected argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  auto config = vela::server::load_config(config_file, overrides);
  if (!config) {
    std::fprintf(stderr, "vela serve: %s\n", config.error().message.c_str());
    return 2;
  }
  return vela::server::serve(*config);
}

int run_bench(int argc, char** argv) {
  std::string_view tool = argc > 2 ? argv[2] : "";
  std::vector<std::string_view> args(argv + std::min(argc, 3), argv + argc);
  if (tool == "hls-load") return vela::bench::hls_load_main(args);
  if (tool == "whep-load") return vela::bench::whep_load_main(args);
  std::fprintf(stderr, "vela bench: unknown tool '%.*s' (known: hls-load, whep-load)\n",
               static_cast<int>(tool.size()), tool.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "serve") return run_serve(argc, argv);
  if (command == "bench") return run_bench(argc, argv);
  if (command == "version" || command == "--version") {
    std::printf("vela %.*s\n", static_cast<int>(kVersion.size()), kVersion.data());
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    usage(stdout);
    return 0;
  }
  usage(stderr);
  return 2;
}
