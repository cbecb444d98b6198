#include "console/assets.h"

#include <algorithm>

namespace minato::console {

const Asset* find(std::string_view path) {
  auto all = assets();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == all.end() || it->path != path) return nullptr;
  return &*it;
}

}  // namespace minato::console
