// SizeType: an ISO 6346 size-and-type code, as carried in BAPLIE/COPRAR EQD segments.
//
// Two forms are accepted:
//  - the current code (ISO 6346:1995): length char, height/width char, type group letter + digit,
//    e.g. "22G1" (20 ft, 8'6", general purpose), "45R1" (40 ft high-cube reefer), "L5G1" (45 ft);
//  - the legacy 4-digit code (ISO 6346:1984) still sent by older systems, e.g. "2200", "4310",
//    "4510", "4532"; it is mapped to its current equivalent and the original is kept.
//
//   auto st = SizeType::parse("45R1");  st->length_ft() == 40, st->teu() == 2, st->is_reefer()
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::terminal {

class SizeType {
 public:
  static Result<SizeType> parse(std::string_view text);

  // The code as given (upper-cased): "22G1" or legacy "2200".
  const std::string& code() const { return code_; }
  // The current ISO 6346 code: equal to code() unless a legacy code was given.
  const std::string& iso_code() const { return iso_code_; }
  bool is_legacy() const { return code_ != iso_code_; }
  int length_ft() const { return length_ft_; }
  // Height in inches (102 for 8'6"; 114 for 9'6"); 0 where the code does not say.
  int height_in() const { return height_in_; }
  char type_group() const { return iso_code_[2]; }
  bool is_reefer() const { return type_group() == 'R' || type_group() == 'H'; }
  // Twenty-foot equivalent units: 1 up to 24 ft, 2 above.
  int teu() const { return length_ft_ > 24 ? 2 : 1; }

  friend bool operator==(const SizeType& a, const SizeType& b) { return a.code_ == b.code_; }

 private:
  SizeType() = default;
  std::string code_;
  std::string iso_code_;
  int length_ft_ = 0;
  int height_in_ = 0;
};

}  // namespace minato::terminal
