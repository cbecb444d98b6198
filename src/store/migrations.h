// Numbered schema migrations. Version N is the N-th entry (1-based). A migration is never
// edited once released: changes come as a new entry. A database whose recorded version is
// higher than the last entry here was written by a newer Minato and is refused.
#pragma once

#include <string_view>
#include <vector>

namespace minato::store {

const std::vector<std::string_view>& sqlite_migrations();

}  // namespace minato::store
