#include "terminal/yard.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace minato::terminal {
namespace {

YardSlot at(const char* text) { return *YardSlot::parse(text); }

StackItem box(int64_t id, int length = 20, int weight = 2, uint32_t group = 0) {
  StackItem s;
  s.unit_id = id;
  s.length_ft = length;
  s.weight_class = weight;
  s.group = group;
  return s;
}

Yard small_yard() {
  Yard y;
  auto a1 = *YardBlock::make("A1", 4, 3, 3);  // bays 01 03 05 07, 40ft at 02 04 06
  a1.reefer.push_back(*StackArea::parse("01-03/1"));
  EXPECT_TRUE(y.add_block(a1));
  auto h1 = *YardBlock::make("H1", 6, 6, 2);
  h1.hazardous = true;
  EXPECT_TRUE(y.add_block(h1));
  return y;
}

TEST(YardBlock, ValidatesShapeAndAreas) {
  EXPECT_TRUE(YardBlock::make("A1", 49, 30, 9));
  EXPECT_FALSE(YardBlock::make("A1", 50, 6, 4));
  EXPECT_FALSE(YardBlock::make("a1", 10, 6, 4));
  EXPECT_FALSE(YardBlock::make("A1", 10, 6, 10));
  auto b = *YardBlock::make("A1", 4, 3, 3);
  b.reefer.push_back(*StackArea::parse("05-09/1-2"));  // bay 09 is past 07
  EXPECT_FALSE(b.validate());
  EXPECT_FALSE(StackArea::parse("02-04/1"));  // 40-foot numbers
  EXPECT_FALSE(StackArea::parse("03-01/1"));
  EXPECT_FALSE(StackArea::parse("01-03"));
  EXPECT_EQ(StackArea::parse("5/3")->str(), "05-05/3-3");
}

TEST(Yard, TwentyAndFortyFootPositions) {
  Yard y = small_yard();
  EXPECT_TRUE(y.place(box(1), at("A1-01-01-1")));
  auto forty_on_odd = y.check(box(2, 40), at("A1-03-02-1"));
  ASSERT_FALSE(forty_on_odd);
  EXPECT_NE(forty_on_odd.error().message().find("even bay"), std::string::npos);
  EXPECT_FALSE(y.check(box(2), at("A1-02-02-1")));      // a 20ft on a 40ft position
  EXPECT_FALSE(y.check(box(2, 40), at("A1-08-02-1")));  // would cover bay 09: outside
  // A 40ft at bay 02 covers 01 and 03: row 1 bay 01 is taken.
  auto overlap = y.check(box(2, 40), at("A1-02-01-1"));
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message().find("occupied by the unit at A1-01-01-1"),
            std::string::npos);
  EXPECT_TRUE(y.place(box(2, 40), at("A1-04-01-1")));  // covers 03 and 05
  EXPECT_FALSE(y.check(box(3), at("A1-03-01-1")));
  EXPECT_FALSE(y.check(box(3), at("A1-05-01-1")));
  EXPECT_TRUE(y.check_invariants());
}

