// Console assets: the operator console (console/, built by esbuild) embedded in the minato
// binary, so one release carries its console and nothing is read from disk or fetched at run
// time. The table is generated at build time by cmake/embed_console.cmake from the console's
// build output; a build without the console (MINATO_CONSOLE=OFF, as the fuzzing build) has an
// empty table.
//
// Contract: paths are absolute ("/index.html", "/assets/main-3F2A9C1D.js"); `body` points
// into the binary's read-only data and lives as long as the process; `immutable` is true for
// content-hashed names, whose bytes never change under that name.
#pragma once

#include <span>
#include <string_view>

namespace minato::console {

struct Asset {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
  std::string_view sha256;  // hex, of body: the strong ETag
  bool immutable = false;
};

// Every embedded file, sorted by path.
std::span<const Asset> assets();

// The file at `path`, or nullptr.
const Asset* find(std::string_view path);

// The npm packages bundled into the console, for Minato's SBOM: a JSON array of
// {"name","version","license"} ("[]" in a build without the console).
std::string_view bundled_components_json();

}  // namespace minato::console
