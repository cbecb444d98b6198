// The version of Minato this binary is (`minato --version`, SBOM, evidence manifests). CMake
// checks at configure time that it equals project(VERSION) in the top-level CMakeLists.txt.
#pragma once

#include <string_view>

namespace minato {

inline constexpr std::string_view kMinatoVersion = "0.1.0";

}  // namespace minato