TEST(Yard, StacksAsTheMapDrawsThem) {
  Yard y = small_yard();
  // A 40-foot unit at bay 02 stands in the stacks of bays 01 and 03; a powered reefer on it.
  ASSERT_TRUE(y.place(box(1, 40), at("A1-02-01-1")));
  StackItem reefer = box(2, 40);
  reefer.powered = true;
  ASSERT_TRUE(y.place(reefer, at("A1-02-01-2")));
  ASSERT_TRUE(y.place(box(3), at("A1-07-03-1")));
  auto stacks = y.stacks("A1");
  ASSERT_TRUE(stacks);
  ASSERT_EQ(stacks->size(), 4u * 3u);
  auto of = [&](int bay20, int row) {
    return (*stacks)[static_cast<size_t>((bay20 - 1) * 3 + row - 1)];
  };
  for (int bay20 : {1, 2}) {
    EXPECT_EQ(of(bay20, 1).height, 2);
    EXPECT_TRUE(of(bay20, 1).powered);
    EXPECT_TRUE(of(bay20, 1).plug);  // the reefer area 01-03/1
    EXPECT_FALSE(of(bay20, 1).dangerous);
  }
  EXPECT_EQ(of(4, 3).height, 1);
  EXPECT_FALSE(of(4, 3).powered);
  EXPECT_FALSE(of(4, 3).plug);
  EXPECT_EQ(of(3, 2).height, 0);
  // The units of a stack, tier 1 first; a 40-foot unit is in both of its stacks.
  EXPECT_EQ(*y.stack_units("A1", 1, 1), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*y.stack_units("A1", 2, 1), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(y.stack_units("A1", 3, 2)->empty());
  // Outside the block, or an unknown block: refused, naming it.
  EXPECT_EQ(y.stack_units("A1", 5, 1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(y.stack_units("A1", 1, 4).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(y.stacks("ZZ9").error().code(), ErrorCode::kNotFound);
}

TEST(Yard, NoFloatingTierAndStackRules) {
  Yard y = small_yard();
  auto floating = y.check(box(1), at("A1-05-02-2"));
  ASSERT_FALSE(floating);
  EXPECT_NE(floating.error().message().find("no floating tier"), std::string::npos);
  ASSERT_TRUE(y.place(box(1, 40), at("A1-06-02-1")));
  EXPECT_FALSE(y.check(box(2), at("A1-05-02-2")));     // 20 on 40
  EXPECT_TRUE(y.place(box(2, 40), at("A1-06-02-2")));  // 40 on the same 40
  EXPECT_TRUE(y.place(box(3, 40), at("A1-06-02-3")));
  auto limit = y.check(box(4, 40), at("A1-06-02-4"));
  ASSERT_FALSE(limit);
  EXPECT_NE(limit.error().message().find("stacking limit"), std::string::npos);
  ASSERT_TRUE(y.place(box(5), at("A1-01-03-1")));
  ASSERT_TRUE(y.place(box(6), at("A1-03-03-1")));
  // A 40ft over two 20ft: not on one 40ft unit at its bay.
  EXPECT_FALSE(y.check(box(7, 40), at("A1-02-03-2")));
  // Only the top of a stack leaves.
  auto buried = y.remove(2);
  ASSERT_FALSE(buried);
  EXPECT_NE(buried.error().message().find("move the unit at A1-06-02-3 first"), std::string::npos);
  EXPECT_TRUE(y.remove(3));
  EXPECT_TRUE(y.remove(2));
  EXPECT_TRUE(y.check_invariants());
}

TEST(Yard, ReefersOnlyAtPlugs) {
  Yard y = small_yard();
  StackItem reefer = box(1);
  reefer.powered = true;
  EXPECT_TRUE(y.check(reefer, at("A1-01-01-1")));
  EXPECT_TRUE(y.check(reefer, at("A1-03-01-1")));
  auto no_plug = y.check(reefer, at("A1-05-01-1"));
  ASSERT_FALSE(no_plug);
  EXPECT_NE(no_plug.error().message().find("needs a plug"), std::string::npos);
  reefer.length_ft = 40;
  EXPECT_TRUE(y.check(reefer, at("A1-02-01-1")));   // 01 and 03 both have plugs
  EXPECT_FALSE(y.check(reefer, at("A1-04-01-1")));  // 05 has none
  auto slot = y.allocate(reefer, {});
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->str(), "A1-02-01-1");
  // A unit that needs no power keeps off the plugs while there is room elsewhere.
  EXPECT_NE(y.allocate(box(2), {})->str().substr(0, 8), "A1-01-01");
}

TEST(Yard, DangerousGoodsAreSegregated) {
  Yard y = small_yard();
  StackItem flammable = box(1);
  flammable.add_dangerous_goods(*ImdgClass::parse("3"));
  StackItem oxidiser = box(2);
  oxidiser.add_dangerous_goods(*ImdgClass::parse("5.1"));  // 3 vs 5.1: separated from, 6 m
  StackItem gas = box(3);
  gas.add_dangerous_goods(*ImdgClass::parse("2.2"));  // 3 vs 2.2: away from, 3 m
  auto outside = y.check(flammable, at("A1-01-02-1"));
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message().find("hazardous block"), std::string::npos);
  ASSERT_TRUE(y.place(flammable, at("H1-05-03-1")));
  auto close = y.check(oxidiser, at("H1-05-04-1"));
  ASSERT_FALSE(close);
  EXPECT_NE(close.error().message().find("IMDG segregation: class 5.1 must be 6 m from class 3"),
            std::string::npos);
  EXPECT_FALSE(y.check(oxidiser, at("H1-05-05-1")));  // one row between: 3.4 m
  EXPECT_TRUE(y.check(oxidiser, at("H1-05-06-1")));   // two rows between: 6.3 m
  EXPECT_FALSE(y.check(gas, at("H1-07-03-1")));       // next bay: 0.4 m
  EXPECT_TRUE(y.check(gas, at("H1-09-03-1")));        // a bay between: 6.9 m
  EXPECT_FALSE(y.check(oxidiser, at("H1-05-03-2")));  // on top: 0 m
  // Class 9 needs no segregation, and a unit without dangerous goods none at all (ordinary
  // units may use a hazardous block, at a cost in the allocation's score).
  StackItem misc = box(4);
  misc.add_dangerous_goods(*ImdgClass::parse("9"));
  EXPECT_TRUE(y.check(misc, at("H1-05-03-2")));
  auto slot = y.allocate(oxidiser, {});
  ASSERT_TRUE(slot);
  ASSERT_TRUE(y.place(oxidiser, *slot));
  EXPECT_TRUE(y.check_invariants());
}

TEST(Yard, AllocationPrefersGroupsAndWeightOrder) {
  Yard y;
  ASSERT_TRUE(y.add_block(*YardBlock::make("B1", 3, 2, 4)));
  ASSERT_TRUE(y.place(box(1, 20, 3, 7), at("B1-01-01-1")));
  ASSERT_TRUE(y.place(box(2, 20, 1, 8), at("B1-03-01-1")));
  // Same group, not heavier: on top of unit 1.
  EXPECT_EQ(y.allocate(box(3, 20, 2, 7), {})->str(), "B1-01-01-2");
  // A heavy unit of group 8 does not go onto the light unit of its group: a new stack.
  EXPECT_EQ(y.allocate(box(4, 20, 4, 8), {})->tier(), 1);
  // Restricted to listed blocks; none free there.
  auto none = y.allocate(box(5), {{"Z9"}, {}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kResourceExhausted);
  // A slot named in `avoid` is not offered again.
  auto first = *y.allocate(box(3, 20, 2, 7), {});
  auto second = *y.allocate(box(3, 20, 2, 7), {{}, {first.str()}});
  EXPECT_NE(first, second);
}

TEST(Yard, BlockChangesKeepTheRules) {
  Yard y = small_yard();
  StackItem reefer = box(1);
  reefer.powered = true;
  ASSERT_TRUE(y.place(reefer, at("A1-01-01-1")));
  ASSERT_TRUE(y.place(box(2), at("A1-07-03-1")));
  ASSERT_TRUE(y.place(box(3), at("A1-07-03-2")));
  auto a1 = *y.find_block("A1");
  auto lower = a1;
  lower.tiers = 1;
  EXPECT_FALSE(y.update_block(lower));  // A1-07-03-2 would be above the limit
  auto unplugged = a1;
  unplugged.reefer.clear();
  EXPECT_FALSE(y.update_block(unplugged));
  auto shorter = a1;
  shorter.bays = 3;
  EXPECT_FALSE(y.update_block(shorter));  // bay 07 would be outside
  EXPECT_EQ(y.where(3)->str(), "A1-07-03-2");
  EXPECT_TRUE(y.check_invariants());
  auto higher = a1;
  higher.tiers = 5;
  higher.rows = 4;
  ASSERT_TRUE(y.update_block(higher));
  EXPECT_TRUE(y.place(box(4), at("A1-07-03-3")));
  EXPECT_TRUE(y.place(box(5), at("A1-07-04-1")));
  EXPECT_FALSE(y.remove_block("A1"));
  EXPECT_TRUE(y.remove_block("H1"));
  EXPECT_TRUE(y.check_invariants());
}

// Thousands of random placements, shifts, removals and allocations: every call either keeps
// every rule or is refused, and the yard's own bookkeeping always matches a fresh recount.
TEST(Yard, RandomisedOperationsKeepTheInvariants) {
  std::mt19937 rng(20261126);
  Yard y;
  auto a = *YardBlock::make("A1", 8, 4, 4);
  a.reefer.push_back(*StackArea::parse("01-05/1-2"));
  ASSERT_TRUE(y.add_block(a));
  auto h = *YardBlock::make("H1", 6, 5, 3);
  h.hazardous = true;
  ASSERT_TRUE(y.add_block(h));
  ASSERT_TRUE(y.add_block(*YardBlock::make("B2", 5, 3, 5)));
  const char* classes[] = {"2.1", "3", "4.1", "5.1", "6.1", "8", "9"};
  std::map<int64_t, StackItem> inside;
  int placed = 0, refused = 0, allocated = 0, removed = 0, shifted = 0;
  auto random_item = [&](int64_t id) {
    StackItem s = box(id, rng() % 3 == 0 ? 40 : 20, static_cast<int>(rng() % 5),
                      static_cast<uint32_t>(rng() % 4));
    s.powered = rng() % 8 == 0;
    if (rng() % 10 == 0) s.add_dangerous_goods(*ImdgClass::parse(classes[rng() % 7]));
    return s;
  };
  // Mostly plausible slots (the unit's bay parity, low tiers), sometimes anything at all.
  auto random_slot = [&](const StackItem& s) {
    const char* blocks[] = {"A1", "H1", "B2"};
    int bay = static_cast<int>(rng() % 17) + 1;
    if (rng() % 4 != 0) bay = (bay / 2) * 2 + (s.forty() ? 2 : 1);
    int tier = rng() % 4 != 0 ? static_cast<int>(rng() % 3) + 1 : static_cast<int>(rng() % 6) + 1;
    return YardSlot::at(blocks[rng() % 3], bay, static_cast<int>(rng() % 6) + 1, tier);
  };
  for (int64_t op = 1; op <= 6000; ++op) {
    switch (rng() % 5) {
      case 0:
      case 1: {  // place at a random slot: most are refused by some rule
        StackItem s = random_item(op);
        if (y.place(s, random_slot(s))) {
          inside[op] = s;
          ++placed;
        } else {
          ++refused;
        }
        break;
      }
      case 2: {  // allocate and place
        StackItem s = random_item(op);
        auto slot = y.allocate(s, {});
        if (!slot) {
          // The allocator gives up only when no slot at all may take the unit.
          for (const auto& b : y.blocks()) {
            for (int bay = 1; bay <= b.max_bay(); ++bay) {
              for (int row = 1; row <= b.rows; ++row) {
                for (int tier = 1; tier <= b.tiers; ++tier) {
                  ASSERT_FALSE(y.check(s, YardSlot::at(b.name, bay, row, tier)))
                      << "allocate found nothing, but " << b.name << "-" << bay << "-" << row << "-"
                      << tier << " fits";
                }
              }
            }
          }
        }
        if (slot) {
          ASSERT_TRUE(y.check(s, *slot)) << slot->str();
          ASSERT_TRUE(y.place(s, *slot));
          inside[op] = s;
          ++allocated;
        }
        break;
      }
      case 3: {  // remove a random unit (refused unless on top)
        if (inside.empty()) break;
        auto it = std::next(inside.begin(), static_cast<long>(rng() % inside.size()));
        auto before = y.where(it->first);
        if (y.remove(it->first)) {
          EXPECT_FALSE(y.where(it->first));
          inside.erase(it);
          ++removed;
        } else {
          EXPECT_EQ(y.where(it->first), before);
        }
        break;
      }
      case 4: {  // shift a random unit to a random slot
        if (inside.empty()) break;
        auto it = std::next(inside.begin(), static_cast<long>(rng() % inside.size()));
        auto before = *y.where(it->first);
        auto to = random_slot(it->second);
        if (y.shift(it->first, to)) {
          EXPECT_EQ(*y.where(it->first), to);
          ++shifted;
        } else {
          EXPECT_EQ(*y.where(it->first), before);
        }
        break;
      }
    }
    auto ok = y.check_invariants();
    ASSERT_TRUE(ok) << "after operation " << op << ": " << ok.error().message();
    ASSERT_EQ(y.units(), inside.size());
  }
  EXPECT_GT(placed, 25);
  EXPECT_GT(allocated, 300);
  EXPECT_GT(removed, 100);
  EXPECT_GT(shifted, 8);
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace minato::terminal
