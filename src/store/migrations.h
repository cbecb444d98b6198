// Numbered schema migrations. Version N is the N-th entry (1-based). A migration is never
// edited once released: changes come as a new entry. A database whose recorded version is
// higher than the last entry here was written by a newer Minato and is refused.
#pragma once

#include <string_view>
#include <vector>

namespace minato::store {

const std::vector<std::string_view>& sqlite_migrations();

// The first schema version whose audit events carry row images (roll-forward, G2.7.2-f).
constexpr int kRowImagesMigration = 14;

}  // namespace minato::store
