// ContainerId: an ISO 6346 container identification: owner code (3 letters), equipment category
// (U freight container, J detachable equipment, Z trailer/chassis), a 6-digit serial number and
// a check digit.
//
//   auto id = ContainerId::parse("csqu 305438-3");   // case and separators are normalised
//   if (!id) ... id.error().message() names the expected check digit
//   id->str() == "CSQU3054383"
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::terminal {

class ContainerId {
 public:
  // Accepts upper or lower case; ignores spaces, '-' and '/' between parts. Refuses anything else,
  // naming what is wrong (and, for a wrong check digit, the expected one).
  static Result<ContainerId> parse(std::string_view text);

  // The check digit ISO 6346 assigns to the first ten characters (owner, category, serial),
  // which must already be upper-case letters + category + digits. Returns -1 if malformed.
  static int check_digit(std::string_view first_ten);

  const std::string& str() const { return code_; }
  std::string_view owner() const { return std::string_view(code_).substr(0, 3); }
  char category() const { return code_[3]; }
  std::string_view serial() const { return std::string_view(code_).substr(4, 6); }

  friend bool operator==(const ContainerId&, const ContainerId&) = default;
  friend auto operator<=>(const ContainerId&, const ContainerId&) = default;

 private:
  explicit ContainerId(std::string code) : code_(std::move(code)) {}
  std::string code_;  // always 11 characters, normalised
};

}  // namespace minato::terminal
