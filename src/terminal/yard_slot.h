// YardSlot: where a unit stands in the yard.
//
// A slot is written BLOCK-BAY-ROW-TIER, e.g. "A1-03-02-1": block "A1" (1-4 letters/digits,
// starting with a letter), bay 1-99, row 1-30, tier 1-9. Bays are numbered as on a ship: a
// 20-foot unit stands on an odd bay (01, 03, ...), a 40-foot unit on the even bay between the
// two 20-foot bays it covers (02 covers 01 and 03). See yard_block.h for the block's shape.
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
  // A slot from its parts. REQUIRES: a valid block name, bay 1-99, row 1-30, tier 1-9.
  static YardSlot at(std::string block, int bay, int row, int tier);
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

}  // namespace minato::terminal
