#include "identity/password_policy.h"

#include <zxcvbn.h>

#include <cctype>
#include <string>
#include <vector>

namespace minato::identity {

std::string describe(const PasswordPolicy& policy) {
  std::string s = std::to_string(policy.min_length) + "+ characters";
  if (policy.require_classes) {
    s += " with an upper-case letter, a lower-case letter, a digit and a symbol";
  }
  return s + "; not a common or easily guessed " + policy.field + "; not containing the user name";
}

Status check_password(const PasswordPolicy& policy, std::string_view username,
                      std::string_view password) {
  std::vector<std::string> broken;  // "must have ..."
  std::vector<std::string> banned;  // "must not ..."
  if (password.size() < policy.min_length) {
    broken.push_back("at least " + std::to_string(policy.min_length) + " characters");
  }
  if (password.size() > policy.max_length) {
    banned.push_back("be longer than " + std::to_string(policy.max_length) + " characters");
  }
  bool upper = false, lower = false, digit = false, symbol = false, control = false;
  for (char ch : password) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f)
      control = true;
    else if (std::isupper(c))
      upper = true;
    else if (std::islower(c))
      lower = true;
    else if (std::isdigit(c))
      digit = true;
    else
      symbol = true;  // punctuation, space, or non-ASCII
  }
  if (policy.require_classes) {
    if (!upper) broken.push_back("an upper-case letter");
    if (!lower) broken.push_back("a lower-case letter");
    if (!digit) broken.push_back("a digit");
    if (!symbol) broken.push_back("a symbol");
  }
  if (control) banned.push_back("contain control characters");

  std::string pw(password);
  std::string user(username);
  if (broken.empty() && banned.empty()) {
    std::string lower_pw, lower_user;
    for (char c : pw)
      lower_pw.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (char c : user)
      lower_user.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower_user.size() >= 3 && lower_pw.find(lower_user) != std::string::npos) {
      banned.push_back("contain the user name");
    }
  }
  if (broken.empty() && banned.empty()) {
    const char* user_dict[] = {user.c_str(), "minato", "terminal", "port", "container", nullptr};
    double bits = ZxcvbnMatch(pw.c_str(), user_dict, nullptr);
    if (bits < policy.min_entropy_bits) {
      banned.push_back(
          "be a common or easily guessed password (words, names, keyboard "
          "patterns, dates)");
    }
  }
  if (broken.empty() && banned.empty()) return ok();
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
      out += items[i];
    }
    return out;
  };
  std::string msg = std::string(policy.field) + " must ";
  if (!broken.empty()) msg += "have " + list(broken);
  if (!broken.empty() && !banned.empty()) msg += ", and must ";
  if (!banned.empty()) msg += "not " + list(banned);
  msg += " (the rule: " + describe(policy) + ")";
  return fail(ErrorCode::kInvalidArgument, msg, policy.field);
}

}  // namespace minato::identity
