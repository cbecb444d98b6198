#include "terminal/container_id.h"

#include <cctype>

namespace minato::terminal {

namespace {

// ISO 6346 letter values: A=10 upwards, skipping 11 and its multiples (11, 22, 33).
int letter_value(char c) {
  int v = 10;
  for (char l = 'A'; l < c; ++l) {
    ++v;
    if (v % 11 == 0) ++v;
  }
  return v;
}

}  // namespace

int ContainerId::check_digit(std::string_view s) {
  if (s.size() != 10) return -1;
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    char c = s[i];
    int v;
    if (i < 4) {
      if (c < 'A' || c > 'Z') return -1;
      v = letter_value(c);
    } else {
      if (c < '0' || c > '9') return -1;
      v = c - '0';
    }
    sum += v << i;  // weight 2^i
  }
  return (sum % 11) % 10;  // a remainder of 10 becomes 0, as the standard says
}

Result<ContainerId> ContainerId::parse(std::string_view text) {
  constexpr const char* kField = "container_id";
  if (text.size() > 32) {
    return fail(ErrorCode::kInvalidArgument, "container id is longer than 32 characters", kField);
  }
  std::string code;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '/') continue;
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  "container id contains a character that is not a letter or digit", kField);
    }
    code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (code.size() != 11) {
    return fail(ErrorCode::kInvalidArgument,
                "container id must have 11 characters (owner code, category, 6-digit serial, "
                "check digit), got " +
                    std::to_string(code.size()),
                kField);
  }
  for (size_t i = 0; i < 3; ++i) {
    if (code[i] < 'A' || code[i] > 'Z') {
      return fail(ErrorCode::kInvalidArgument,
                  "container id '" + code + "': owner code must be 3 letters", kField);
    }
  }
  if (code[3] != 'U' && code[3] != 'J' && code[3] != 'Z') {
    return fail(ErrorCode::kInvalidArgument,
                "container id '" + code + "': category must be U, J or Z, got '" + code[3] + "'",
                kField);
  }
  for (size_t i = 4; i < 11; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return fail(ErrorCode::kInvalidArgument,
                  "container id '" + code + "': serial number and check digit must be digits",
                  kField);
    }
  }
  int expected = check_digit(std::string_view(code).substr(0, 10));
  if (code[10] - '0' != expected) {
    return fail(ErrorCode::kInvalidArgument,
                "container id '" + code + "': check digit is " + code[10] + ", expected " +
                    std::to_string(expected),
                kField);
  }
  return ContainerId(std::move(code));
}

}  // namespace minato::terminal
