// Dangerous goods: IMDG Code hazard classes and the general segregation table (IMDG Code
// 7.2.4), for keeping incompatible dangerous goods apart in the yard.
//
// A class is written as in the Code: "1.1" .. "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2",
// "4.3", "5.1", "5.2", "6.1", "6.2", "7", "8", "9". segregation() gives the table's code for a
// pair: 0 (no general requirement, "X"), 1 "away from", 2 "separated from", 3 "separated by a
// complete compartment or hold from", 4 "separated longitudinally by an intervening complete
// compartment or hold from". Within class 1 the Code segregates by compatibility group, which
// this table does not model (0); the yard keeps explosives in their own blocks.
//
//   auto a = ImdgClass::parse("3"), b = ImdgClass::parse("5.1");
//   segregation(*a, *b) == 2;   land_distance_m(2) == 6
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::terminal {

class ImdgClass {
 public:
  static Result<ImdgClass> parse(std::string_view text);
  // "3", "5.1": as the Code writes it.
  std::string_view str() const;
  // Index into the segregation table's 17 columns (1.1/1.2/1.5, 1.3/1.6, 1.4, 2.1, ... 9).
  int column() const;
  bool explosive() const { return code_ < 6; }
  friend bool operator==(const ImdgClass&, const ImdgClass&) = default;

 private:
  explicit ImdgClass(uint8_t code) : code_(code) {}
  uint8_t code_;  // index into the list of class names
};

// The general segregation requirement between two classes: 0-4 as above. Symmetric.
int segregation(const ImdgClass& a, const ImdgClass& b);
// The same by the table's columns (0-16), and the strictest over two sets of columns given as
// bit masks (bit c: column c), for units that carry several classes.
int segregation_columns(int a, int b);
int segregation_masks(uint32_t a, uint32_t b);
// The classes of a column as the table heads it: "1.1/1.2/1.5", "3", "5.1".
std::string_view segregation_column_name(int column);

// The horizontal distance in metres that a segregation code asks for between two containers
// on land, as terminals apply the Code ashore: 1 -> 3 m, 2 -> 6 m, 3 -> 12 m, 4 -> 24 m.
int land_distance_m(int segregation_code);

// True for a UN number as written on a dangerous goods declaration: "UN1203" or "1203"
// (0004-3600 are assigned; 0000 is not).
bool valid_un_number(std::string_view text);

}  // namespace minato::terminal
