// YardBlock: the shape of one yard block and what its stacks may hold.
//
// A block has `bays` 20-foot ground positions along its length, numbered as on a ship: 01, 03,
// ..., 2*bays-1; a 40-foot unit stands on the even bay between the two it covers (02 covers 01
// and 03). It has `rows` rows across and units may be stacked up to `tiers` high (the stacking
// limit of the block's equipment). Some stacks have reefer plugs; a block may be a hazardous
// zone, the only place dangerous goods are kept.
//
//   auto b = YardBlock::make("A1", 20, 6, 4);          // 20 x 20ft bays, 6 rows, 4 high
//   b->reefer.push_back(*StackArea::parse("01-09/1-2")); // plugs at bays 01-09, rows 1-2
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "terminal/yard_slot.h"

namespace minato::terminal {

inline constexpr int kMaxBlockBays = 49;  // 20-foot bays: the highest bay number is 97
inline constexpr int kMaxBlockRows = 30;
inline constexpr int kMaxBlockTiers = 9;

// A rectangle of stacks in a block: 20-foot bays bay_from..bay_to (odd numbers) by rows
// row_from..row_to, written "01-09/1-2" (a single bay or row may be written alone: "05/3").
struct StackArea {
  int bay_from = 1, bay_to = 1, row_from = 1, row_to = 1;

  static Result<StackArea> parse(std::string_view text);
  std::string str() const;
  bool contains(int bay20, int row) const {
    return bay20 >= bay_from && bay20 <= bay_to && row >= row_from && row <= row_to;
  }
  friend bool operator==(const StackArea&, const StackArea&) = default;
};

struct YardBlock {
  std::string name;
  int bays = 0;                        // 20-foot ground bays (1-49)
  int rows = 0;                        // 1-30
  int tiers = 0;                       // highest tier (1-9)
  std::vector<StackArea> reefer = {};  // stacks with reefer plugs
  bool hazardous = false;              // a hazardous zone: may hold dangerous goods

  // Validates name and dimensions.
  static Result<YardBlock> make(std::string_view name, int bays, int rows, int tiers);
  // Checks everything: name, dimensions, and that every reefer area lies inside the block.
  Status validate() const;

  int max_bay() const { return 2 * bays - 1; }
  // Twenty-foot ground slots times tiers.
  int capacity_teu() const { return bays * rows * tiers; }
  // Whether the slot lies inside the block (its bay may be a 20-foot or a 40-foot position).
  bool contains(const YardSlot& s) const {
    return s.block() == name && s.bay() <= max_bay() && s.row() <= rows && s.tier() <= tiers;
  }
  // Whether the 20-foot stack at (bay20, row) has a reefer plug.
  bool has_plug(int bay20, int row) const;
  friend bool operator==(const YardBlock&, const YardBlock&) = default;
};

// Validates a block name: 1-4 characters, upper-case letter first, then letters or digits.
bool valid_block_name(std::string_view name);

}  // namespace minato::terminal
