// YardSlot and YardBlock: where a unit stands in the yard.
//
// A slot is written BLOCK-BAY-ROW-TIER, e.g. "A1-03-02-1": block "A1" (1-4 letters/digits,
// starting with a letter), bay 1-99, row 1-30, tier 1-9. A YardBlock has its dimensions and
// tells whether a slot lies inside it.
//
//   auto slot = YardSlot::parse("a1-3-2-1");  slot->str() == "A1-03-02-1"
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::terminal {

class YardSlot {
 public:
  static Result<YardSlot> parse(std::string_view text);
  const std::string& block() const { return block_; }
  int bay() const { return bay_; }
  int row() const { return row_; }
  int tier() const { return tier_; }
  // Canonical text: "A1-03-02-1".
  std::string str() const;
  friend bool operator==(const YardSlot&, const YardSlot&) = default;

 private:
  std::string block_;
  int bay_ = 0, row_ = 0, tier_ = 0;
};

struct YardBlock {
  std::string name;
  int bays = 0, rows = 0, tiers = 0;

  // Validates name and dimensions (bays 1-99, rows 1-30, tiers 1-9).
  static Result<YardBlock> make(std::string_view name, int bays, int rows, int tiers);
  int capacity() const { return bays * rows * tiers; }
  bool contains(const YardSlot& s) const {
    return s.block() == name && s.bay() <= bays && s.row() <= rows && s.tier() <= tiers;
  }
};

// Validates a block name: 1-4 characters, upper-case letter first, then letters or digits.
bool valid_block_name(std::string_view name);

}  // namespace minato::terminal
