# vela_embed_web(<target>): compiles the built front end (web/dist) into <target>.
#
# At build time, cmake/embed_web_generate.cmake turns every file of web/dist into a byte array
# in <build>/<target>_web_assets.cpp, which implements find_static_asset() from
# src/http/static_assets.hpp and is added to <target>'s sources. The file is regenerated when a
# file in web/dist changes, appears or disappears.
#
# CMake does not run npm: build web/dist first (`make web`, or `cd web && npm ci && npm run build`).
# VELA_WEB_DIST points elsewhere if needed.

cmake_path(SET _vela_web_dist NORMALIZE "${CMAKE_CURRENT_LIST_DIR}/../web/dist")
set(VELA_WEB_DIST "${_vela_web_dist}" CACHE PATH "Built front end to embed (web/dist)")
unset(_vela_web_dist)

function(vela_embed_web target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "vela_embed_web: '${target}' is not a target")
  endif()
  if(NOT EXISTS "${VELA_WEB_DIST}/index.html")
    message(FATAL_ERROR
      "vela_embed_web: the front end is not built (${VELA_WEB_DIST}/index.html is missing).\n"
      "Run `make web` (or `scripts/setup`, then `cd web && npm run build`) and configure again.")
  endif()

  cmake_path(GET CMAKE_CURRENT_FUNCTION_LIST_DIR PARENT_PATH repo_dir)
  # CONFIGURE_DEPENDS re-globs on every build, so added or removed files re-run CMake. That
  # rewrites the file list (only when it differs), and the new list regenerates the source.
  file(GLOB_RECURSE assets CONFIGURE_DEPENDS "${VELA_WEB_DIST}/*")
  set(asset_list "${CMAKE_CURRENT_BINARY_DIR}/${target}_web_assets.list")
  string(JOIN "\n" asset_lines ${assets})
  file(CONFIGURE OUTPUT "${asset_list}" CONTENT "${asset_lines}\n" @ONLY)
  set(generator "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embed_web_generate.cmake")
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${target}_web_assets.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" "-DDIST_DIR=${VELA_WEB_DIST}" "-DOUTPUT=${output}" -P "${generator}"
    DEPENDS ${assets} "${asset_list}" "${generator}"
    COMMENT "Embedding web front end from ${VELA_WEB_DIST}"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
  target_include_directories(${target} PRIVATE "${repo_dir}/src")
endfunction()
